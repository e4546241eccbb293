"""Isolation cases for the marketing app's pages and API endpoints."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile

from marketing import services
from tests.isolation.registry import Target, register
from tests.marketing.factories import PNG, launch, make_campaign, pdf
from tests.partners.factories import PartnerTypeFactory

API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _campaign(world):
    """A campaign aimed at A1's partner type only, so A2 is outside its audience."""
    key = f"t{uuid.uuid4().hex[:8]}"
    partner_type = world.org_a1.partner_type
    if partner_type is None:
        partner_type = PartnerTypeFactory(key="iso-a1", name="Type of A1")
        world.org_a1.partner_type = partner_type
        world.org_a1.save()
        world.org_a1.logo.save("logo.png", ContentFile(PNG), save=True)
    return make_campaign(
        world.admin_a,
        name=f"Secret campaign {key}",
        audience_partner_types=[partner_type.pk],
    )


def _launch(world):
    return launch(_campaign(world), world.partner_a1, contact_name="Secret contact A1")


@register(
    "marketing:console_campaign_detail",
    "marketing:console_campaign_edit",
    "marketing:console_campaign_status",
    "marketing:console_campaign_asset_upload",
    "marketing:console_campaign_library_search",
    "marketing:console_campaign_library_add",
    owner="staff",
)
def _console_campaign(world):
    campaign = _campaign(world)
    return Target(kwargs={"pk": campaign.pk}, obj=campaign, marker=campaign.name)


@register("marketing:portal_campaign_detail")
def _portal_campaign(world):
    campaign = _campaign(world)
    return Target(kwargs={"pk": campaign.pk}, obj=campaign)


@register(
    "api:campaign-detail", "api:campaign-set-status", "api:campaign-launch", methods=API_METHODS
)
def _api_campaign(world):
    campaign = _campaign(world)
    return Target(kwargs={"pk": campaign.pk}, obj=campaign)


def _asset(world):
    campaign = _campaign(world)
    return services.campaign_asset_add(
        campaign=campaign, acting_membership=world.admin_a, title="Secret deck", upload=pdf()
    )


@register("marketing:campaign_asset_download", "api:campaign-asset-detail")
def _asset_target(world):
    asset = _asset(world)
    return Target(kwargs={"pk": asset.pk}, obj=asset)


@register("marketing:console_campaign_asset_delete", owner="staff")
def _asset_delete(world):
    asset = _asset(world)
    return Target(kwargs={"pk": asset.pk}, obj=asset)


def _library_link(world):
    """A library asset (no audience of its own) in the kit of a campaign aimed at A1."""
    from tests.marketing.factories import library_asset

    campaign = _campaign(world)
    asset = library_asset(world.admin_a, title=f"Secret library deck {uuid.uuid4().hex[:8]}")
    return services.campaign_library_asset_add(
        campaign=campaign, acting_membership=world.admin_a, asset_id=asset.pk
    )


@register("marketing:console_campaign_library_remove", owner="staff")
def _library_remove(world):
    link = _library_link(world)
    return Target(kwargs={"pk": link.pk}, obj=link, marker=link.asset.title)


@register("api:campaign-library-asset-detail", methods=API_METHODS)
def _api_library_link(world):
    link = _library_link(world)
    return Target(kwargs={"pk": link.pk}, obj=link)


@register("marketing:portal_launch_detail")
def _portal_launch(world):
    row = _launch(world)
    return Target(kwargs={"pk": row.pk}, obj=row, marker=row.contact_name)


@register("api:campaign-launch-detail", methods=API_METHODS)
def _api_launch(world):
    row = _launch(world)
    return Target(kwargs={"pk": row.pk}, obj=row)


@register(
    "marketing:landing",
    "marketing:landing_thanks",
    "marketing:landing_logo",
    public=True,
    methods=("GET", "POST"),
)
def _landing(world):
    row = _launch(world)
    return Target(kwargs={"partner_slug": row.slug, "campaign_slug": row.campaign.slug}, obj=row)


def _announcement(world):
    """An announcement aimed at A1's partner type only, so A2 is outside its audience."""
    from tests.marketing.factories import make_announcement

    _campaign(world)  # gives A1 its partner type
    return make_announcement(
        world.admin_a,
        title=f"Secret news {uuid.uuid4().hex[:8]}",
        audience_partner_types=[world.org_a1.partner_type_id],
    )


@register(
    "marketing:console_announcement_detail",
    "marketing:console_announcement_edit",
    "marketing:console_announcement_publish",
    owner="staff",
)
def _console_announcement(world):
    row = _announcement(world)
    return Target(kwargs={"pk": row.pk}, obj=row, marker=row.title)


@register("marketing:portal_announcement_detail")
def _portal_announcement(world):
    row = _announcement(world)
    return Target(kwargs={"pk": row.pk}, obj=row)


@register(
    "api:announcement-detail",
    "api:announcement-publish",
    "api:announcement-read",
    "api:announcement-receipts",
    methods=API_METHODS,
)
def _api_announcement(world):
    row = _announcement(world)
    return Target(kwargs={"pk": row.pk}, obj=row)


def _help(world):
    return services.help_request_create(
        acting_membership=world.partner_a1,
        category="deal",
        subject=f"Secret question {uuid.uuid4().hex[:8]}",
        body="Private",
        attachment=pdf(),
    )


@register("marketing:portal_help_detail", "marketing:help_attachment")
def _portal_help(world):
    row = _help(world)
    return Target(kwargs={"pk": row.pk}, obj=row, marker=row.subject)


@register("marketing:console_help_detail", owner="staff")
def _console_help(world):
    row = _help(world)
    return Target(kwargs={"pk": row.pk}, obj=row, marker=row.subject)


@register(
    "api:help-request-detail",
    "api:help-request-reply",
    "api:help-request-resolve",
    "api:help-request-rate",
    methods=API_METHODS,
)
def _api_help(world):
    row = _help(world)
    return Target(kwargs={"pk": row.pk}, obj=row)


def _survey(world):
    from tests.marketing.factories import make_survey

    _campaign(world)  # gives A1 its partner type
    return make_survey(
        world.admin_a,
        title=f"Secret survey {uuid.uuid4().hex[:8]}",
        audience_partner_types=[world.org_a1.partner_type_id],
        questions=[("nps", "Recommend?", None)],
    )


@register(
    "marketing:console_survey_detail",
    "marketing:console_survey_edit",
    "marketing:console_survey_question_add",
    "marketing:console_survey_publish",
    "marketing:console_survey_export",
    owner="staff",
)
def _console_survey(world):
    row = _survey(world)
    return Target(kwargs={"pk": row.pk}, obj=row, marker=row.title)


@register("marketing:portal_survey_detail")
def _portal_survey(world):
    row = _survey(world)
    return Target(kwargs={"pk": row.pk}, obj=row)


@register(
    "api:survey-detail",
    "api:survey-add-question",
    "api:survey-publish",
    "api:survey-answer",
    "api:survey-results",
    methods=API_METHODS,
)
def _api_survey(world):
    row = _survey(world)
    return Target(kwargs={"pk": row.pk}, obj=row)
