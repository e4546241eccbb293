"""Program settings, partner types, tiers, benefits and the current agreement of a type."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from prm.tenancy.models import Membership

from ..benefits import benefit_parse_value
from ..models import (
    Agreement,
    Benefit,
    EngagementCadence,
    OnboardingItem,
    OnboardingPlan,
    OnboardingTask,
    ProgramSettings,
    Tier,
    TierBenefit,
)


def add_months(*, moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months (the day clamped to the month's end)."""
    import calendar

    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def program_settings() -> ProgramSettings:
    """The current tenant's program settings (created with defaults on first use)."""
    current = ProgramSettings.objects.first()
    if current is None:
        try:
            with transaction.atomic():
                current = ProgramSettings.objects.create()
        except IntegrityError:
            current = ProgramSettings.objects.get()
    return current


def tier_validate(*, tier: Tier) -> None:
    """Ranks unique; requirements not lower than the tier below, nor higher than the one above.

    Raises ValidationError with a message per offending field.
    """
    others = Tier.objects.exclude(pk=tier.pk)
    if others.filter(rank=tier.rank).exists():
        raise ValidationError({"rank": f"Another tier already has rank {tier.rank}."})
    if others.filter(name__iexact=tier.name).exists():
        raise ValidationError({"name": f"A tier named {tier.name} already exists."})
    below = others.filter(rank__lt=tier.rank).order_by("-rank").first()
    above = others.filter(rank__gt=tier.rank).order_by("rank").first()
    errors: dict[str, str] = {}
    for field in Tier.REQUIREMENT_FIELDS:
        label = Tier._meta.get_field(field).verbose_name
        value = getattr(tier, field)
        if below is not None and value < getattr(below, field):
            errors[field] = (
                f"The {label} requirement ({value}) is lower than {below.name}'s "
                f"({getattr(below, field)}), the tier below."
            )
        elif above is not None and value > getattr(above, field):
            errors[field] = (
                f"The {label} requirement ({value}) is higher than {above.name}'s "
                f"({getattr(above, field)}), the tier above."
            )
    if errors:
        raise ValidationError(errors)


def tier_save(*, tier: Tier) -> Tier:
    """Create or update a tier after checking its rank and requirements."""
    with transaction.atomic():
        tier_validate(tier=tier)
        tier.full_clean(exclude=["tenant"], validate_constraints=False)
        tier.save()
    return tier


def tier_benefit_set(*, tier: Tier, benefit: Benefit, value: str) -> TierBenefit | None:
    """Set (or clear with an empty value) what a tier gets of a benefit."""
    value = (value or "").strip()
    with transaction.atomic():
        if not value:
            TierBenefit.objects.filter(tier=tier, benefit=benefit).delete()
            return None
        try:
            benefit_parse_value(kind=benefit.kind, raw=value)
        except ValueError as exc:
            raise ValidationError({"value": f"{benefit.name} at {tier.name}: {exc}"}) from None
        row, _ = TierBenefit.objects.update_or_create(
            tier=tier, benefit=benefit, defaults={"value": value}
        )
    return row


def agreement_current(*, partner_type_id: UUID | None) -> Agreement | None:
    """The published agreement with the highest version for this partner type."""
    if partner_type_id is None:
        return None
    return (
        Agreement.objects.filter(partner_type_id=partner_type_id, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


# Onboarding plans, their tasks and engagement cadences (admins). The console's forms
# and the API both save through these, so the same rules hold wherever a change comes
# from; pghistory records who changed what.


def onboarding_plan_save(*, plan: OnboardingPlan, acting_membership: Membership) -> OnboardingPlan:
    """Create or rename a partner type's onboarding plan (one plan per partner type)."""
    plan.name = (plan.name or "").strip()
    plan.full_clean(exclude=["tenant"])
    clash = OnboardingPlan.objects.filter(partner_type_id=plan.partner_type_id).exclude(pk=plan.pk)
    if clash.exists():
        raise ValidationError(
            {"partner_type": f"{plan.partner_type} already has an onboarding plan."}
        )
    with transaction.atomic():
        plan.save()
    return plan


def _onboarding_progress_guard(items, what: str) -> None:
    """Partners' progress on a task is their onboarding record: refuse to delete it
    (409 in the API, through the shared ProtectedError handler)."""
    started = list(items.select_related("organization", "task")[:50])
    if started:
        raise ProtectedError(
            f"Partners are already onboarding with this {what}; its tasks keep their progress.",
            set(started),
        )


def onboarding_plan_delete(*, plan: OnboardingPlan, acting_membership: Membership) -> None:
    """Delete a plan and its tasks, unless partners are already working through it."""
    with transaction.atomic():
        _onboarding_progress_guard(OnboardingItem.objects.filter(task__plan=plan), "plan")
        plan.delete()


def onboarding_task_save(*, task: OnboardingTask, acting_membership: Membership) -> OnboardingTask:
    """Add or change a step of a plan; each position is used once per plan."""
    task.title = (task.title or "").strip()
    task.full_clean(exclude=["tenant"])
    clash = OnboardingTask.objects.filter(plan_id=task.plan_id, position=task.position).exclude(
        pk=task.pk
    )
    if clash.exists():
        raise ValidationError({"position": "Another task of this plan has that position."})
    with transaction.atomic():
        task.save()
    return task


def onboarding_task_delete(*, task: OnboardingTask, acting_membership: Membership) -> None:
    """Delete a step, unless partners already have it on their checklist."""
    with transaction.atomic():
        _onboarding_progress_guard(OnboardingItem.objects.filter(task=task), "task")
        task.delete()


def cadence_save(*, cadence: EngagementCadence, acting_membership: Membership) -> EngagementCadence:
    """Set how often a tier's partners get a kind of touchpoint (one cadence per kind)."""
    cadence.full_clean(exclude=["tenant"])
    clash = EngagementCadence.objects.filter(tier_id=cadence.tier_id, kind=cadence.kind).exclude(
        pk=cadence.pk
    )
    if clash.exists():
        raise ValidationError(
            {"kind": f"{cadence.tier} already has a cadence for this kind of touchpoint."}
        )
    with transaction.atomic():
        cadence.save()
    return cadence


def cadence_delete(*, cadence: EngagementCadence, acting_membership: Membership) -> None:
    with transaction.atomic():
        cadence.delete()
