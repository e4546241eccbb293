"""The data of the dashboards' charts: each a title, labels and datasets, rendered as a
Chart.js chart, as a table of the same figures and as CSV (see analytics/views.py).

Figures come from the rollups (MonthlyMetrics, HealthScore) and from small counts over
partners; the deals table is read live only for the split by motion, which the monthly
rollups do not keep (one grouped query over the period's deals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from partners.choices import LifecycleStage
from partners.models import PartnerOrganization, Tier

from .models import HealthScore, MonthlyMetrics
from .rollups import current_month, month_start

PERIODS = {"3": 3, "6": 6, "12": 12}


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # Chart.js type: bar, line, doughnut
    labels: list[str]
    datasets: list[dict] = field(default_factory=list)  # {"label": str, "data": [numbers]}
    money: bool = False
    note: str = ""

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"

    def spec(self) -> dict:
        """What static/js/charts.js draws (numbers as floats for the chart only)."""
        return {
            "type": self.kind,
            "labels": self.labels,
            "datasets": [
                {"label": d["label"], "data": [float(v or 0) for v in d["data"]]}
                for d in self.datasets
            ],
        }

    @property
    def rows(self) -> list[list]:
        return [
            [label, *[d["data"][i] for d in self.datasets]] for i, label in enumerate(self.labels)
        ]

    @property
    def header(self) -> list[str]:
        return ["", *[d["label"] for d in self.datasets]]


@dataclass
class Filters:
    months: int = 12
    partner_type: str | None = None
    tier: str | None = None
    channel_manager: str | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.partner_type or self.tier or self.channel_manager)

    def partners(self):
        queryset = PartnerOrganization.objects.all()
        if self.partner_type:
            queryset = queryset.filter(partner_type_id=self.partner_type)
        if self.tier:
            queryset = queryset.filter(tier_id=self.tier)
        if self.channel_manager:
            queryset = queryset.filter(channel_manager_id=self.channel_manager)
        return queryset

    def months_range(self) -> tuple[date, date]:
        last = current_month()
        return month_start(last, -(self.months - 1)), last


def _month_labels(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_start(month, 1)
    return months


def monthly_rows(filters: Filters) -> dict[date, dict]:
    """Per month, the metrics of the filtered partners: the program rows when nothing
    narrows the view, else the partner rows summed (medians as a decision-weighted mean)."""
    first, last = filters.months_range()
    if not filters.narrowed:
        rows = MonthlyMetrics.objects.filter(
            organization__isnull=True, month__gte=first, month__lte=last
        ).values()
        return {r["month"]: r for r in rows}
    decisions = F("registrations_approved") + F("registrations_rejected")
    rows = (
        MonthlyMetrics.objects.filter(
            organization__in=filters.partners(), month__gte=first, month__lte=last
        )
        .values("month")
        # Computed before the sums below take the columns' names.
        .annotate(
            weighted_hours=Sum(F("median_decision_hours") * decisions),
            decisions=Sum(decisions, filter=Q(median_decision_hours__isnull=False)),
        )
        .annotate(
            registrations_submitted=Sum("registrations_submitted"),
            registrations_approved=Sum("registrations_approved"),
            registrations_rejected=Sum("registrations_rejected"),
            won_revenue=Sum("won_revenue"),
            open_pipeline=Sum("open_pipeline"),
            won_count=Sum("won_count"),
            lost_count=Sum("lost_count"),
        )
        .order_by("month")
    )
    result = {}
    for row in rows:
        row["median_decision_hours"] = (
            row["weighted_hours"] / row["decisions"] if row["decisions"] else None
        )
        result[row["month"]] = row
    return result


def console_charts(filters: Filters, *, review_sla_days: int) -> list[Chart]:
    first, last = filters.months_range()
    months = _month_labels(first, last)
    labels = [f"{m:%Y-%m}" for m in months]
    rows = monthly_rows(filters)
    partners = filters.partners()

    def series(name):
        return [rows.get(m, {}).get(name) or 0 for m in months]

    stage_counts = dict(partners.values_list("lifecycle_stage").annotate(n=Count("id")).order_by())
    tiers = list(Tier.objects.order_by("rank"))
    tier_counts = dict(partners.values_list("tier_id").annotate(n=Count("id")).order_by())
    charts = [
        Chart(
            "stages",
            "Partners by lifecycle stage",
            "bar",
            [s.label for s in LifecycleStage],
            [{"label": "Partners", "data": [stage_counts.get(s.value, 0) for s in LifecycleStage]}],
        ),
        Chart(
            "tiers",
            "Partners by tier",
            "bar",
            [t.name for t in tiers] + ["No tier"],
            [
                {
                    "label": "Partners",
                    "data": [tier_counts.get(t.pk, 0) for t in tiers] + [tier_counts.get(None, 0)],
                }
            ],
        ),
        Chart(
            "registrations",
            "Registrations per month",
            "bar",
            labels,
            [
                {"label": "Submitted", "data": series("registrations_submitted")},
                {"label": "Approved", "data": series("registrations_approved")},
                {"label": "Rejected", "data": series("registrations_rejected")},
            ],
        ),
        Chart(
            "review_sla",
            "Time to decision (hours, median)",
            "line",
            labels,
            [
                {
                    "label": "Median hours",
                    "data": [
                        round(v, 1) if v is not None else None
                        for v in (rows.get(m, {}).get("median_decision_hours") for m in months)
                    ],
                },
                {"label": "Review SLA", "data": [review_sla_days * 24] * len(months)},
            ],
        ),
        Chart(
            "revenue",
            "Won revenue and open pipeline per month",
            "bar",
            labels,
            [
                {"label": "Won revenue", "data": series("won_revenue")},
                {"label": "Open pipeline (month end)", "data": series("open_pipeline")},
            ],
            money=True,
        ),
    ]
    charts.append(_by_tier_chart(filters, tiers, first, last))
    charts.append(_by_motion_chart(filters, first))
    charts.extend(_top_and_falling(filters, first, last))
    charts.append(_health_chart(filters))
    return charts


def _by_tier_chart(filters: Filters, tiers, first: date, last: date) -> Chart:
    won = dict(
        MonthlyMetrics.objects.filter(
            organization__in=filters.partners(), month__gte=first, month__lte=last
        )
        .values_list("organization__tier_id")
        .annotate(total=Sum("won_revenue"))
        .order_by()
    )
    pipeline = dict(
        MonthlyMetrics.objects.filter(organization__in=filters.partners(), month=last)
        .values_list("organization__tier_id")
        .annotate(total=Sum("open_pipeline"))
        .order_by()
    )
    keys = [t.pk for t in tiers] + [None]
    return Chart(
        "by_tier",
        "Won revenue and open pipeline by tier",
        "bar",
        [t.name for t in tiers] + ["No tier"],
        [
            {"label": "Won revenue", "data": [won.get(k) or Decimal(0) for k in keys]},
            {"label": "Open pipeline", "data": [pipeline.get(k) or Decimal(0) for k in keys]},
        ],
        money=True,
    )


def _by_motion_chart(filters: Filters, first: date) -> Chart:
    from deals.models import Deal

    deals = Deal.objects.filter(organization__in=filters.partners())
    rows = (
        deals.filter(Q(status="approved") | Q(status="won", closed_on__gte=first))
        .values("motion__name")
        .annotate(
            pipeline=Sum("amount", filter=Q(status="approved")),
            won=Sum("final_amount", filter=Q(status="won")),
        )
        .order_by("motion__name")
    )
    rows = list(rows)
    return Chart(
        "by_motion",
        "Won revenue and open pipeline by motion",
        "bar",
        [r["motion__name"] for r in rows],
        [
            {"label": "Won revenue", "data": [r["won"] or Decimal(0) for r in rows]},
            {"label": "Open pipeline", "data": [r["pipeline"] or Decimal(0) for r in rows]},
        ],
        money=True,
        note="Counted live from the deals of the period (the monthly figures have no motion).",
    )


def _top_and_falling(filters: Filters, first: date, last: date) -> list[Chart]:
    previous_first = month_start(first, -filters.months)
    partners = filters.partners()
    rows = (
        MonthlyMetrics.objects.filter(
            organization__in=partners, month__gte=previous_first, month__lte=last
        )
        .values("organization_id", "organization__name")
        .annotate(
            now=Sum("won_revenue", filter=Q(month__gte=first)),
            before=Sum("won_revenue", filter=Q(month__lt=first)),
        )
        .order_by()
    )
    rows = list(rows)
    top = sorted(rows, key=lambda r: -(r["now"] or 0))[:10]
    falling = sorted(
        (r for r in rows if (r["before"] or 0) > (r["now"] or 0)),
        key=lambda r: (r["now"] or 0) - (r["before"] or 0),
    )[:10]
    return [
        Chart(
            "top_partners",
            "Top partners by won revenue",
            "bar",
            [r["organization__name"] for r in top],
            [{"label": "Won revenue", "data": [r["now"] or Decimal(0) for r in top]}],
            money=True,
        ),
        Chart(
            "falling_partners",
            "Falling partners (won revenue against the period before)",
            "bar",
            [r["organization__name"] for r in falling],
            [
                {"label": "Period before", "data": [r["before"] or Decimal(0) for r in falling]},
                {"label": "This period", "data": [r["now"] or Decimal(0) for r in falling]},
            ],
            money=True,
        ),
    ]


HEALTH_BUCKETS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


def _health_chart(filters: Filters) -> Chart:
    scores = HealthScore.objects.filter(organization__in=filters.partners())
    counts = scores.aggregate(
        **{
            f"b{low}": Count("id", filter=Q(score__gte=low, score__lte=high))
            for low, high in HEALTH_BUCKETS
        }
    )
    return Chart(
        "health",
        "Health score distribution",
        "bar",
        [f"{low}–{high}" for low, high in HEALTH_BUCKETS],
        [{"label": "Partners", "data": [counts[f"b{low}"] for low, _ in HEALTH_BUCKETS]}],
    )


def partner_charts(*, organization_id, months: int = 12) -> list[Chart]:
    """A partner's own trends (portal and scorecard)."""
    last = current_month()
    first = month_start(last, -(months - 1))
    month_list = _month_labels(first, last)
    rows = {
        r["month"]: r
        for r in MonthlyMetrics.objects.filter(
            organization_id=organization_id, month__gte=first, month__lte=last
        ).values()
    }
    labels = [f"{m:%Y-%m}" for m in month_list]

    def series(name):
        return [rows.get(m, {}).get(name) or 0 for m in month_list]

    return [
        Chart(
            "my_revenue",
            "Won revenue and open pipeline per month",
            "bar",
            labels,
            [
                {"label": "Won revenue", "data": series("won_revenue")},
                {"label": "Open pipeline (month end)", "data": series("open_pipeline")},
            ],
            money=True,
        ),
        Chart(
            "my_registrations",
            "Registrations per month",
            "line",
            labels,
            [
                {"label": "Submitted", "data": series("registrations_submitted")},
                {"label": "Approved", "data": series("registrations_approved")},
                {"label": "Won", "data": series("won_count")},
            ],
        ),
    ]


