"""The data of the dashboards' charts: each a title, labels and datasets, rendered as a
Chart.js chart, as a table of the same figures and as CSV (see analytics/views.py).

Figures come from the rollups (MonthlyMetrics, with its per-motion figures, and
HealthScore) and from small counts over partners; no page reads the deals. Every query
returns a number of rows bounded by months, tiers, motions or ten, never by partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape

from django.apps import apps
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils.safestring import SafeString, mark_safe

from partners.choices import LifecycleStage
from partners.models import PartnerOrganization, Tier
from prm.tenancy.context import require_current_tenant

from .metrics import SNAPSHOTS, SUMMED
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

    @property
    def display_rows(self) -> list[tuple[str, list[str]]]:
        """The table view's rows, formatted here once (money in the tenant's currency,
        "—" for a missing figure) rather than cell by cell in the template."""
        from .providers import money

        currency = require_current_tenant().currency if self.money else None

        def cell(value) -> str:
            if self.money:
                return money(value, currency)
            return "—" if value is None else str(value)

        return [(row[0], [cell(v) for v in row[1:]]) for row in self.rows]

    def table_html(self) -> SafeString:
        """The table view of the figures, written here rather than cell by cell in the
        template (a dashboard's ten tables were a third of its rendering); every label
        and cell escaped as Django's `escape` does (`html.escape`, quotes included)."""
        head = "".join(
            f'<th scope="col" class="num">{escape(str(h))}</th>' for h in self.header[1:]
        )
        body = "".join(
            f'<tr><th scope="row">{escape(str(label))}</th>'
            + "".join(f'<td class="num">{escape(cell)}</td>' for cell in cells)
            + "</tr>"
            for label, cells in self.display_rows
        )
        return mark_safe(  # noqa: S308 - every label and cell escaped above
            f'<table class="compact" data-testid="table-{escape(self.key)}"><thead><tr>'
            f'<th scope="col">{escape(str(self.header[0]))}</th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )


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
    narrows the view, else the partner rows summed (medians as a decision-weighted mean).
    One query either way."""
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
        .annotate(**{name: Sum(name) for name in (*SUMMED, *SNAPSHOTS)})
        .order_by("month")
    )
    result = {}
    for row in rows:
        row["median_decision_hours"] = (
            row["weighted_hours"] / row["decisions"] if row["decisions"] else None
        )
        result[row["month"]] = row
    return result


def console_dashboard(
    filters: Filters, *, review_sla_days: int, tiers: list[Tier] | None = None
) -> tuple[list[Chart], dict | None]:
    """The console dashboard's charts and KPI tiles, from one read of the monthly rows
    (`tiers`: the program's tiers by rank, when the caller has read them already)."""
    rows = monthly_rows(filters)
    return (
        console_charts(filters, review_sla_days=review_sla_days, rows=rows, tiers=tiers),
        kpis(filters, rows=rows),
    )


def console_charts(
    filters: Filters,
    *,
    review_sla_days: int,
    rows: dict[date, dict] | None = None,
    tiers: list[Tier] | None = None,
) -> list[Chart]:
    first, last = filters.months_range()
    months = _month_labels(first, last)
    labels = [f"{m:%Y-%m}" for m in months]
    rows = monthly_rows(filters) if rows is None else rows
    partners = filters.partners()

    def series(name):
        return [rows.get(m, {}).get(name) or 0 for m in months]

    # Both counts from one GROUP BY: at most stages x (tiers + 1) rows.
    stage_counts: dict[str, int] = {}
    tier_counts: dict[object, int] = {}
    for stage, tier_id, n in (
        partners.values_list("lifecycle_stage", "tier_id").annotate(n=Count("id")).order_by()
    ):
        stage_counts[stage] = stage_counts.get(stage, 0) + n
        tier_counts[tier_id] = tier_counts.get(tier_id, 0) + n
    tiers = list(Tier.objects.order_by("rank")) if tiers is None else tiers
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
    by_tier, top, falling = _partner_charts(filters, tiers, first, last)
    charts.append(by_tier)
    charts.append(_by_motion_chart(filters, rows, first, last))
    charts.extend([top, falling])
    charts.append(_health_chart(filters))
    if apps.is_installed("incentives"):
        charts.append(
            Chart(
                "mdf",
                "MDF spend against partner-sourced revenue",
                "bar",
                labels,
                [
                    {"label": "MDF spent (claims approved)", "data": series("mdf_claimed")},
                    {"label": "Partner-sourced revenue", "data": series("partner_sourced_revenue")},
                ],
                money=True,
                note="MDF in the program's currency, by the month each claim was approved.",
            )
        )
    return charts


def _partners_sql(filters: Filters) -> tuple[str, list]:
    """A condition on `m.organization_id` for the filtered partners, and its parameters."""
    if not filters.narrowed:
        return "m.organization_id IS NOT NULL", []
    sql, params = filters.partners().values("id").query.sql_with_params()
    return f"m.organization_id IN ({sql})", list(params)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _partner_charts(filters: Filters, tiers, first: date, last: date) -> tuple[Chart, ...]:
    """Won revenue and open pipeline by tier, the top partners and the falling ones (won
    revenue against the period before): one query over the partners' monthly rows, at
    most (tiers + 1) + 10 + 10 rows back, whatever the number of partners."""
    previous_first = month_start(first, -filters.months)
    condition, params = _partners_sql(filters)
    rows = _fetch(
        f"""
        WITH p AS (
            SELECT m.organization_id,
                   coalesce(sum(m.won_revenue) FILTER (WHERE m.month >= %s), 0) AS now,
                   coalesce(sum(m.won_revenue) FILTER (WHERE m.month < %s), 0) AS before,
                   coalesce(sum(m.open_pipeline) FILTER (WHERE m.month = %s), 0) AS pipeline
            FROM analytics_monthlymetrics m
            WHERE m.tenant_id = %s AND {condition} AND m.month >= %s AND m.month <= %s
            GROUP BY m.organization_id
        ),
        q AS (
            SELECT p.*, o.name, o.tier_id
            FROM p JOIN partners_partnerorganization o ON o.id = p.organization_id
        )
        SELECT 'tier', tier_id::text, '', sum(now), 0, sum(pipeline) FROM q GROUP BY tier_id
        UNION ALL
        (SELECT 'top', organization_id::text, name, now, before, 0 FROM q
         ORDER BY now DESC, name LIMIT 10)
        UNION ALL
        (SELECT 'falling', organization_id::text, name, now, before, 0 FROM q
         WHERE before > now ORDER BY now - before, name LIMIT 10)
        """,  # noqa: S608 - the condition is the ORM's SQL; values are parameters
        [first, first, last, require_current_tenant().pk, *params, previous_first, last],
    )
    by_tier = {key: (now, pipeline) for kind, key, _, now, _, pipeline in rows if kind == "tier"}
    top = [(name, now, before) for kind, _, name, now, before, _ in rows if kind == "top"]
    falling = [(name, now, before) for kind, _, name, now, before, _ in rows if kind == "falling"]
    keys = [str(t.pk) for t in tiers] + [None]
    zero = (Decimal(0), Decimal(0))
    return (
        Chart(
            "by_tier",
            "Won revenue and open pipeline by tier",
            "bar",
            [t.name for t in tiers] + ["No tier"],
            [
                {"label": "Won revenue", "data": [by_tier.get(k, zero)[0] for k in keys]},
                {"label": "Open pipeline", "data": [by_tier.get(k, zero)[1] for k in keys]},
            ],
            money=True,
        ),
        Chart(
            "top_partners",
            "Top partners by won revenue",
            "bar",
            [name for name, _, _ in top],
            [{"label": "Won revenue", "data": [now for _, now, _ in top]}],
            money=True,
        ),
        Chart(
            "falling_partners",
            "Falling partners (won revenue against the period before)",
            "bar",
            [name for name, _, _ in falling],
            [
                {"label": "Period before", "data": [before for _, _, before in falling]},
                {"label": "This period", "data": [now for _, now, _ in falling]},
            ],
            money=True,
        ),
    )


def _by_motion_chart(filters: Filters, rows: dict[date, dict], first: date, last: date) -> Chart:
    """Won revenue of the period and open pipeline now, by motion, from the rollups'
    per-motion figures: the program rows already read, or one query over the filtered
    partners' rows."""
    from deals.models import Motion

    won: dict[str, Decimal] = {}
    pipeline: dict[str, Decimal] = {}
    if not filters.narrowed:
        for month, row in rows.items():
            for key, value in (row.get("won_revenue_by_motion") or {}).items():
                won[key] = won.get(key, Decimal(0)) + Decimal(value)
            if month == last:
                for key, value in (row.get("open_pipeline_by_motion") or {}).items():
                    pipeline[key] = Decimal(value)
    else:
        condition, params = _partners_sql(filters)
        tenant = require_current_tenant().pk
        found = _fetch(
            f"""
            SELECT x.motion, sum(x.won), sum(x.pipeline) FROM (
                SELECT w.key AS motion, w.value::numeric AS won, 0 AS pipeline
                FROM analytics_monthlymetrics m, jsonb_each_text(m.won_revenue_by_motion) w
                WHERE m.tenant_id = %s AND {condition} AND m.month >= %s AND m.month <= %s
                UNION ALL
                SELECT p.key, 0, p.value::numeric
                FROM analytics_monthlymetrics m, jsonb_each_text(m.open_pipeline_by_motion) p
                WHERE m.tenant_id = %s AND {condition} AND m.month = %s
            ) x GROUP BY x.motion
            """,  # noqa: S608 - the condition is the ORM's SQL; values are parameters
            [tenant, *params, first, last, tenant, *params, last],
        )
        for key, won_sum, pipeline_sum in found:
            won[key], pipeline[key] = won_sum, pipeline_sum
    keys = set(won) | set(pipeline)
    names = dict(Motion.objects.filter(pk__in=keys).values_list("pk", "name")) if keys else {}
    motions = sorted(keys, key=lambda k: (names.get(_uuid(k), ""), k))
    return Chart(
        "by_motion",
        "Won revenue and open pipeline by motion",
        "bar",
        [names.get(_uuid(k), "(removed motion)") for k in motions],
        [
            {"label": "Won revenue", "data": [won.get(k) or Decimal(0) for k in motions]},
            {"label": "Open pipeline", "data": [pipeline.get(k) or Decimal(0) for k in motions]},
        ],
        money=True,
    )


def _uuid(key: str):
    import uuid

    return uuid.UUID(key)


HEALTH_BUCKETS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


def _health_chart(filters: Filters) -> Chart:
    scores = HealthScore.objects.all()
    if filters.narrowed:
        scores = scores.filter(organization__in=filters.partners())
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
    """(rank by trailing-12-month won revenue, number of partners ranked): one query,
    counted in SQL (one row back, whatever the number of partners)."""
    last = current_month()
    first = month_start(last, -11)
    found = _fetch(
        """
        WITH t AS (
            SELECT organization_id, coalesce(sum(won_revenue), 0) AS total
            FROM analytics_monthlymetrics
            WHERE tenant_id = %s AND organization_id IS NOT NULL AND month >= %s AND month <= %s
            GROUP BY organization_id
        )
        SELECT 1 + (SELECT count(*) FROM t WHERE t.total > mine.total), (SELECT count(*) FROM t)
        FROM t AS mine WHERE mine.organization_id = %s
        """,
        [require_current_tenant().pk, first, last, organization_id],
    )
    return (found[0][0], found[0][1]) if found else None


def kpis(filters: Filters, *, rows: dict[date, dict] | None = None) -> dict | None:
    """The tiles above the charts: the program's, or the filtered partners' sums, over
    the monthly rows of the period (those of the charts when given: no query)."""
    from .selectors import _with_rates

    first, last = filters.months_range()
    rows = monthly_rows(filters) if rows is None else rows
    if not rows:
        return None
    found = {name: sum((r.get(name) or 0 for r in rows.values()), 0) for name in SUMMED}
    latest = rows.get(last, {})
    for name in SNAPSHOTS:
        found[name] = latest.get(name) or 0
    found["median_decision_hours"] = latest.get("median_decision_hours")
    return _with_rates(found)
