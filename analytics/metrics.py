# ruff: noqa: S608 - SQL text built from constants; values are parameters
"""The monthly metrics of a partner (and of the whole program), as SQL.

One list, `METRICS`, defines every figure of `analytics.MonthlyMetrics`: its column and
the SQL that computes it. The rollup (`analytics.rollups`) builds one set-based statement
from it (`INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`), so no figure is ever
summed in a Python loop.

How the statement works. Each *source* (`SOURCES`) is a SELECT over one kind of row,
giving each row the month (in the tenant's time zone) it belongs to — found by a binary
search over the window's month boundaries (`month_of`, `month_of_day`), not by a time zone
conversion per row; a moment before the window falls in the month before it:

    source      rows of                                        month of
    submitted   deals_deal                                     first_submitted_at
    decisions   deals_deal (approved) and the transitions      approved_at / the transition
                to "rejected", with the hours to decide
    closed      deals_deal won or lost (amount = final amount)  closed_on (a local date)
    pipeline    deals_deal: +amount when approved, −amount     approved_at / closed_on or
                when won, lost or expired                      protection_expires_on
    active      deals_dealtransition by a person of the partner created_at
    touchpoints partners_touchpoint                            occurred_on
    certified   enablement_certificationaward valid on the     (each month of the window)
                month's last day (today for this month)
    ledger      incentives_ledgerentry, tenant's currency      created_at
    funds       incentives_fundrequest approved, tenant's      decided_at
                currency

The deal sources read one materialized scan of the tenant's deals (`d`, months computed
once per deal). Each source is aggregated on its own, by one `GROUP BY` per (partner,
month) and per month for the program's row (grouping sets) — sums and counts hash, and a
median or a distinct count only sorts its own source's rows — and the results are
joined to a grid of every partner and month. A metric is an aggregate over its source's
rows (`aggregate`), or an expression over the joined row (`derived`, where `org_key`
names the partner or the program: win rate, and open pipeline as the running sum of
pipeline changes; pipeline rows before the window are folded into the month before it).

A metric with `per_motion` is kept per deal motion as a JSON object {motion id: value}
(zero values left out): its aggregate is grouped by the source's `motion_id` too, and
`running` makes it a running sum over the months (a month-end figure).

Adding a metric is one column and one SQL expression:
  1. add the field to `MonthlyMetrics` (with a default) and make the migration;
  2. add a `Metric(...)` here with its source and its aggregate over that source's rows,
     e.g. `Metric("won_count", "count(*) FILTER (WHERE status = 'won')", source="closed")`;
  3. when it needs rows no source has yet, add a `Source` to `SOURCES` (a SELECT giving
     `organization_id`, `month` and the columns its metrics read).
Reads (selectors, trailing sums, charts) pick it up from this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Rows a group of metrics aggregates: a SELECT giving `organization_id`, `month`
    (the first day of a month of the window, or the month before it) and the columns
    its metrics read. `{org}` is replaced by a filter to one partner (or nothing), on the
    table alias `org_alias`. `app` names the app whose tables it reads: when that app is
    not installed, its metrics are 0."""

    name: str
    sql: str
    org_alias: str
    app: str = ""


def month_of(col: str) -> str:
    """The month (first day, in the tenant's time zone) of a timestamp column, for the
    months of the window: a binary search over the window's month boundaries (local
    midnights, `%(bounds)s`), cheaper than a time zone conversion per row. Moments
    before the window fall in the month before it, those after it in the month after."""
    return (
        f"(%(before)s::date + width_bucket({col}, %(bounds)s::timestamptz[])"
        " * interval '1 month')::date"
    )


def month_of_day(col: str) -> str:
    """The month (first day) of a date column (a local date already), for the months of
    the window, by the same binary search over the window's first days (`%(days)s`)."""
    return f"(%(before)s::date + width_bucket({col}, %(days)s::date[]) * interval '1 month')::date"


