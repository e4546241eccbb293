"""Helpers for the marketing tests: rows made the way the services make them."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketing import services
from marketing.models import Campaign
from tests.deals.factories import motion_with_stages

_n = itertools.count(1)

# The smallest valid files of a few kinds (checked by content, not by name).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name="one-pager.pdf"):
    return upload(name, PDF, "application/pdf")


def png(name="banner.png"):
    return upload(name, PNG, "image/png")


def lead_motion():
    from deals.models import Motion

    return Motion.objects.filter(key="campaign-leads").first() or motion_with_stages(
        name="Resell", key="campaign-leads"
    )


def make_campaign(admin, *, publish=True, **fields) -> Campaign:
    n = next(_n)
    today = timezone.localdate()
    values = {
        "name": f"Spring promo {n}",
        "slug": f"spring-promo-{n}",
        "summary": "Cloud backup for small firms.",
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=30),
        "lead_motion": lead_motion(),
        "email_subject": "{partner_name} has news",
        "email_body": "Hello, this is {contact_name} from {partner_name}: {landing_page}",
        "social_copy": "Back up with {partner_name}! {landing_page}",
        "headline": "Never lose a file again",
        "body_markdown": "**Backups** that just work.\n\n<script>alert(1)</script>",
    }
    values.update(fields)
    campaign = services.campaign_save(campaign=Campaign(**values), acting_membership=admin)
    if publish:
        campaign = services.campaign_set_status(
            campaign=campaign, acting_membership=admin, status="published"
        )
    return campaign


def launch(campaign, partner, **fields):
    values = {"contact_name": "Pat Partner", "contact_email": "pat@partner.test"}
    values.update(fields)
    return services.campaign_launch(campaign=campaign, acting_membership=partner, fields=values)


def lead_data(**extra) -> dict:
    data = {
        "name": "Vera Visitor",
        "email": "vera@buyer.example",
        "company": "Buyer Ltd",
        "country": "GB",
        "phone": "",
        "message": "Call me",
        "consent": "on",
    }
    data.update(extra)
    return data


def make_announcement(admin, *, publish=True, **fields):
    from marketing.models import Announcement

    values = {"title": f"News {next(_n)}", "body_markdown": "**New** pricing from May."}
    values.update(fields)
    announcement = services.announcement_save(
        announcement=Announcement(**values), acting_membership=admin
    )
    if publish:
        announcement = services.announcement_publish(
            announcement=announcement, acting_membership=admin
        )
    return announcement


def make_survey(admin, *, questions=None, publish=True, **fields):
    from marketing.models import Survey

    now = timezone.now()
    values = {
        "title": f"Partner survey {next(_n)}",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
    }
    values.update(fields)
    survey = services.survey_save(survey=Survey(**values), acting_membership=admin)
    for kind, text, choices in questions or [
        ("nps", "How likely are you to recommend us?", None),
        ("rating", "How good is the portal?", None),
        ("choice", "Best channel?", ["E-mail", "Portal"]),
        ("text", "What should we change?", None),
    ]:
        services.survey_question_add(
            survey=survey,
            acting_membership=admin,
            kind=kind,
            text=text,
            choices=choices,
            required=kind != "text",
        )
    if publish:
        survey = services.survey_publish(survey=survey, acting_membership=admin)
    return survey


def answers_for(survey, nps=9, rating=4, choice="Portal", text="More leads"):
    by_kind = {"nps": nps, "rating": rating, "choice": choice, "text": text}
    return {str(q.pk): by_kind[q.kind] for q in survey.questions.all()}


def library_asset(admin, *, title=None, file=True, **fields):
    """An asset of the content library (enablement), saved by its own service."""
    from enablement import services as enablement_services
    from enablement.models import Asset

    asset = Asset(title=title or f"Library asset {next(_n)}", **fields)
    if file:
        asset.kind = "file"
        return enablement_services.asset_save(acting_membership=admin, asset=asset, upload=pdf())
    asset.kind = "link"
    asset.url = asset.url or "https://example.com/asset"
    return enablement_services.asset_save(acting_membership=admin, asset=asset)


def funding_request(partner, admin, campaign, *, planned="500", **extra):
    """An MDF request of the partner naming `campaign` (through the request's service)."""
    from incentives import services as incentive_services
    from tests.incentives.factories import fund_with_allocation, request_input

    _, allocation = fund_with_allocation(partner.partner_organization, admin)
    return incentive_services.fund_request_submit(
        acting_membership=partner,
        allocation=allocation,
        data=request_input(planned, links={"campaign": str(campaign.pk)}, **extra),
    )
