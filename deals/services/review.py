"""Review of submitted deals: approve, reject, ask for information."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prm.accounts.models import User
from prm.notifications.services import notify
from prm.tenancy.models import Membership, acting_user

from ..choices import (
    DealStatus,
    RejectionCode,
    TransitionKind,
)
from ..models import (
    Deal,
    DealConflict,
    DealPartner,
)
from ..selectors import (
    motion_first_stage,
)
from ._common import _locked, _partner_users, _portal_url, _record, _transition
from .registration import _protection_days


def deal_approve(
    *,
    deal: Deal,
    acting_membership: Membership | None,
    note: str = "",
    caused_by: User | None = None,
) -> Deal:
    """Approve a registration: protection starts and the deal enters its motion.

    `user` is the reviewer (None when the portal approves by itself); `caused_by` is who
    set it off when that is someone else (a partner accepting a lead), so that person is
    not told about their own action.
    """
    user = acting_user(acting_membership)
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status == DealStatus.APPROVED:
            return deal
        if DealConflict.objects.involving(deal).open().exists():
            raise ValidationError(
                f"{deal.reference} has an open conflict: resolve it before approving."
            )
        before = _transition(deal, "approve")
        today = timezone.localdate()
        now = timezone.now()
        days = _protection_days(deal.organization)
        deal.approved_at = now
        deal.reviewed_by = user
        deal.protection_expires_on = today + timedelta(days=days)
        if deal.stage_id is None:
            deal.stage = motion_first_stage(motion=deal.motion)
            deal.stage_entered_at = now
        deal.save()
        DealPartner.objects.get_or_create(
            deal=deal,
            organization=deal.organization,
            defaults={"role": deal.motion.default_partner_role, "split_percent": Decimal("100")},
        )
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=note or f"Protected for {days} days, until {deal.protection_expires_on}.",
        )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.approved",
            title=f"{deal.reference} approved: {deal.customer_name}",
            body=f"Protected until {deal.protection_expires_on:%d %b %Y}.",
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:approved",
            actor=user or caused_by,
        )
    return deal


def deal_reject(
    *,
    deal: Deal,
    acting_membership: Membership,
    reason: str,
    code: str = RejectionCode.OTHER,
) -> Deal:
    user = acting_membership.user
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the partner a reason for the rejection."})
    if code not in RejectionCode.values:
        raise ValidationError({"code": "Choose a rejection reason."})
    with transaction.atomic():
        deal = _locked(deal)
        before = _transition(deal, "reject")
        deal.rejection_code = code
        deal.rejection_reason = reason
        deal.reviewed_by = user
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=reason,
        )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.rejected",
            title=f"{deal.reference} rejected: {deal.customer_name}",
            body=reason,
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:rejected",
            actor=user,
        )
    return deal


def deal_request_info(*, deal: Deal, acting_membership: Membership, message: str) -> Deal:
    user = acting_membership.user
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": "Say what information you need."})
    with transaction.atomic():
        deal = _locked(deal)
        before = _transition(deal, "request_info")
        deal.info_request = message
        deal.reviewed_by = user
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=message,
        )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.info_requested",
            title=f"{deal.reference}: more information requested",
            body=message,
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:info:{timezone.now().isoformat()}",
            actor=user,
        )
    return deal


def deals_bulk_approve(
    *, deals: Iterable[Deal], acting_membership: Membership
) -> tuple[list[Deal], dict[str, str]]:
    """Approve several registrations; returns those approved and why others were not."""
    approved, skipped = [], {}
    for deal in deals:
        try:
            approved.append(deal_approve(deal=deal, acting_membership=acting_membership))
        except ValidationError as exc:
            skipped[deal.reference] = " ".join(exc.messages)
    return approved, skipped
