"""Campaign writes: the vendor's kit, a partner's launch, page views and lead capture."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from deals import services as deal_services
from partners import selectors as partner_selectors
from partners import services as partner_services
from partners.models import PartnerOrganization
from prm.core.richtext import markdown_to_html
from prm.core.text import web_domain
from prm.core.uploads import DOCUMENTS, IMAGES, MB, VIDEOS, check_upload
from prm.notifications.services import notify
from prm.tenancy.models import Membership

from ..choices import CampaignStatus
from ..models import Campaign, CampaignAsset, CampaignLaunch, CampaignLead, CampaignPageViews

ASSET_KINDS = {**DOCUMENTS, **IMAGES, **VIDEOS}
ASSET_MAX_BYTES = 8 * MB  # below PRM_MAX_REQUEST_BYTES (10 MiB), so the form answers, not a 413

PLACEHOLDERS = (
    "partner_name",
    "partner_logo",
    "partner_website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "landing_page",
)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

CONSENT_TEXT = (
    "I agree that {partner} may contact me about this offer and pass my details to {vendor}."
)


def _require_staff(membership: Membership) -> None:
    if membership is None or not membership.is_staff_role:
        raise PermissionDenied("Only the vendor's staff manage campaigns.")


def _require_partner(membership: Membership) -> None:
    if membership is None or not membership.is_partner:
        raise PermissionDenied("Only partner users launch campaigns.")


# ---------------------------------------------------------------------------------------
# The kit (vendor)
# ---------------------------------------------------------------------------------------


def campaign_save(*, campaign: Campaign, acting_membership: Membership) -> Campaign:
    """Create or update a campaign kit: slug checked, landing body sanitised."""
    _require_staff(acting_membership)
    campaign.slug = slugify(campaign.slug or campaign.name)[:60]
    if not campaign.slug:
        raise ValidationError({"slug": "Give the campaign a name or address with letters."})
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": "The campaign must end on or after its start."})
    taken = Campaign.objects.filter(slug=campaign.slug).exclude(pk=campaign.pk).exists()
    if taken:
        raise ValidationError({"slug": "Another campaign already uses this address."})
    campaign.body_html = markdown_to_html(campaign.body_markdown)
    if campaign.created_by_id is None:
        campaign.created_by = acting_membership.user
    with transaction.atomic():
        campaign.save()
    return campaign


def campaign_set_status(
    *, campaign: Campaign, acting_membership: Membership, status: str
) -> Campaign:
    """Publish (partners in the audience see it), close (pages stop taking leads) or
    take back to draft."""
    _require_staff(acting_membership)
    if status not in CampaignStatus.values:
        raise ValidationError({"status": "Unknown status."})
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status == status:
            return campaign
        if status == CampaignStatus.DRAFT and campaign.launches.exists():
            raise ValidationError("Partners have launched this campaign: close it instead.")
        campaign.status = status
        campaign.save(update_fields=["status", "updated_at"])
    return campaign


def campaign_asset_add(
    *, campaign: Campaign, acting_membership: Membership, title: str, upload
) -> CampaignAsset:
    """Store a file of the kit under the tenant's prefix, its type checked by content."""
    _require_staff(acting_membership)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the file a title partners will recognise."
    try:
        content_type = check_upload(upload, kinds=ASSET_KINDS, max_bytes=ASSET_MAX_BYTES)
    except ValidationError as exc:
        errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    asset = CampaignAsset(
        campaign=campaign,
        title=title[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=acting_membership.user,
    )
    asset.tenant = campaign.tenant
    with transaction.atomic():
        asset.file.save(upload.name, upload, save=False)
        asset.save()
    return asset


def campaign_asset_delete(*, asset: CampaignAsset, acting_membership: Membership) -> None:
    _require_staff(acting_membership)
    storage, name = asset.file.storage, asset.file.name
    with transaction.atomic():
        asset.delete()
        transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------------------
# Co-branding (placeholders)
# ---------------------------------------------------------------------------------------


@dataclass
class Branding:
    partner_name: str
    partner_logo: str
    partner_website: str
    contact_name: str
    contact_email: str
    contact_phone: str
    landing_page: str


def branding_for(
    *, organization: PartnerOrganization, launch: CampaignLaunch | None, contact=None
) -> Branding:
    """What fills the placeholders: the launch's contact, else the person previewing."""
    logo = (
        reverse(
            "marketing:landing_logo",
            kwargs={"partner_slug": launch.slug, "campaign_slug": launch.campaign.slug},
        )
        if launch is not None and organization.logo
        else ""
    )
    if launch is not None:
        name, email, phone = launch.contact_name, launch.contact_email, launch.contact_phone
        page = organization.tenant.absolute_url(launch.get_public_path())
    else:
        name = getattr(contact, "display_name", "") or ""
        email = getattr(contact, "email", "") or ""
        phone = organization.phone
        page = "(your landing page address, once launched)"
    return Branding(
        partner_name=organization.name,
        partner_logo=logo or "(your logo)",
        partner_website=organization.website,
        contact_name=name,
        contact_email=email,
        contact_phone=phone,
        landing_page=page,
    )


def fill_placeholders(text: str, branding: Branding) -> str:
    """Replace the known {placeholders}; anything else in braces is left as typed.

    A fixed list and a regular expression, not str.format: copy written by staff must
    not reach attributes of the objects behind the values.
    """
    return _PLACEHOLDER.sub(lambda m: str(getattr(branding, m.group(1)) or ""), text or "")


# ---------------------------------------------------------------------------------------
# Launches (partner)
# ---------------------------------------------------------------------------------------


def _launch_slug(campaign: Campaign, organization: PartnerOrganization) -> str:
    base = slugify(organization.name)[:50] or "partner"
    slug, n = base, 2
    while CampaignLaunch.objects.filter(campaign=campaign, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _personalise(launch: CampaignLaunch, campaign: Campaign, fields: dict) -> None:
    errors = {}
    contact_name = (fields.get("contact_name") or "").strip()
    contact_email = (fields.get("contact_email") or "").strip()
    if not contact_name:
        errors["contact_name"] = "Name the person visitors will hear from."
    if not contact_email:
        errors["contact_email"] = "Give the e-mail address leads may write to."
    headline = (fields.get("headline") or "").strip()
    intro = (fields.get("intro") or "").strip()
    if headline and not campaign.allow_custom_headline:
        errors["headline"] = "This campaign keeps the vendor's headline."
    if intro and not campaign.allow_custom_intro:
        errors["intro"] = "This campaign does not take an introduction of your own."
    if errors:
        raise ValidationError(errors)
    launch.contact_name = contact_name[:200]
    launch.contact_email = contact_email
    launch.contact_phone = (fields.get("contact_phone") or "").strip()[:40]
    launch.headline = headline[:200]
    launch.intro = intro


def campaign_launch(
    *, campaign: Campaign, acting_membership: Membership, fields: dict
) -> CampaignLaunch:
    """The partner launches its co-branded edition and gets its landing page.

    Only a campaign visible to the partner (published, in its audience) that is running,
    and only for a partner that may transact: the page hands it leads.
    """
    _require_partner(acting_membership)
    if not Campaign.objects.visible_to(acting_membership).filter(pk=campaign.pk).exists():
        raise PermissionDenied("This campaign is not offered to your organization.")
    if not campaign.is_running(timezone.localdate()):
        raise ValidationError("This campaign is not running now: it cannot be launched.")
    organization = PartnerOrganization.objects.get(pk=acting_membership.partner_organization_id)
    if not partner_services.partner_can_transact(organization=organization):
        raise ValidationError(
            "Your organization must be active and have accepted the program agreement "
            "before it can take leads from a landing page."
        )
    with transaction.atomic():
        existing = CampaignLaunch.objects.filter(campaign=campaign, organization=organization)
        launch = existing.select_for_update().first()
        if launch is not None:
            return launch  # launched already (a double click): the same page
        launch = CampaignLaunch(
            campaign=campaign, organization=organization, launched_by=acting_membership.user
        )
        _personalise(launch, campaign, fields)
        launch.slug = _launch_slug(campaign, organization)
        launch.save()
        notify(
            recipients=partner_selectors.partner_vendor_contacts(organization=organization),
            kind="campaign.launched",
            title=f"{organization.name} launched the campaign {campaign.name}",
            url=reverse("marketing:console_campaign_detail", kwargs={"pk": campaign.pk}),
            dedupe_key=f"campaignlaunch:{launch.pk}:launched",
            email=False,
        )
    return launch


def campaign_launch_update(
    *, launch: CampaignLaunch, acting_membership: Membership, fields: dict, is_active: bool
) -> CampaignLaunch:
    """The partner changes what it may personalise, or pauses its page."""
    _require_partner(acting_membership)
    if launch.organization_id != acting_membership.partner_organization_id:
        raise PermissionDenied("This is another organization's launch.")
    _personalise(launch, launch.campaign, fields)
    launch.is_active = is_active
    with transaction.atomic():
        launch.save()
    return launch


# ---------------------------------------------------------------------------------------
# The public landing page
# ---------------------------------------------------------------------------------------


def landing_page_view_record(*, launch: CampaignLaunch) -> None:
    """Count one view for today (a counter only: nothing about the visitor is kept)."""
    today = timezone.localdate()
    counter = CampaignPageViews.objects.filter(launch=launch, day=today)
    if counter.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            CampaignPageViews.objects.create(launch=launch, day=today, views=1)
    except IntegrityError:  # another request created today's row first
        counter.update(views=F("views") + 1)


def landing_is_open(launch: CampaignLaunch) -> bool:
    return launch.is_active and launch.campaign.is_running(timezone.localdate())


def consent_text(launch: CampaignLaunch) -> str:
    return CONSENT_TEXT.format(partner=launch.organization.name, vendor=launch.tenant.name)


def campaign_lead_submit(*, launch: CampaignLaunch, data: dict) -> CampaignLead:
    """A visitor's submission becomes a deals lead offered to the launching partner.

    The deals lead service stores it partner-sourced and offers it to the partner (who
    accepts it into a registration as with any lead); if the partner cannot take leads
    right now it stays unassigned for the vendor to route. The partner (by the offer)
    and its channel manager are told.
    """
    if not landing_is_open(launch):
        raise ValidationError("This page no longer takes requests.")
    if not data.get("consent"):
        raise ValidationError({"consent": "Tick the box to agree to be contacted."})
    campaign = launch.campaign
    organization = launch.organization
    message = (data.get("message") or "").strip()
    notes = f"From the campaign “{campaign.name}” on {organization.name}'s landing page."
    if data.get("phone"):
        notes += f"\nPhone: {data['phone']}"
    if message:
        notes += f"\n\n{message}"
    with transaction.atomic():
        lead = deal_services.lead_capture(
            organization=organization,
            motion=campaign.lead_motion,
            product=campaign.product,
            data={
                "customer_name": data.get("company", ""),
                "customer_domain": web_domain(data.get("email", "")),
                "country": data.get("country", ""),
                "contact_name": data.get("name", ""),
                "contact_email": data.get("email", ""),
                "notes": notes,
            },
        )
        link = CampaignLead.objects.create(
            launch=launch, lead=lead, consent_text=consent_text(launch)[:300]
        )
        assigned = lead.assigned_organization_id == organization.pk
        staff = partner_selectors.partner_vendor_contacts(organization=organization)
        notify(
            recipients=staff,
            kind="campaign.lead",
            title=f"New lead from {organization.name}'s campaign page: {lead.customer_name}",
            body=(
                f"Campaign: {campaign.name}."
                if assigned
                else f"{organization.name} cannot take leads now: route this one."
            ),
            url=reverse("deals:lead_detail", kwargs={"pk": lead.pk}),
            dedupe_key=f"campaignlead:{link.pk}",
        )
    return link