def partner_rank(*, organization_id) -> tuple[int, int] | None:
    """(rank by trailing-12-month won revenue, number of partners ranked)."""
    last = current_month()
    first = month_start(last, -11)
    totals = (
        MonthlyMetrics.objects.filter(organization__isnull=False, month__gte=first, month__lte=last)
        .values("organization_id")
        .annotate(total=Sum("won_revenue"))
        .order_by()
    )
    mine = None
    values = []
    for row in totals:
        values.append(row["total"] or 0)
        if row["organization_id"] == organization_id:
            mine = row["total"] or 0
    if mine is None:
        return None
    return 1 + sum(1 for v in values if v > mine), len(values)


def kpis(filters: Filters) -> dict | None:
    """The tiles above the charts: the program's, or the filtered partners' sums."""
    from .selectors import _with_rates, program_trailing

    if not filters.narrowed:
        return program_trailing(months=filters.months)
    first, last = filters.months_range()
    rows = MonthlyMetrics.objects.filter(
        organization__in=filters.partners(), month__gte=first, month__lte=last
    )
    found = rows.aggregate(
        won_revenue=Sum("won_revenue"),
        won_count=Sum("won_count"),
        lost_count=Sum("lost_count"),
        registrations_approved=Sum("registrations_approved"),
        open_pipeline=Sum("open_pipeline", filter=Q(month=last)),
    )
    if found["won_revenue"] is None:
        return None
    return _with_rates(found)