SOURCES: tuple[Source, ...] = (
    Source(
        "submitted",
        """SELECT d.organization_id, d.submitted_month AS month
        FROM d WHERE d.submitted_month BETWEEN %(start)s AND %(end)s""",
        org_alias="",
    ),
    Source(
        "decisions",
        f"""SELECT d.organization_id, d.approved_month AS month, 'approved' AS kind,
               d.approve_hours AS hours
        FROM d WHERE d.approved_month BETWEEN %(start)s AND %(end)s
        UNION ALL
        -- A rejection's moment is its status transition (a deal keeps no rejected_at).
        SELECT d.organization_id, {month_of("t.created_at")}, 'rejected',
               date_part('epoch', t.created_at - d.first_submitted_at) / 3600
        FROM deals_dealtransition t
        JOIN d ON d.id = t.deal_id
        WHERE t.tenant_id = %(tenant)s AND t.kind = 'status' AND t.to_value = 'rejected'
          AND t.created_at >= %(start_ts)s AND t.created_at < %(end_ts)s""",
        org_alias="",
    ),
    Source(
        "closed",
        """SELECT d.organization_id, d.motion_id, d.closed_month AS month, d.status,
               d.won_amount, (l.id IS NOT NULL) AS lead
        FROM d
        LEFT JOIN deals_lead l ON l.tenant_id = %(tenant)s AND l.deal_id = d.id
        WHERE d.status IN ('won', 'lost') AND d.closed_month BETWEEN %(start)s AND %(end)s""",
        org_alias="",
    ),
    Source(
        "pipeline",
        # (A deal approved and closed before the window adds and takes its amount in
        # the same folded month: left out.)
        """SELECT d.organization_id, d.motion_id, d.approved_month AS month, d.amount
        FROM d WHERE d.approved_month <= %(end)s
          AND (d.approved_month > %(before)s OR d.closed_month IS NULL
               OR d.closed_month > %(before)s)
        UNION ALL
        SELECT d.organization_id, d.motion_id, d.closed_month, -d.amount
        FROM d WHERE d.approved_month IS NOT NULL AND d.closed_month <= %(end)s
          AND (d.approved_month > %(before)s OR d.closed_month > %(before)s)""",
        org_alias="",
    ),
    # Active users: people of the partner who moved one of its deals that month.
    Source(
        "active",
        f"""SELECT d.organization_id, {month_of("t.created_at")} AS month, t.actor_id AS user_id
        FROM deals_dealtransition t
        JOIN tenancy_membership mb ON mb.tenant_id = t.tenant_id AND mb.user_id = t.actor_id
             AND mb.partner_organization_id IS NOT NULL
        JOIN d ON d.id = t.deal_id AND d.organization_id = mb.partner_organization_id
        WHERE t.tenant_id = %(tenant)s
          AND t.created_at >= %(start_ts)s AND t.created_at < %(end_ts)s""",
        org_alias="",
    ),
    # Touchpoints with the vendor (a local date already).
    Source(
        "touchpoints",
        f"""SELECT tp.organization_id, {month_of_day("tp.occurred_on")} AS month
        FROM partners_touchpoint tp
        WHERE tp.tenant_id = %(tenant)s {{org}}
          AND tp.occurred_on >= %(start)s AND tp.occurred_on < %(after)s""",
        org_alias="tp",
    ),
    # Certified people: active members holding an award valid on the month's last day
    # (today for the current month), as the tier's "certified people" counts them today.
    Source(
        "certified",
        """SELECT a.organization_id, g.month, a.membership_id
        FROM enablement_certificationaward a
        JOIN tenancy_membership mb ON mb.tenant_id = a.tenant_id AND mb.id = a.membership_id
             AND mb.is_active
        JOIN (
            SELECT m::date AS month,
                   least((m + interval '1 month' - interval '1 day')::date, %(today)s::date)
                       AS on_day
            FROM generate_series(%(start)s::date, %(end)s::date, interval '1 month') AS m
        ) g ON (a.issued_at AT TIME ZONE %(tz)s)::date <= g.on_day
           AND a.valid_until >= g.on_day
           AND (a.revoked_at IS NULL OR (a.revoked_at AT TIME ZONE %(tz)s)::date > g.on_day)
        WHERE a.tenant_id = %(tenant)s {org} AND a.valid_until >= %(start)s""",
        org_alias="a",
        app="enablement",
    ),
    # The ledger in the tenant's currency: earnings and market development funds.
    Source(
        "ledger",
        f"""SELECT e.organization_id, {month_of("e.created_at")} AS month, e.kind, e.cause,
               e.amount
        FROM incentives_ledgerentry e
        WHERE e.tenant_id = %(tenant)s {{org}} AND e.currency = %(currency)s
          AND e.kind IN ('earnings', 'mdf')
          AND e.created_at >= %(start_ts)s AND e.created_at < %(end_ts)s""",
        org_alias="e",
        app="incentives",
    ),
    # Fund requests approved (in full or in part), by the month of the decision.
    Source(
        "funds",
        f"""SELECT r.organization_id, {month_of("r.decided_at")} AS month, r.approved_amount
        FROM incentives_fundrequest r
        JOIN incentives_fundallocation fa ON fa.tenant_id = r.tenant_id
             AND fa.id = r.allocation_id
        JOIN incentives_fund f ON f.tenant_id = fa.tenant_id AND f.id = fa.fund_id
        WHERE r.tenant_id = %(tenant)s {{org}} AND r.approved_amount IS NOT NULL
          AND f.currency = %(currency)s
          AND r.decided_at >= %(start_ts)s AND r.decided_at < %(end_ts)s""",
        org_alias="r",
        app="incentives",
    ),
)

SOURCE_BY_NAME = {s.name: s for s in SOURCES}


