"""Co-selling: stages, closing, sales reps, participating partners, comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from prm.accounts.models import User
from prm.core.money import format_money
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.selectors import staff_users

from ..choices import (
    OPEN_STATUSES,
    DealStatus,
    StageOwner,
    TransitionKind,
)
from ..models import (
    Deal,
    DealComment,
    DealPartner,
    MotionStage,
)
from ._common import (
    _console_url,
    _deal_staff,
    _locked,
    _partner_users,
    _portal_url,
    _record,
    _transition,
)


def _side_may_move(owner: str, membership) -> bool:
    if membership.is_staff_role:
        return owner in (StageOwner.VENDOR, StageOwner.BOTH)
    return owner in (StageOwner.PARTNER, StageOwner.BOTH)


def deal_stage_may_move(*, deal: Deal, acting_membership: Membership) -> bool:
    """Whether this member's side may move the deal on: approved, and its current stage
    owned by that side (or by both). The page shows the control only when this holds."""
    if deal.status != DealStatus.APPROVED:
        return False
    return deal.stage is None or _side_may_move(deal.stage.owner, acting_membership)


def deal_stage_change(
    *, deal: Deal, acting_membership: Membership, stage: MotionStage, note: str = ""
) -> Deal:
    """Move an approved deal forward to `stage`, by the party that owns the current one."""
    user = acting_membership.user
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status != DealStatus.APPROVED:
            raise ValidationError("Only an approved deal moves through its motion's stages.")
        if stage.motion_id != deal.motion_id:
            raise ValidationError({"stage": "That stage belongs to another motion."})
        if stage.is_closing:
            raise ValidationError(
                {"stage": "Close the deal as won or lost to enter a closing stage."}
            )
        current = deal.stage
        if current is not None and stage.position <= current.position:
            raise ValidationError({"stage": "Stages only move forward."})
        if current is not None and not _side_may_move(current.owner, acting_membership):
            raise PermissionDenied(
                f"“{current.name}” is owned by the {current.get_owner_display().lower()}: "
                "only they can move the deal on."
            )
        deal.stage = stage
        deal.stage_entered_at = timezone.now()
        deal.save(update_fields=["stage", "stage_entered_at", "updated_at"])
        _record(
            deal,
            kind=TransitionKind.STAGE,
            from_value=current.name if current else "",
            to_value=stage.name,
            actor=user,
            reason=note,
        )
        _handoff_notify(deal, previous=current, actor=user)
    return deal


def _handoff_notify(deal: Deal, *, previous: MotionStage | None, actor) -> None:
    stage = deal.stage
    if previous is not None and previous.owner == stage.owner:
        return
    title = f"{deal.reference} handed to you: {stage.name}"
    if stage.owner in (StageOwner.PARTNER, StageOwner.BOTH):
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.handoff",
            title=title,
            body=f"{deal.customer_name} is now at “{stage.name}”.",
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:stage:{stage.pk}",
            actor=actor,
        )
    if stage.owner in (StageOwner.VENDOR, StageOwner.BOTH):
        notify(
            recipients=_deal_staff(deal),
            kind="deal.handoff",
            title=title,
            body=f"{deal.customer_name} is now at “{stage.name}”.",
            url=_console_url(deal),
            dedupe_key=f"deal:{deal.pk}:stage:{stage.pk}",
            actor=actor,
        )


def _record_stage_move(deal: Deal, previous: MotionStage | None, *, actor: User) -> None:
    """The timeline line of a stage change a status change made (closing, reopening)."""
    if deal.stage is not None and deal.stage != previous:
        _record(
            deal,
            kind=TransitionKind.STAGE,
            from_value=previous.name if previous else "",
            to_value=deal.stage.name,
            actor=actor,
        )


def deal_close(
    *,
    deal: Deal,
    acting_membership: Membership,
    won: bool,
    closed_on: date,
    final_amount: Decimal | None,
) -> Deal:
    """Record the outcome of an approved deal: won (with its final amount) or lost."""
    user = acting_membership.user
    errors = {}
    if closed_on is None:
        errors["closed_on"] = "Enter the close date."
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "The close date cannot be in the future."
    if won and (final_amount is None or final_amount < 0):
        errors["final_amount"] = "Enter the final amount of the won deal."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deal = _locked(deal)
        # Partners record the outcome of stages they own; the vendor may always.
        if (
            deal.stage is not None
            and not acting_membership.is_staff_role
            and not _side_may_move(deal.stage.owner, acting_membership)
        ):
            raise PermissionDenied("The vendor owns this stage: it records the outcome.")
        before = _transition(deal, "win" if won else "lose")
        closing = (
            MotionStage.objects.filter(motion=deal.motion)
            .filter(is_won=won, is_lost=not won)
            .order_by("position")
            .first()
        )
        previous_stage = deal.stage
        if closing is not None:
            deal.stage = closing
            deal.stage_entered_at = timezone.now()
        deal.closed_on = closed_on
        deal.final_amount = final_amount if won else (final_amount or Decimal("0"))
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=f"Closed on {closed_on}"
            + (f", final amount {format_money(final_amount)}" if won else ""),
        )
        _record_stage_move(deal, previous_stage, actor=user)
        other_side = _deal_staff(deal) if not acting_membership.is_staff_role else None
        notify(
            recipients=other_side or _partner_users(deal.organization_id),
            kind=f"deal.{deal.status}",
            title=f"{deal.reference} {deal.get_status_display().lower()}: {deal.customer_name}",
            url=_console_url(deal) if other_side else _portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:{deal.status}",
            actor=user,
        )
    return deal


def deal_may_reopen(*, deal: Deal, acting_membership: Membership) -> bool:
    """The vendor reopens a closed deal (a booking cancelled, a loss reversed)."""
    return acting_membership.is_staff_role and deal.status in (DealStatus.WON, DealStatus.LOST)


def deal_reopen(*, deal: Deal, acting_membership: Membership, reason: str) -> Deal:
    """Put a won or lost deal back to approved, open again at its last open stage.

    What a won deal earned is reversed by the incentives app (inside its clawback window)
    from the status event this records.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the deal is reopened: the partner sees it."})
    if not acting_membership.is_staff_role:
        raise PermissionDenied("Only the vendor reopens a closed deal.")
    user = acting_membership.user
    with transaction.atomic():
        deal = _locked(deal)
        if not deal_may_reopen(deal=deal, acting_membership=acting_membership):
            raise ValidationError("Only a won or lost deal can be reopened.")
        before = _transition(deal, "reopen")
        previous_stage = deal.stage
        open_stage = (
            MotionStage.objects.filter(motion=deal.motion, is_won=False, is_lost=False)
            .order_by("-position")
            .first()
        )
        if open_stage is not None and open_stage != previous_stage:
            deal.stage = open_stage
            deal.stage_entered_at = timezone.now()
        deal.closed_on = None
        deal.final_amount = None
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=reason,
        )
        _record_stage_move(deal, previous_stage, actor=user)
        reopened = deal.transitions.filter(
            kind=TransitionKind.STATUS, from_value__in=[DealStatus.WON, DealStatus.LOST]
        ).count()
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.reopened",
            title=f"{deal.reference} reopened: {deal.customer_name}",
            body=reason,
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:reopened:{reopened}",
            actor=user,
        )
    return deal


