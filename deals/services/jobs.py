"""Periodic deal jobs (called by deals.tasks; idempotent): expiry, warnings, SLA reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from prm.notifications.services import notify
from prm.tenancy.context import require_current_tenant

from ..choices import (
    DealStatus,
    StageOwner,
    TransitionKind,
)
from ..models import (
    Deal,
)
from ._common import (
    _admins,
    _console_url,
    _deal_staff,
    _partner_users,
    _portal_url,
    _record,
    _transition,
)


def deals_expire_lapsed(*, today: date | None = None) -> int:
    """Expire approved deals whose protection ended before today. Idempotent."""
    today = today or timezone.localdate()
    count = 0
    ids = list(
        Deal.objects.filter(status=DealStatus.APPROVED, protection_expires_on__lt=today)
        .order_by("protection_expires_on")
        .values_list("pk", flat=True)[:5000]
    )
    for deal_id in ids:
        with transaction.atomic():
            deal = (
                Deal.objects.select_for_update(of=("self",))
                .select_related("organization")
                .get(pk=deal_id)
            )
            if deal.status != DealStatus.APPROVED or deal.protection_expires_on >= today:
                continue
            before = _transition(deal, "expire")
            deal.save(update_fields=["status", "updated_at"])
            _record(
                deal,
                kind=TransitionKind.STATUS,
                from_value=before,
                to_value=deal.status,
                actor=None,
                reason=f"Protection ended on {deal.protection_expires_on}.",
            )
            notify(
                recipients=_partner_users(deal.organization_id) + _deal_staff(deal),
                kind="deal.expired",
                title=f"{deal.reference} expired: {deal.customer_name}",
                body=f"Its protection ended on {deal.protection_expires_on:%d %b %Y}.",
                url=_portal_url(deal),
                dedupe_key=f"deal:{deal.pk}:expired",
            )
            count += 1
    return count


def deals_warn_expiring(*, today: date | None = None) -> int:
    """Warn partners 7 days and 1 day before protection ends (once per deal and date)."""
    today = today or timezone.localdate()
    sent = 0
    deals = Deal.objects.filter(
        status=DealStatus.APPROVED,
        protection_expires_on__gte=today,
        protection_expires_on__lte=today + timedelta(days=7),
    ).select_related("organization", "organization__channel_manager")
    for deal in deals.iterator(chunk_size=500):
        days_left = (deal.protection_expires_on - today).days
        window = 1 if days_left <= 1 else 7
        plural = "" if days_left == 1 else "s"
        # The expiry date is in the key: an extension re-arms the warnings.
        sent += notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.expiring",
            title=f"{deal.reference} protection ends in {days_left} day{plural}",
            body=(
                f"Protection of {deal.customer_name} ends on "
                f"{deal.protection_expires_on:%d %b %Y}. Close it or request an extension."
            ),
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:expiry-warning-{window}:{deal.protection_expires_on}",
        )
    return sent


def deals_escalate_review_sla(*, now: datetime | None = None) -> int:
    """Registrations waiting longer than the review SLA: the channel manager first,
    then (after twice the SLA) the admins. Each step notifies once per submission."""
    now = now or timezone.now()
    sla = timedelta(days=require_current_tenant().deal_review_sla_days)
    sent = 0
    late = Deal.objects.filter(
        status=DealStatus.SUBMITTED, submitted_at__lt=now - sla
    ).select_related("organization", "organization__channel_manager")
    admins = None
    for deal in late.iterator(chunk_size=500):
        stamp = deal.submitted_at.isoformat()
        waited = (now - deal.submitted_at).days
        if deal.organization.channel_manager_id:
            sent += notify(
                recipients=[deal.organization.channel_manager],
                kind="deal.review_overdue",
                title=f"{deal.reference} waits for review ({waited} days)",
                body=f"{deal.organization.name} registered {deal.customer_name}.",
                url=_console_url(deal),
                dedupe_key=f"deal:{deal.pk}:sla-cm:{stamp}",
            )
        if deal.submitted_at < now - 2 * sla or not deal.organization.channel_manager_id:
            admins = admins if admins is not None else _admins()
            sent += notify(
                recipients=admins,
                kind="deal.review_overdue",
                title=f"Escalation: {deal.reference} waits for review ({waited} days)",
                body=f"{deal.organization.name} registered {deal.customer_name}.",
                url=_console_url(deal),
                dedupe_key=f"deal:{deal.pk}:sla-admin:{stamp}",
            )
    return sent


def deals_remind_stage_sla(*, now: datetime | None = None) -> int:
    """Approved deals that stayed in a stage longer than its SLA: remind the party that
    owns the stage, once per deal and stage entry."""
    from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value

    now = now or timezone.now()
    due = ExpressionWrapper(
        F("stage_entered_at") + F("stage__sla_days") * Value(timedelta(days=1), DurationField()),
        output_field=DateTimeField(),
    )
    late = (
        Deal.objects.filter(status=DealStatus.APPROVED, stage__isnull=False, stage__sla_days__gt=0)
        .annotate(due=due)
        .filter(due__lt=now)
        .select_related("organization", "organization__channel_manager", "stage")
    )
    sent = 0
    for deal in late.iterator(chunk_size=500):
        stage = deal.stage
        key = f"deal:{deal.pk}:stage-sla:{stage.pk}:{deal.stage_entered_at.isoformat()}"
        title = f"{deal.reference} is past the {stage.sla_days}-day SLA of “{stage.name}”"
        if stage.owner in (StageOwner.PARTNER, StageOwner.BOTH):
            sent += notify(
                recipients=_partner_users(deal.organization_id),
                kind="deal.stage_overdue",
                title=title,
                url=_portal_url(deal),
                dedupe_key=key,
            )
        if stage.owner in (StageOwner.VENDOR, StageOwner.BOTH):
            sent += notify(
                recipients=_deal_staff(deal),
                kind="deal.stage_overdue",
                title=title,
                url=_console_url(deal),
                dedupe_key=key,
            )
    return sent
