"""Demo data of the marketing app for one tenant (called by prm.core.demo; idempotent).

Both tenants get a published co-branded campaign launched by their first partner, with
one lead from its landing page, two content-library assets in its kit and an approved
MDF request naming it; two announcements (one for partner admins only); help
requests (one answered by the channel manager); a partner satisfaction survey. Rows are
looked up by natural keys first, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from deals.models import Motion, Product

from . import services
from .models import (
    Announcement,
    Campaign,
    CampaignFunding,
    CampaignLaunch,
    HelpRequest,
    Survey,
)

if TYPE_CHECKING:
    from prm.core.demo import DemoPeople

CAMPAIGN_BODY = """Your data, safe and close at hand.

- **Daily backups** of every workspace
- Restore a file, a folder or a whole site in minutes
- Priced per user, billed by your local partner

Ask us for a free 30-day pilot."""


def _campaign(people: DemoPeople) -> Campaign:
    campaign = Campaign.objects.filter(slug="cloud-backup-spring").first()
    if campaign is not None:
        return campaign
    today = timezone.localdate()
    campaign = services.campaign_save(
        campaign=Campaign(
            name="Cloud backup spring promotion",
            slug="cloud-backup-spring",
            summary="A ready-made campaign for small firms: e-mail, social post, landing page.",
            starts_on=today - timedelta(days=7),
            ends_on=today + timedelta(days=60),
            lead_motion=Motion.objects.filter(key="resell").first() or Motion.objects.first(),
            product=Product.objects.filter(sku="CP-100").first(),
            email_subject="{partner_name}: never lose a file again",
            email_body=(
                "Hello,\n\n{partner_name} now offers Cloud Platform backups. "
                "See the offer: {landing_page}\n\n{contact_name}\n{contact_email} {contact_phone}"
            ),
            social_copy="Backups that just work, from {partner_name}: {landing_page}",
            headline="Never lose a file again",
            body_markdown=CAMPAIGN_BODY,
        ),
        acting_membership=people.admin,
    )
    return services.campaign_set_status(
        campaign=campaign, acting_membership=people.admin, status="published"
    )


# Content-library assets (enablement's demo) offered with the demo campaign's kit.
KIT_LIBRARY_ASSETS = ("Co-branding guidelines", "Platform overview deck")


def _kit_library_assets(people: DemoPeople, campaign: Campaign) -> None:
    from enablement.selectors import library_search

    for title in KIT_LIBRARY_ASSETS:
        asset = library_search(membership=people.admin).filter(title=title).first()
        if asset is not None:  # idempotent: the service keeps one link per asset
            services.campaign_library_asset_add(
                campaign=campaign, acting_membership=people.admin, asset_id=asset.pk
            )


def _campaign_funding(people: DemoPeople, launch: CampaignLaunch) -> None:
    """An approved MDF request of the launching partner naming the campaign it funds,
    submitted through the request's own service (the link comes through its registry)."""
    from incentives import services as incentive_services
    from incentives.models import FundAllocation

    if CampaignFunding.objects.filter(launch=launch).exists():
        return
    today = timezone.localdate()
    allocation = (
        FundAllocation.objects.filter(
            organization_id=launch.organization_id, fund__ends_on__gte=today
        )
        .select_related("fund")
        .order_by("fund__starts_on")
        .first()
    )
    if allocation is None:
        return
    fund = allocation.fund
    starts = max(fund.starts_on, today)
    request = incentive_services.fund_request_submit(
        acting_membership=people.partner_admins[0],
        allocation=allocation,
        data=incentive_services.RequestInput(
            title=f"{launch.campaign.name}: paid social ads",
            activity_type="digital",
            description="Promoted posts pointing at our co-branded landing page.",
            starts_on=starts,
            ends_on=min(fund.ends_on, starts + timedelta(days=14)),
            planned_spend=Decimal("1500"),
            expected_leads=20,
            expected_pipeline=Decimal("30000"),
            links={"campaign": str(launch.campaign_id)},
        ),
    )
    incentive_services.fund_request_approve(
        request=request,
        acting_membership=people.channel_manager,
        amount=Decimal("1200"),
        reason="Approved for the first two weeks of ads.",
    )


