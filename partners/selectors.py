"""Reads of the partner program that span models: metrics, tier gaps, cadences, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet

from . import providers
from .choices import LifecycleStage
from .models import (
    Agreement,
    EngagementCadence,
    OnboardingItem,
    PartnerOrganization,
    Tier,
    TierBenefit,
    Touchpoint,
)


def partner_metrics(*, organization: PartnerOrganization) -> dict[str, Decimal | int]:
    """The trailing-12-month figures tier requirements are measured against.

    The apps above provide them through `partners.providers.metric_providers` (deals:
    won revenue, won deals, approved registrations; enablement: certified people).
    """
    metrics: dict[str, Decimal | int] = {
        "min_won_revenue": Decimal("0"),
        "min_won_deals": 0,
        "min_approved_registrations": 0,
        "min_certified_people": 0,
    }
    for provider in providers.metric_providers:
        metrics.update(provider(organization))
    return metrics


@dataclass
class RequirementGap:
    label: str
    required: Decimal | int
    current: Decimal | int

    @property
    def missing(self):
        return max(self.required - self.current, 0)

    @property
    def met(self) -> bool:
        return self.current >= self.required

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(self.current * 100 / self.required))


def next_tier_gap(*, organization: PartnerOrganization) -> tuple[Tier | None, list[RequirementGap]]:
    """The next tier up and, per requirement, what the partner has and still needs."""
    current_rank = organization.tier.rank if organization.tier_id else 0
    next_tier = Tier.objects.filter(rank__gt=current_rank).order_by("rank").first()
    if next_tier is None:
        return None, []
    metrics = partner_metrics(organization=organization)
    gaps = [
        RequirementGap(
            label=str(Tier._meta.get_field(field).verbose_name).capitalize(),
            required=getattr(next_tier, field),
            current=metrics[field],
        )
        for field in Tier.REQUIREMENT_FIELDS
        if getattr(next_tier, field)
    ]
    return next_tier, gaps


def tier_benefits(*, tier: Tier | None) -> list[TierBenefit]:
    if tier is None:
        return []
    return list(TierBenefit.objects.filter(tier=tier).select_related("benefit"))


def tier_matrix() -> tuple[list[Tier], list[dict]]:
    """Tiers as columns, benefits as rows: [{"benefit": b, "values": [display per tier]}]."""
    from .models import Benefit
    from .services import benefit_display

    tiers = list(Tier.objects.order_by("rank"))
    values = {
        (tb.tier_id, tb.benefit_id): tb.value
        for tb in TierBenefit.objects.all().only("tier_id", "benefit_id", "value")
    }
    rows = []
    for benefit in Benefit.objects.all():
        rows.append(
            {
                "benefit": benefit,
                "values": [
                    benefit_display(kind=benefit.kind, raw=values[(t.pk, benefit.pk)])
                    if (t.pk, benefit.pk) in values
                    else "—"
                    for t in tiers
                ],
                "raw": [values.get((t.pk, benefit.pk), "") for t in tiers],
            }
        )
    return tiers, rows


def onboarding_progress(*, organization: PartnerOrganization) -> dict:
    items = list(OnboardingItem.objects.filter(organization=organization).select_related("task"))
    done = sum(1 for i in items if i.is_done)
    return {
        "items": items,
        "done": done,
        "total": len(items),
        "percent": round(done * 100 / len(items)) if items else 0,
    }


def cadence_due(*, today: date) -> list:
    """(organization, cadence, due date) for partners whose tier cadence says a touchpoint
    of that kind is due (never had one, or the last is `interval_days` old)."""
    cadences = list(EngagementCadence.objects.select_related("tier"))
    if not cadences:
        return []
    results = []
    live = (LifecycleStage.ONBOARDING, LifecycleStage.ACTIVE, LifecycleStage.AT_RISK)
    for cadence in cadences:
        organizations = (
            PartnerOrganization.objects.filter(
                tier_id=cadence.tier_id, lifecycle_stage__in=live, channel_manager__isnull=False
            )
            .select_related("channel_manager", "tier")
            .annotate(
                last_touch=Max("touchpoints__occurred_on", filter=Q(touchpoints__kind=cadence.kind))
            )
        )
        for organization in organizations:
            start = organization.last_touch or organization.created_at.date()
            due_on = start + timedelta(days=cadence.interval_days)
            if due_on <= today:
                results.append((organization, cadence, due_on))
    return results


def partner_next_touchpoint_due(*, organization: PartnerOrganization) -> list[tuple]:
    """Per cadence of the partner's tier: (cadence, last touchpoint date, due date)."""
    if organization.tier_id is None:
        return []
    rows = []
    for cadence in EngagementCadence.objects.filter(tier_id=organization.tier_id):
        last = (
            Touchpoint.objects.filter(organization=organization, kind=cadence.kind)
            .order_by("-occurred_on")
            .values_list("occurred_on", flat=True)
            .first()
        )
        start = last or organization.created_at.date()
        rows.append((cadence, last, start + timedelta(days=cadence.interval_days)))
    return rows


def stage_counts() -> dict[str, int]:
    counts = dict(
        PartnerOrganization.objects.values_list("lifecycle_stage")
        .annotate(n=Count("id"))
        .values_list("lifecycle_stage", "n")
    )
    return {stage: counts.get(stage, 0) for stage in LifecycleStage.values}


def stage_tiles() -> list[tuple[str, str, int]]:
    """(stage, label, number of partners) for every lifecycle stage, in order."""
    counts = stage_counts()
    return [(stage.value, stage.label, counts[stage.value]) for stage in LifecycleStage]


def organizations_with_gate(*, queryset: QuerySet[PartnerOrganization]) -> QuerySet:
    """Annotate `gate_open` (the agreement gate of partner_can_transact) in one query."""
    from django.db.models import BooleanField, Case, Exists, OuterRef, Subquery, Value, When
    from django.utils import timezone

    from .choices import TRANSACTING_STAGES
    from .models import Agreement, AgreementAcceptance

    current = (
        Agreement.objects.filter(partner_type=OuterRef("partner_type"), published_at__isnull=False)
        .order_by("-version")
        .values("pk")[:1]
    )
    return queryset.annotate(_current_agreement=Subquery(current)).annotate(
        _accepted=Exists(
            AgreementAcceptance.objects.filter(
                organization=OuterRef("pk"),
                agreement=OuterRef("_current_agreement"),
                expires_at__gt=timezone.now(),
            )
        ),
        gate_open=Case(
            When(
                Q(is_active=True, lifecycle_stage__in=list(TRANSACTING_STAGES))
                & (Q(_current_agreement__isnull=True) | Q(_accepted=True)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def agreements_with_current(*, queryset: QuerySet[Agreement]) -> QuerySet:
    """Annotate `current_version`: the highest published version of each row's type."""
    from django.db.models import OuterRef, Subquery

    from .models import Agreement

    latest = (
        Agreement.objects.filter(partner_type=OuterRef("partner_type"), published_at__isnull=False)
        .order_by("-version")
        .values("version")[:1]
    )
    return queryset.annotate(current_version=Subquery(latest))


def partner_vendor_contacts(*, organization: PartnerOrganization) -> list:
    """Who at the vendor hears about this partner: its channel manager, else the admins.

    A partner without a channel manager must not make its notices vanish.
    """
    from prm.tenancy.choices import Role
    from prm.tenancy.selectors import staff_users

    if organization.channel_manager_id:
        return [organization.channel_manager]
    return list(staff_users(roles=[Role.ADMIN]))
