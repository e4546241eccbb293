"""A campaign's links to the apps below it.

- Kit assets from the content library (enablement): marketing sits above enablement
  (DESIGN.md section 2), so it reads the library through enablement's selectors and
  points at its assets; partners open them through the library's own pages.
- The campaign an MDF fund request funds (incentives): incentives cannot know marketing,
  so it declares `incentives.providers.fund_request_links` and marketing registers
  `FUND_REQUEST_CAMPAIGN` (marketing/apps.py); the request's form and API then offer
  "campaign", and the submit service resolves and attaches it through the functions here.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from prm.tenancy.models import Membership

from ..models import Campaign, CampaignFunding, CampaignLaunch, CampaignLibraryAsset
from .campaigns import _require_staff


def _uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------
# Kit assets from the content library
# ---------------------------------------------------------------------------------------


def campaign_library_asset_add(
    *, campaign: Campaign, acting_membership: Membership, asset_id
) -> CampaignLibraryAsset:
    """Offer an asset of the tenant's content library with the campaign kit (adding it
    twice keeps one). Another tenant's id, or no such asset, is a field error."""
    from enablement.selectors import library_assets_visible_to

    _require_staff(acting_membership)
    pk = _uuid(asset_id)
    asset = (
        library_assets_visible_to(acting_membership).filter(pk=pk).first()
        if pk is not None
        else None
    )
    if asset is None:
        raise ValidationError({"asset": "Choose an asset of your content library."})
    existing = CampaignLibraryAsset.objects.filter(campaign=campaign, asset=asset).first()
    if existing is not None:
        return existing
    link = CampaignLibraryAsset(campaign=campaign, asset=asset, added_by=acting_membership.user)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:  # added at the same moment by another request
        return CampaignLibraryAsset.objects.get(campaign=campaign, asset=asset)
    return link


def campaign_library_asset_remove(
    *, link: CampaignLibraryAsset, acting_membership: Membership
) -> None:
    """Take a library asset out of the kit (the asset stays in the library)."""
    _require_staff(acting_membership)
    with transaction.atomic():
        link.delete()


# ---------------------------------------------------------------------------------------
# The campaign an MDF request funds (registered in incentives.providers.fund_request_links)
# ---------------------------------------------------------------------------------------

NOT_YOUR_CAMPAIGN = "Choose one of the campaigns your organization has launched."


def funding_launches(membership: Membership):
    """The launches a partner user's fund request may name: its organization's own."""
    if membership is None or not membership.is_partner:
        return CampaignLaunch.objects.none()
    return CampaignLaunch.objects.filter(organization_id=membership.partner_organization_id)


def funding_options(membership: Membership) -> list[tuple[str, str]]:
    """(campaign id, "name (period)") of every campaign the organization launched."""
    rows = (
        funding_launches(membership)
        .order_by("campaign__name")
        .values_list("campaign_id", "campaign__name", "campaign__starts_on", "campaign__ends_on")
    )
    return [
        (str(pk), f"{name} ({starts:%d %b %Y} – {ends:%d %b %Y})")
        for pk, name, starts, ends in rows
    ]


def funding_resolve(membership: Membership, value: str) -> CampaignLaunch:
    """The partner's own launch of the campaign `value` (a campaign id); anything else (a
    campaign it has not launched, another tenant's, not an id) is refused in words."""
    pk = _uuid(value)
    launch = (
        funding_launches(membership).filter(campaign_id=pk).select_related("campaign").first()
        if pk is not None
        else None
    )
    if launch is None:
        raise ValidationError(NOT_YOUR_CAMPAIGN)
    return launch


def funding_attach(*, fund_request, target: CampaignLaunch, acting_membership: Membership):
    """Record that the request funds the launch (inside the submit transaction)."""
    if target.organization_id != fund_request.organization_id:
        raise ValidationError({"campaign": NOT_YOUR_CAMPAIGN})
    return CampaignFunding.objects.create(fund_request=fund_request, launch=target)