@dataclass(frozen=True)
class Metric:
    """One column of MonthlyMetrics and the SQL that fills it."""

    name: str
    aggregate: str = ""  # over the rows of `source` of one group
    source: str = ""
    derived: str = ""  # over the joined row (columns by name)
    label: str = ""
    # How twelve months add up: "sum"; "last" (a month-end snapshot: the latest month's
    # value); "none" (a rate or a median: read otherwise).
    trailing: str = "sum"
    money: bool = False
    # Kept per deal motion as {motion id: value}; `running`: summed over the months.
    per_motion: bool = False
    running: bool = False
    # NULL when the group has no rows (a median, a rate), else 0.
    nullable: bool = False
    # The aggregate of a group is the sum of its parts' (a count or a sum; not a median
    # or a distinct count): it may be computed per motion first, then summed.
    additive: bool = True

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


METRICS: tuple[Metric, ...] = (
    Metric(
        "registrations_submitted",
        "count(*)",
        source="submitted",
        label="Registrations submitted",
    ),
    Metric(
        "registrations_approved",
        "count(*) FILTER (WHERE kind = 'approved')",
        source="decisions",
        label="Registrations approved",
    ),
    Metric(
        "registrations_rejected",
        "count(*) FILTER (WHERE kind = 'rejected')",
        source="decisions",
        label="Registrations rejected",
    ),
    Metric(
        "median_decision_hours",
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FILTER (WHERE hours IS NOT NULL)",
        source="decisions",
        label="Median time to decision (hours)",
        trailing="none",
        nullable=True,
        additive=False,
    ),
    Metric(
        "won_count", "count(*) FILTER (WHERE status = 'won')", source="closed", label="Deals won"
    ),
    Metric(
        "won_revenue",
        "sum(won_amount) FILTER (WHERE status = 'won')",
        source="closed",
        label="Won revenue",
        money=True,
    ),
    Metric(
        "lost_count", "count(*) FILTER (WHERE status = 'lost')", source="closed", label="Deals lost"
    ),
    Metric(
        "partner_sourced_revenue",
        "sum(won_amount) FILTER (WHERE status = 'won' AND NOT lead)",
        source="closed",
        label="Partner-sourced revenue",
        money=True,
    ),
    Metric(
        "lead_sourced_revenue",
        "sum(won_amount) FILTER (WHERE status = 'won' AND lead)",
        source="closed",
        label="Vendor-sourced (lead) revenue",
        money=True,
    ),
    Metric(
        "pipeline_change",
        "sum(amount)",
        source="pipeline",
        label="Change in open pipeline",
        money=True,
    ),
    Metric(
        "active_users",
        "count(DISTINCT user_id)",
        source="active",
        label="Active users",
        trailing="none",
        additive=False,
    ),
    Metric("touchpoints", "count(*)", source="touchpoints", label="Touchpoints"),
    Metric(
        "certified_people",
        "count(DISTINCT membership_id)",
        source="certified",
        label="Certified people",
        trailing="last",
        additive=False,
    ),
    Metric(
        "mdf_approved",
        "sum(approved_amount)",
        source="funds",
        label="MDF approved",
        money=True,
    ),
    Metric(
        "mdf_claimed",
        "sum(amount) FILTER (WHERE kind = 'mdf' AND cause <> 'payout')",
        source="ledger",
        label="MDF spent (claims approved)",
        money=True,
    ),
    Metric(
        "mdf_paid",
        "-sum(amount) FILTER (WHERE kind = 'mdf' AND cause = 'payout')",
        source="ledger",
        label="MDF paid",
        money=True,
    ),
    Metric(
        "earnings_posted",
        "sum(amount) FILTER (WHERE kind = 'earnings' AND cause <> 'payout')",
        source="ledger",
        label="Earnings posted",
        money=True,
    ),
    # Per motion (JSON objects by motion id).
    Metric(
        "won_revenue_by_motion",
        "sum(won_amount) FILTER (WHERE status = 'won')",
        source="closed",
        label="Won revenue by motion",
        trailing="none",
        per_motion=True,
    ),
    Metric(
        "open_pipeline_by_motion",
        "sum(amount)",
        source="pipeline",
        label="Open pipeline by motion (month end)",
        trailing="none",
        per_motion=True,
        running=True,
    ),
    # Derived from the joined row.
    Metric(
        "win_rate",
        derived="CASE WHEN won_count + lost_count > 0"
        " THEN round(won_count * 100.0 / (won_count + lost_count), 1) END",
        label="Win rate (%)",
        trailing="none",
        nullable=True,
    ),
    Metric(
        "open_pipeline",
        derived="sum(pipeline_change) OVER (PARTITION BY org_key ORDER BY month)",
        label="Open pipeline (month end)",
        trailing="last",
        money=True,
    ),
)

METRIC_NAMES = tuple(m.name for m in METRICS)
BY_NAME = {m.name: m for m in METRICS}
AGGREGATES = tuple(m for m in METRICS if m.aggregate and not m.per_motion)
PER_MOTION = tuple(m for m in METRICS if m.per_motion)
DERIVED = tuple(m for m in METRICS if m.derived)
# Figures that add up over months (trailing sums), and month-end snapshots.
SUMMED = tuple(m.name for m in METRICS if m.trailing == "sum")
SNAPSHOTS = tuple(m.name for m in METRICS if m.trailing == "last")
