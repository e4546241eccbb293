"""Protection extensions: requests, grants and decisions."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prm.notifications.services import notify
from prm.tenancy.models import Membership

from ..choices import (
    DealStatus,
    ExtensionStatus,
    TransitionKind,
)
from ..models import (
    Deal,
    ProtectionExtension,
)
from ._common import _console_url, _deal_staff, _locked, _partner_users, _portal_url, _record


def extension_request(
    *,
    deal: Deal,
    acting_membership: Membership,
    days: int,
    reason: str,
    tell_staff: bool = True,
) -> ProtectionExtension:
    user = acting_membership.user
    errors = {}
    if not days or days < 1 or days > 365:
        errors["days"] = "Ask for 1 to 365 days."
    if not (reason or "").strip():
        errors["reason"] = "Say why the deal needs more time."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status != DealStatus.APPROVED:
            raise ValidationError("Only an approved deal's protection can be extended.")
        if ProtectionExtension.objects.filter(deal=deal, status=ExtensionStatus.PENDING).exists():
            raise ValidationError("An extension request is already waiting for a decision.")
        extension = ProtectionExtension.objects.create(
            deal=deal, days=days, reason=reason.strip(), requested_by=user
        )
        if not tell_staff:
            return extension
        notify(
            recipients=_deal_staff(deal),
            kind="deal.extension_requested",
            title=f"{deal.reference}: {days} more days of protection requested",
            body=reason.strip(),
            url=_console_url(deal),
            dedupe_key=f"extension:{extension.pk}:requested",
            actor=user,
        )
    return extension


def extension_grant(
    *, deal: Deal, acting_membership: Membership, days: int, reason: str
) -> ProtectionExtension:
    """Staff extend the protection themselves: a request and its approval, in one go
    (one transaction; nobody is asked to decide what is already decided)."""
    with transaction.atomic():
        extension = extension_request(
            deal=deal,
            acting_membership=acting_membership,
            days=days,
            reason=reason,
            tell_staff=False,
        )
        return extension_decide(
            extension=extension, acting_membership=acting_membership, approve=True
        )


def extension_decide(
    *,
    extension: ProtectionExtension,
    acting_membership: Membership,
    approve: bool,
    note: str = "",
) -> ProtectionExtension:
    user = acting_membership.user
    with transaction.atomic():
        extension = ProtectionExtension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != ExtensionStatus.PENDING:
            raise ValidationError("This request was already decided.")
        deal = _locked(extension.deal)
        if approve and deal.status != DealStatus.APPROVED:
            raise ValidationError("The deal is no longer approved: its protection cannot grow.")
        if not approve and not (note or "").strip():
            raise ValidationError({"note": "Give the partner a reason for declining."})
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DECLINED
        extension.decided_by = user
        extension.decided_at = timezone.now()
        extension.decision_note = (note or "").strip()
        extension.save()
        if approve:
            before = deal.protection_expires_on
            deal.protection_expires_on = before + timedelta(days=extension.days)
            deal.save(update_fields=["protection_expires_on", "updated_at"])
            _record(
                deal,
                kind=TransitionKind.PROTECTION,
                from_value=before.isoformat(),
                to_value=deal.protection_expires_on.isoformat(),
                actor=user,
                reason=extension.reason,
            )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.extension_decided",
            title=f"{deal.reference}: extension {extension.get_status_display().lower()}",
            body=(
                f"Protected until {deal.protection_expires_on:%d %b %Y}."
                if approve
                else extension.decision_note
            ),
            url=_portal_url(deal),
            dedupe_key=f"extension:{extension.pk}:decided",
            actor=user,
        )
    return extension
