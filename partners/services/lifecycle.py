"""The partner lifecycle: stage transitions, tier changes, profile updates, onboarding."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from prm.core.text import web_domain
from prm.notifications.services import notify
from prm.tenancy.choices import PartnerRole
from prm.tenancy.models import Membership, acting_user

from ..choices import (
    LifecycleStage,
    OnboardingEvent,
)
from ..models import (
    TRANSITION_TO,
    AgreementAcceptance,
    LifecycleTransition,
    OnboardingItem,
    OnboardingPlan,
    PartnerOrganization,
    Tier,
    TierChange,
)
from .program import agreement_current


def onboarding_event_record(*, organization: PartnerOrganization, event: str) -> None:
    """Complete the onboarding tasks that `event` completes (e.g. "first_deal_registered",
    "first_certification_earned"); does nothing when none is open. Idempotent.

    When the plan's required tasks are then all done, onboarding → active.
    """
    if event not in OnboardingEvent.values:
        raise ValueError(f"Unknown onboarding event {event!r}.")
    with transaction.atomic():
        organization = PartnerOrganization.objects.select_for_update().get(pk=organization.pk)
        if organization.lifecycle_stage == LifecycleStage.ONBOARDING:
            onboarding_items_ensure(organization=organization)
        now = timezone.now()
        completed = OnboardingItem.objects.filter(
            organization=organization, completed_at__isnull=True, task__completion_event=event
        ).update(completed_at=now)
        if completed or organization.lifecycle_stage == LifecycleStage.ONBOARDING:
            _onboarding_maybe_finish(organization=organization)


def _stage_label(stage: str) -> str:
    return LifecycleStage(stage).label if stage in LifecycleStage.values else stage


def partner_transition(
    *,
    organization: PartnerOrganization,
    target: str,
    acting_membership: Membership | None = None,
    reason: str = "",
) -> LifecycleTransition:
    """Move a partner to `target` along the state machine and record who, when and why.

    A move the state machine does not allow raises ValidationError and changes nothing.
    Offboarding deactivates the partner's users (data kept); reinstating reactivates them.
    """
    user = acting_user(acting_membership)
    source = organization.lifecycle_stage
    if target == LifecycleStage.OFFBOARDED and not reason.strip():
        raise ValidationError({"reason": "Say why this partner leaves the program."})
    if target == LifecycleStage.ACTIVE:
        method_name = {
            LifecycleStage.ONBOARDING: "activate",
            LifecycleStage.OFFBOARDED: "reinstate",
        }.get(source, "reactivate")
    else:
        method_name = TRANSITION_TO.get(target)
    method = getattr(organization, method_name, None) if method_name else None
    if method is None or not can_proceed(method):
        raise ValidationError(
            {
                "lifecycle_stage": (
                    f"A partner cannot move from {_stage_label(source)} to {_stage_label(target)}."
                )
            }
        )
    with transaction.atomic():
        method()
        organization.stage_changed_at = timezone.now()
        organization.save(update_fields=["lifecycle_stage", "stage_changed_at"])
        # Told before offboarding takes their access away, or after reinstating gives it back.
        admins = partner_admin_users(organization=organization)
        record = LifecycleTransition.objects.create(
            organization=organization,
            from_stage=source,
            to_stage=target,
            changed_by=user,
            reason=reason,
        )
        if target == LifecycleStage.OFFBOARDED:
            active = Membership.objects.filter(partner_organization=organization, is_active=True)
            record.deactivated_memberships = [str(pk) for pk in active.values_list("pk", flat=True)]
            record.save(update_fields=["deactivated_memberships"])
            active.update(is_active=False)
        elif source == LifecycleStage.OFFBOARDED:
            offboarding = (
                LifecycleTransition.objects.filter(
                    organization=organization, to_stage=LifecycleStage.OFFBOARDED
                )
                .order_by("-created_at", "-pk")
                .first()
            )
            if offboarding is not None:
                Membership.objects.filter(
                    partner_organization=organization,
                    pk__in=offboarding.deactivated_memberships,
                ).update(is_active=True)
            admins = partner_admin_users(organization=organization)
        if target == LifecycleStage.ONBOARDING:
            onboarding_items_ensure(organization=organization)
        if target in (LifecycleStage.ACTIVE, LifecycleStage.OFFBOARDED) or source == (
            LifecycleStage.OFFBOARDED
        ):
            notify(
                recipients=admins,
                kind="partner.stage_changed",
                title=f"{organization.name} is now {LifecycleStage(target).label.lower()}",
                body=reason,
                url=reverse("partners:portal_profile"),
                dedupe_key=f"partner:{organization.pk}:stage:{record.pk}",
                actor=user,
            )
    return record


def partner_admin_users(*, organization: PartnerOrganization) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            partner_organization=organization,
            partner_role=PartnerRole.PARTNER_ADMIN,
            is_active=True,
        ).select_related("user")
    ]


def partner_tier_change(
    *,
    organization: PartnerOrganization,
    tier: Tier | None,
    acting_membership: Membership | None,
    reason: str,
) -> TierChange:
    """Change a partner's tier by hand, with a reason; recorded and told to its admins."""
    user = acting_user(acting_membership)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the tier changes."})
    if tier is not None and tier.pk == organization.tier_id:
        raise ValidationError({"tier": f"{organization.name} is already {tier.name}."})
    with transaction.atomic():
        previous = organization.tier
        organization.tier = tier
        organization.save(update_fields=["tier"])
        change = TierChange.objects.create(
            organization=organization,
            from_tier=previous,
            to_tier=tier,
            changed_by=user,
            reason=reason.strip(),
        )
        notify(
            recipients=partner_admin_users(organization=organization),
            kind="partner.tier_changed",
            title=f"{organization.name}'s tier is now {tier.name if tier else 'none'}",
            body=reason.strip(),
            url=reverse("partners:portal_tier"),
            dedupe_key=f"partner:{organization.pk}:tier:{change.pk}",
            actor=user,
        )
    return change