def _campaigns(people: DemoPeople) -> None:
    if not people.partner_admins or Motion.objects.count() == 0:
        return
    campaign = _campaign(people)
    _kit_library_assets(people, campaign)
    partner = people.partner_admins[0]
    launch = CampaignLaunch.objects.filter(
        campaign=campaign, organization=partner.partner_organization
    ).first()
    if launch is None:
        launch = _launch(campaign, partner)
    _campaign_funding(people, launch)


def _launch(campaign: Campaign, partner) -> CampaignLaunch:
    launch = services.campaign_launch(
        campaign=campaign,
        acting_membership=partner,
        fields={
            "contact_name": partner.user.display_name,
            "contact_email": partner.user.email,
            "intro": f"{partner.partner_organization.name} has run backups for 40 local firms.",
        },
    )
    services.landing_page_view_record(launch=launch)
    services.campaign_lead_submit(
        launch=launch,
        data={
            "name": "Dana Demo",
            "email": "dana@tailspin.test",
            "company": "Tailspin Toys",
            "country": "US",
            "message": "We have 25 people; can we start next month?",
            "consent": True,
        },
    )
    return launch


ANNOUNCEMENTS = [
    (
        "New price list from January",
        "The **2027 price list** applies to every quote sent from 1 January.\n\n"
        "- Cloud Platform: +3 %\n- Add-ons: unchanged",
        True,
        [],
    ),
    (
        "Partner summit: save the date",
        "Our yearly partner summit is on **14 March**. Partner admins: one seat per firm.",
        False,
        ["partner_admin"],
    ),
]


def _announcements(people: DemoPeople) -> None:
    for title, body, pinned, roles in ANNOUNCEMENTS:
        if Announcement.objects.filter(title=title).exists():
            continue
        announcement = services.announcement_save(
            announcement=Announcement(
                title=title,
                body_markdown=body,
                is_pinned=pinned,
                include_in_digest=True,
                audience_partner_roles=roles,
            ),
            acting_membership=people.admin,
        )
        services.announcement_publish(announcement=announcement, acting_membership=people.admin)
        if people.partner_admins:
            services.announcement_mark_read(
                announcement=announcement, acting_membership=people.partner_admins[-1]
            )


def _help(people: DemoPeople) -> None:
    if not people.partner_admins or HelpRequest.objects.exists():
        return
    partner = people.partner_admins[0]
    request = services.help_request_create(
        acting_membership=partner,
        category="program",
        subject="When is the next tier review?",
        body="We expect to pass the Gold revenue threshold this quarter.",
    )
    services.help_reply_add(
        request=request,
        acting_membership=people.channel_manager,
        body="Tier reviews run every quarter; yours is due at the end of the month.",
    )
    services.help_request_create(
        acting_membership=people.partner_members[0] if people.partner_members else partner,
        category="technical",
        subject="SSO for our customers",
        body="Does Cloud Platform support SAML with Azure AD?",
    )


def _survey(people: DemoPeople) -> None:
    if Survey.objects.filter(title="Partner satisfaction").exists():
        return
    now = timezone.now()
    survey = services.survey_save(
        survey=Survey(
            title="Partner satisfaction",
            intro="Five minutes to tell us how working with us feels.",
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=12),
        ),
        acting_membership=people.admin,
    )
    for kind, text, choices in (
        ("nps", "How likely are you to recommend our partner program to a peer?", None),
        ("rating", "How useful is the partner portal?", None),
        ("choice", "Where do you want program news?", ["E-mail", "Portal", "Both"]),
        ("text", "What one thing should we change?", None),
    ):
        services.survey_question_add(
            survey=survey,
            acting_membership=people.admin,
            kind=kind,
            text=text,
            choices=choices,
            required=kind != "text",
        )
    survey = services.survey_publish(survey=survey, acting_membership=people.admin)
    if people.partner_admins:
        by_kind = {"nps": "9", "rating": "4", "choice": "Portal", "text": "Faster MDF payouts"}
        services.survey_answer(
            survey=survey,
            acting_membership=people.partner_admins[-1],
            answers={str(q.pk): by_kind[q.kind] for q in survey.questions.all()},
        )


def seed(people: DemoPeople) -> None:
    """Add this app's demo rows to people.tenant (already current). Look up before create."""
    _campaigns(people)
    _announcements(people)
    _help(people)
    _survey(people)