def deal_sales_rep_assign(*, deal: Deal, acting_membership: Membership, rep: User | None) -> Deal:
    user = acting_membership.user
    if rep is not None and not staff_users().filter(pk=rep.pk).exists():
        raise ValidationError({"rep": "The sales rep must be a member of the vendor's staff."})
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status not in OPEN_STATUSES:
            raise ValidationError("A closed deal takes no sales rep.")
        before = deal.vendor_sales_rep
        if before == rep:
            return deal  # a repeated submit: nothing changes, nobody is told again
        deal.vendor_sales_rep = rep
        deal.save(update_fields=["vendor_sales_rep", "updated_at"])
        _record(
            deal,
            kind=TransitionKind.SALES_REP,
            from_value=before.display_name if before else "",
            to_value=rep.display_name if rep else "",
            actor=user,
        )
        if rep is not None:
            notify(
                recipients=[rep],
                kind="deal.sales_rep",
                title=f"You are the sales rep of {deal.reference}: {deal.customer_name}",
                url=_console_url(deal),
                # Per assignment, so a rep assigned again later is told again.
                dedupe_key=f"deal:{deal.pk}:rep:{rep.pk}:{timezone.now().isoformat()}",
                actor=user,
            )
    return deal


def deal_partners_set(
    *, deal: Deal, acting_membership: Membership, participants: list[tuple]
) -> list[DealPartner]:
    """Set the partners of a multi-partner deal: (organization, role, split) each.

    The registering partner always takes part, no partner twice, splits total 100.
    """
    user = acting_membership.user
    errors = []
    orgs = [org.pk for org, _role, _split in participants]
    if deal.organization_id not in orgs:
        errors.append(f"{deal.organization.name} registered the deal and must stay on it.")
    if len(set(orgs)) != len(orgs):
        errors.append("Each partner can appear only once.")
    total = sum((Decimal(str(split)) for _o, _r, split in participants), Decimal("0"))
    if any(Decimal(str(split)) <= 0 for _o, _r, split in participants):
        errors.append("Every split must be more than 0%.")
    if total != Decimal("100"):
        errors.append(f"Splits must total 100% (they total {total.normalize()}%).")
    if errors:
        raise ValidationError({"participants": errors})
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status != DealStatus.APPROVED:
            raise ValidationError("Partners can be added to an approved deal only.")
        before = ", ".join(
            f"{p.organization.name} {p.split_percent}%"
            for p in DealPartner.objects.filter(deal=deal).select_related("organization")
        )
        DealPartner.objects.filter(deal=deal).exclude(organization_id__in=orgs).delete()
        rows = []
        for org, role, split in participants:
            row, _ = DealPartner.objects.update_or_create(
                deal=deal,
                organization=org,
                defaults={"role": role, "split_percent": Decimal(str(split))},
            )
            rows.append(row)
        _record(
            deal,
            kind=TransitionKind.PARTNERS,
            from_value=before[:200],
            to_value=", ".join(f"{o.name} {s}%" for o, _r, s in participants)[:200],
            actor=user,
        )
    return rows


def deal_comment_add(
    *, deal: Deal, acting_membership: Membership, body: str, is_internal: bool = False
) -> DealComment:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    if is_internal and not acting_membership.is_staff_role:
        # Partners cannot write vendor-internal notes (nor read them).
        raise PermissionDenied("Only the vendor's staff write internal notes.")
    comment = DealComment.objects.create(
        deal=deal, author=acting_membership.user, body=body, is_internal=is_internal
    )
    if acting_membership.is_staff_role:
        if not is_internal:
            notify(
                recipients=_partner_users(deal.organization_id),
                kind="deal.comment",
                title=f"New comment on {deal.reference}",
                body=body[:300],
                url=_portal_url(deal),
                dedupe_key=f"comment:{comment.pk}",
                actor=acting_membership.user,
            )
    else:
        notify(
            recipients=_deal_staff(deal),
            kind="deal.comment",
            title=f"{deal.organization.name} commented on {deal.reference}",
            body=body[:300],
            url=_console_url(deal),
            dedupe_key=f"comment:{comment.pk}",
            actor=acting_membership.user,
        )
    return comment