def partner_profile_update(
    *, organization: PartnerOrganization, acting_membership: Membership, data: dict
) -> PartnerOrganization:
    """The partner admin (or staff) edits the organization's profile."""
    if not (acting_membership.is_staff_role or acting_membership.is_partner_admin):
        raise PermissionDenied("Only a partner admin can edit the organization's profile.")
    allowed = {"name", "website", "country", "description", "phone", "address", "logo"}
    allowed |= {"listed_in_locator"}
    if acting_membership.is_staff_role:
        allowed |= {"partner_type", "channel_manager"}
    with transaction.atomic():
        for field, value in data.items():
            if field in allowed:
                setattr(organization, field, value)
        if "website" in data:
            organization.domain = web_domain(organization.website)
        organization.save()
        if organization.profile_is_complete:
            onboarding_event_record(
                organization=organization, event=OnboardingEvent.PROFILE_COMPLETED
            )
    return organization


def onboarding_items_ensure(*, organization: PartnerOrganization) -> int:
    """Give the partner an item for every task of its type's plan (new tasks too)."""
    plan = OnboardingPlan.objects.filter(partner_type_id=organization.partner_type_id).first()
    if plan is None:
        return 0
    have = set(
        OnboardingItem.objects.filter(organization=organization).values_list("task_id", flat=True)
    )
    missing = [
        OnboardingItem(organization=organization, task=task, tenant_id=organization.tenant_id)
        for task in plan.tasks.all()
        if task.pk not in have
    ]
    OnboardingItem.objects.bulk_create(missing, ignore_conflicts=True)
    # Events that already happened count (an agreement accepted before the plan existed).
    if missing:
        current = agreement_current(partner_type_id=organization.partner_type_id)
        done_events = []
        if (
            current
            and AgreementAcceptance.objects.filter(
                agreement=current, organization=organization, expires_at__gt=timezone.now()
            ).exists()
        ):
            done_events.append(OnboardingEvent.AGREEMENT_ACCEPTED)
        if organization.profile_is_complete:
            done_events.append(OnboardingEvent.PROFILE_COMPLETED)
        if done_events:
            OnboardingItem.objects.filter(
                organization=organization,
                completed_at__isnull=True,
                task__completion_event__in=done_events,
            ).update(completed_at=timezone.now())
    return len(missing)


def onboarding_item_complete(
    *, item: OnboardingItem, acting_membership: Membership
) -> OnboardingItem:
    """Tick off a manual task (partner admin of the organization, or staff)."""
    if item.task.completion_event:
        raise ValidationError(
            f"“{item.task.title}” completes itself when: "
            f"{item.task.get_completion_event_display().lower()}."
        )
    if not (
        acting_membership.is_staff_role
        or (
            acting_membership.is_partner_admin
            and acting_membership.partner_organization_id == item.organization_id
        )
    ):
        raise PermissionDenied("Only a partner admin or the channel manager can tick this off.")
    if item.is_done:
        return item
    with transaction.atomic():
        item.completed_at = timezone.now()
        item.completed_by = acting_membership.user
        item.save(update_fields=["completed_at", "completed_by"])
        organization = PartnerOrganization.objects.select_for_update().get(pk=item.organization_id)
        _onboarding_maybe_finish(organization=organization)
    return item


def _onboarding_maybe_finish(*, organization: PartnerOrganization) -> bool:
    """Onboarding → active once every required task of the plan is done."""
    if organization.lifecycle_stage != LifecycleStage.ONBOARDING:
        return False
    items = OnboardingItem.objects.filter(organization=organization, task__is_required=True)
    if not items.exists() or items.filter(completed_at__isnull=True).exists():
        return False
    partner_transition(
        organization=organization,
        target=LifecycleStage.ACTIVE,
        acting_membership=None,
        reason="Onboarding complete: every required task is done.",
    )
    return True
