"""The monthly metrics of a partner (and of the whole program), as SQL.

One list, `METRICS`, defines every figure of `analytics.MonthlyMetrics`: its column and
the SQL that computes it. The rollup (`analytics.rollups`) builds one set-based statement
from this list (`INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`), so no figure is
ever summed in a Python loop.

How the statement works. Every source row becomes an *event* with the month (in the
tenant's time zone) it belongs to:

    events(organization_id, month, kind, amount, hours, lead, user_id)

    kind        from                                  month of
    submitted   deals_deal                            first_submitted_at
    approved    deals_deal (hours = time to decide)   approved_at
    rejected    deals_dealtransition → deals_deal     the transition to "rejected"
    won, lost   deals_deal (amount = final amount)    closed_on (a local date)
    pipeline    deals_deal: +amount when approved, −amount when won, lost or expired
    active      deals_dealtransition by a person of the partner
    touchpoint  partners_touchpoint                   occurred_on

Events are grouped per (organization, month) — or per month for the program's row —
and each metric is an aggregate over a group (`aggregate`), or an expression over the
aggregated row (`derived`, where `org_key` names the partner or the program: win rate,
and open pipeline as the running sum of pipeline changes: pipeline events before the
window are folded into the month before it).

Adding a metric is one column and one SQL expression:
  1. add the field to `MonthlyMetrics` (with a default) and make the migration;
  2. add a `Metric(...)` here with its aggregate over `events`, e.g.
     `Metric("certified_people", "count(DISTINCT user_id) FILTER (WHERE kind = 'certified')")`;
  3. when it needs a source not yet in `events`, add one `UNION ALL` branch to
     `EVENT_SOURCES` in `analytics/rollups.py` emitting rows of a new kind.
Reads (selectors, trailing sums, charts) pick it up from this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One column of MonthlyMetrics and the SQL that fills it."""

    name: str
    aggregate: str = ""  # over the events of one group
    derived: str = ""  # over the aggregated row (columns by name)
    label: str = ""
    # How twelve months add up: "sum", or "none" (a rate or a snapshot: read otherwise).
    trailing: str = "sum"
    money: bool = False

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


METRICS: tuple[Metric, ...] = (
    Metric(
        "registrations_submitted",
        "count(*) FILTER (WHERE kind = 'submitted')",
        label="Registrations submitted",
    ),
    Metric(
        "registrations_approved",
        "count(*) FILTER (WHERE kind = 'approved')",
        label="Registrations approved",
    ),
    Metric(
        "registrations_rejected",
        "count(*) FILTER (WHERE kind = 'rejected')",
        label="Registrations rejected",
    ),
    Metric(
        "median_decision_hours",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)"
        " FILTER (WHERE kind IN ('approved', 'rejected') AND hours IS NOT NULL)",
        label="Median time to decision (hours)",
        trailing="none",
    ),
    Metric("won_count", "count(*) FILTER (WHERE kind = 'won')", label="Deals won"),
    Metric(
        "won_revenue",
        "coalesce(sum(amount) FILTER (WHERE kind = 'won'), 0)",
        label="Won revenue",
        money=True,
    ),
    Metric("lost_count", "count(*) FILTER (WHERE kind = 'lost')", label="Deals lost"),
    Metric(
        "partner_sourced_revenue",
        "coalesce(sum(amount) FILTER (WHERE kind = 'won' AND NOT lead), 0)",
        label="Partner-sourced revenue",
        money=True,
    ),
    Metric(
        "lead_sourced_revenue",
        "coalesce(sum(amount) FILTER (WHERE kind = 'won' AND lead), 0)",
        label="Vendor-sourced (lead) revenue",
        money=True,
    ),
    Metric(
        "pipeline_change",
        "coalesce(sum(amount) FILTER (WHERE kind = 'pipeline'), 0)",
        label="Change in open pipeline",
        money=True,
    ),
    Metric(
        "active_users",
        "count(DISTINCT user_id) FILTER (WHERE kind = 'active')",
        label="Active users",
        trailing="none",
    ),
    Metric("touchpoints", "count(*) FILTER (WHERE kind = 'touchpoint')", label="Touchpoints"),
    # Derived from the aggregated row.
    Metric(
        "win_rate",
        derived="CASE WHEN won_count + lost_count > 0"
        " THEN round(won_count * 100.0 / (won_count + lost_count), 1) END",
        label="Win rate (%)",
        trailing="none",
    ),
    Metric(
        "open_pipeline",
        derived="sum(pipeline_change) OVER (PARTITION BY org_key ORDER BY month)",
        label="Open pipeline (month end)",
        trailing="none",
        money=True,
    ),
)

METRIC_NAMES = tuple(m.name for m in METRICS)
BY_NAME = {m.name: m for m in METRICS}
AGGREGATES = tuple(m for m in METRICS if m.aggregate)
DERIVED = tuple(m for m in METRICS if m.derived)
