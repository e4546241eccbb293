"""Periodic partner jobs (called by partners.tasks; idempotent)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from prm.notifications.services import notify

from ..choices import (
    LifecycleStage,
)
from ..models import (
    AgreementAcceptance,
    LifecycleTransition,
    OnboardingItem,
    PartnerOrganization,
)
from ..selectors import partner_vendor_contacts
from .lifecycle import partner_admin_users, partner_transition
from .program import agreement_current, program_settings


def partners_mark_inactivity(*, now: datetime | None = None) -> dict[str, int]:
    """Active partners quiet for `at_risk_after_days` → at risk; quieter still → inactive.

    The channel manager is told once per partner and move (the dedupe key names the
    transition record, and a second run finds nobody left to move).
    """
    now = now or timezone.now()
    cfg = program_settings()
    counts = {"at_risk": 0, "inactive": 0}

    def quiet_since(days):
        cutoff = now - timedelta(days=days)
        return Q(last_activity_at__lt=cutoff) | Q(
            last_activity_at__isnull=True, created_at__lt=cutoff
        )

    for organization in PartnerOrganization.objects.filter(
        quiet_since(cfg.inactive_after_days),
        lifecycle_stage__in=(LifecycleStage.ACTIVE, LifecycleStage.AT_RISK),
    ).select_related("channel_manager"):
        record = partner_transition(
            organization=organization,
            target=LifecycleStage.INACTIVE,
            reason=f"No activity for {cfg.inactive_after_days} days.",
        )
        counts["inactive"] += 1
        _tell_cm(organization, record, "inactive")
    for organization in PartnerOrganization.objects.filter(
        quiet_since(cfg.at_risk_after_days), lifecycle_stage=LifecycleStage.ACTIVE
    ).select_related("channel_manager"):
        record = partner_transition(
            organization=organization,
            target=LifecycleStage.AT_RISK,
            reason=f"No activity for {cfg.at_risk_after_days} days.",
        )
        counts["at_risk"] += 1
        _tell_cm(organization, record, "at risk")
    return counts


def _tell_cm(organization: PartnerOrganization, record: LifecycleTransition, what: str) -> None:
    notify(
        recipients=partner_vendor_contacts(organization=organization),
        kind="partner.at_risk" if what == "at risk" else "partner.inactive",
        title=f"{organization.name} is now {what}",
        body=record.reason,
        url=reverse("partners:partner_detail", args=[organization.pk]),
        dedupe_key=f"partner:{organization.pk}:stage:{record.pk}",
    )


def partners_remind_stalled_onboarding(*, now: datetime | None = None) -> int:
    """Remind the partner admins and channel manager of onboarding that has not moved."""
    now = now or timezone.now()
    cfg = program_settings()
    cutoff = now - timedelta(days=cfg.onboarding_stall_days)
    sent = 0
    stalled = PartnerOrganization.objects.filter(
        lifecycle_stage=LifecycleStage.ONBOARDING, stage_changed_at__lt=cutoff
    ).select_related("channel_manager")
    for organization in stalled:
        last_done = (
            OnboardingItem.objects.filter(organization=organization, completed_at__isnull=False)
            .order_by("-completed_at")
            .values_list("completed_at", flat=True)
            .first()
        )
        if last_done and last_done >= cutoff:
            continue
        # One reminder per stall period: the key names the period since onboarding began.
        period = int((now - organization.stage_changed_at).days // cfg.onboarding_stall_days)
        title = (
            f"Onboarding of {organization.name} has not moved for {cfg.onboarding_stall_days} days"
        )
        dedupe_key = f"partner:{organization.pk}:onboarding-stalled:{period}"
        # Each side gets the page it can open: the checklist, or the partner's console page.
        sent += notify(
            recipients=partner_admin_users(organization=organization),
            kind="partner.onboarding_stalled",
            title=title,
            body="Open the onboarding checklist to see what is left.",
            url=reverse("partners:portal_onboarding"),
            dedupe_key=dedupe_key,
        )
        sent += notify(
            recipients=partner_vendor_contacts(organization=organization),
            kind="partner.onboarding_stalled",
            title=title,
            body="The partner's page shows its onboarding progress.",
            url=reverse("partners:partner_detail", args=[organization.pk]),
            dedupe_key=dedupe_key,
        )
    return sent


def partners_remind_agreement_expiry(*, now: datetime | None = None) -> int:
    """Tell partner admins their acceptance of the current agreement expires soon."""
    now = now or timezone.now()
    cfg = program_settings()
    soon = now + timedelta(days=cfg.agreement_expiry_warning_days)
    sent = 0
    expiring = AgreementAcceptance.objects.filter(
        expires_at__gt=now, expires_at__lte=soon
    ).select_related("agreement", "organization")
    for acceptance in expiring:
        current = agreement_current(partner_type_id=acceptance.organization.partner_type_id)
        if current is None or current.pk != acceptance.agreement_id:
            continue
        sent += notify(
            recipients=partner_admin_users(organization=acceptance.organization),
            kind="partner.agreement_expiring",
            title=f"Your acceptance of {acceptance.agreement.title} expires on "
            f"{acceptance.expires_at:%Y-%m-%d}",
            body="Accept it again to keep registering deals and claiming funds.",
            url=reverse("partners:portal_agreement"),
            dedupe_key=f"acceptance:{acceptance.pk}:{acceptance.expires_at:%Y%m%d}:expiring",
        )
    return sent


def partners_remind_cadence_due(*, now: datetime | None = None) -> int:
    """Tell each channel manager when a partner's tier cadence says a touchpoint is due."""
    from ..selectors import cadence_due

    now = now or timezone.now()
    sent = 0
    for organization, cadence, due_on in cadence_due(today=timezone.localdate(now)):
        sent += notify(
            recipients=partner_vendor_contacts(organization=organization),
            kind="partner.cadence_due",
            title=f"{cadence.get_kind_display()} with {organization.name} is due",
            body=f"{organization.tier} partners get a {cadence.get_kind_display().lower()} "
            f"every {cadence.interval_days} days; due on {due_on:%Y-%m-%d}.",
            url=reverse("partners:partner_detail", args=[organization.pk]),
            dedupe_key=f"partner:{organization.pk}:cadence:{cadence.pk}:{due_on:%Y%m%d}",
        )
    return sent
