"""A partner's scorecard: KPIs against the previous period, its tier's requirements and
its joint business plan goals. Goals tied to a metric take their actuals from the rollups
(over the plan's months); custom goals keep the actual someone typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.db.models import Sum

from partners import services as partner_services
from partners.choices import PlanMetric, PlanStatus
from partners.models import BusinessPlanGoal, PartnerOrganization, Tier
from partners.selectors import partner_metrics

from . import selectors
from .models import MonthlyMetrics
from .rollups import current_month, month_start

# Business plan metric → the rollup column summed over the plan's months.
GOAL_METRICS = {
    PlanMetric.WON_REVENUE: "won_revenue",
    PlanMetric.WON_DEALS: "won_count",
    PlanMetric.APPROVED_REGISTRATIONS: "registrations_approved",
}

KPI_ROWS = (
    ("won_revenue", "Won revenue", True),
    ("won_count", "Deals won", False),
    ("registrations_submitted", "Registrations submitted", False),
    ("registrations_approved", "Registrations approved", False),
    ("win_rate", "Win rate (%)", False),
    ("touchpoints", "Touchpoints", False),
)
# Rows of the apps that provide the figure, shown when that app is installed.
APP_KPI_ROWS = (
    ("enablement", "certified_people", "Certified people (latest month)", False),
    ("incentives", "earnings_posted", "Earnings posted", True),
    ("incentives", "mdf_approved", "MDF approved", True),
    ("incentives", "mdf_claimed", "MDF spent (claims approved)", True),
)


def kpi_rows() -> list[tuple[str, str, bool]]:
    extra = [
        (name, label, money) for app, name, label, money in APP_KPI_ROWS if apps.is_installed(app)
    ]
    return [*KPI_ROWS, *extra]


@dataclass
class KpiRow:
    label: str
    now: Decimal | int | None
    before: Decimal | int | None
    money: bool

    @property
    def trend(self):
        if self.now is None or self.before is None:
            return None
        return self.now - self.before


def goal_actual(goal: BusinessPlanGoal) -> Decimal | None:
    """The rollup actual of a metric-tied goal over its plan's months (None: typed by hand)."""
    column = GOAL_METRICS.get(goal.metric)
    if column is None:
        return None
    plan = goal.plan
    total = MonthlyMetrics.objects.filter(
        organization_id=plan.organization_id,
        month__gte=month_start(plan.starts_on),
        month__lte=month_start(plan.ends_on),
    ).aggregate(total=Sum(column))["total"]
    return Decimal(total or 0)


def goals_fill_actuals() -> int:
    """Write the rollup actuals into the active plans' metric-tied goals (nightly), through
    the partners' goal service. Returns how many changed."""
    changed = 0
    goals = BusinessPlanGoal.objects.filter(
        plan__status=PlanStatus.ACTIVE, metric__in=list(GOAL_METRICS)
    ).select_related("plan")
    with transaction.atomic():
        for goal in goals:
            actual = goal_actual(goal)
            if actual is not None and actual != goal.actual:
                goal.actual = actual
                partner_services.business_plan_goal_save(goal=goal)
                changed += 1
    return changed


def scorecard(*, organization: PartnerOrganization) -> dict:
    last = current_month()
    now = selectors.partners_trailing(organization_ids=[organization.pk], end=last).get(
        organization.pk
    )
    before = selectors.partners_trailing(
        organization_ids=[organization.pk], end=month_start(last, -12)
    ).get(organization.pk)
    kpis = [
        KpiRow(
            label,
            (now or {}).get(name),
            (before or {}).get(name) if before else None,
            money,
        )
        for name, label, money in kpi_rows()
    ]
    figures = partner_metrics(organization=organization)
    tiers = list(Tier.objects.order_by("rank"))
    current_rank = organization.tier.rank if organization.tier_id else 0
    next_tier = next((t for t in tiers if t.rank > current_rank), None)
    requirement_rows = []
    for tier in [t for t in (organization.tier, next_tier) if t is not None]:
        for field in Tier.REQUIREMENT_FIELDS:
            required = getattr(tier, field)
            requirement_rows.append(
                {
                    "tier": tier,
                    "label": str(Tier._meta.get_field(field).verbose_name).capitalize(),
                    "required": required,
                    "actual": figures[field],
                    "met": figures[field] >= required,
                }
            )
    goals = []
    for goal in BusinessPlanGoal.objects.filter(
        plan__organization=organization, plan__status=PlanStatus.ACTIVE
    ).select_related("plan"):
        computed = goal_actual(goal)
        actual = goal.actual if computed is None else computed
        goals.append(
            {
                "goal": goal,
                "actual": actual,
                "source": "typed" if computed is None else "rollups",
                "percent": min(100, round(actual / goal.target * 100)) if goal.target else 0,
            }
        )
    return {
        "kpis": kpis,
        "as_of": (now or {}).get("as_of"),
        "requirements": requirement_rows,
        "next_tier": next_tier,
        "goals": goals,
    }
