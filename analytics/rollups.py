# ruff: noqa: S608 - SQL text built from this module's constants and analytics.metrics; values are parameters
"""Keeping MonthlyMetrics: one set-based statement per rebuild, never a loop over rows.

`rollup_rebuild(months=13)` recomputes the last `months` months of every partner and of
the program; `rollup_refresh_partner(organization_id=...)` recomputes the current month of
one partner and of the program. Both run the same SQL (built from analytics.metrics), as
`INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`: running it twice gives the same
rows, so a retried job doubles nothing.

Months are calendar months in the tenant's time zone: a deal approved at 23:30 UTC on
31 January is a February approval in Berlin.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone

from prm.tenancy.context import require_current_tenant

from .metrics import AGGREGATES, DERIVED, METRICS

# Events by source (see analytics.metrics for the list of kinds). {org} narrows a branch
# to one partner; every branch filters by tenant first (and RLS filters again).
_MONTH = "date_trunc('month', {col} AT TIME ZONE %(tz)s)::date"


def _m(col: str) -> str:
    return _MONTH.format(col=col)


def _local_month(col: str) -> str:
    return f"date_trunc('month', {col})::date"


EVENT_SOURCES = (
    # Registrations and deals: one scan of deals_deal, several events per deal.
    f"""
    SELECT d.organization_id, e.month, e.kind, e.amount, e.hours,
           (l.id IS NOT NULL) AS lead, NULL::uuid AS user_id
    FROM deals_deal d
    LEFT JOIN deals_lead l ON l.tenant_id = d.tenant_id AND l.deal_id = d.id
    CROSS JOIN LATERAL (VALUES
        ('submitted', {_m("d.first_submitted_at")}, NULL::numeric, NULL::double precision),
        ('approved', {_m("d.approved_at")}, NULL::numeric,
            extract(epoch FROM d.approved_at - d.first_submitted_at)::double precision / 3600),
        ('pipeline', {_m("d.approved_at")}, d.amount, NULL::double precision),
        ('won', CASE WHEN d.status = 'won' THEN {_local_month("d.closed_on")} END,
            coalesce(d.final_amount, d.amount), NULL::double precision),
        ('lost', CASE WHEN d.status = 'lost' THEN {_local_month("d.closed_on")} END,
            NULL::numeric, NULL::double precision),
        ('pipeline', CASE WHEN d.approved_at IS NOT NULL THEN CASE d.status
                WHEN 'won' THEN {_local_month("d.closed_on")}
                WHEN 'lost' THEN {_local_month("d.closed_on")}
                WHEN 'expired' THEN {_local_month("d.protection_expires_on")} END END,
            -d.amount, NULL::double precision)
    ) AS e(kind, month, amount, hours)
    WHERE d.tenant_id = %(tenant)s {{org_d}}
      AND e.month IS NOT NULL AND e.month <= %(end)s
      AND (e.month >= %(start)s OR e.kind = 'pipeline')
    """,
    # Rejections: the moment is the status transition (a deal keeps no rejected_at).
    f"""
    SELECT d.organization_id, {_m("t.created_at")}, 'rejected', NULL::numeric,
           extract(epoch FROM t.created_at - d.first_submitted_at)::double precision / 3600,
           false, NULL::uuid
    FROM deals_dealtransition t
    JOIN deals_deal d ON d.tenant_id = t.tenant_id AND d.id = t.deal_id
    WHERE t.tenant_id = %(tenant)s {{org_d}} AND t.kind = 'status' AND t.to_value = 'rejected'
      AND t.created_at >= %(start_ts)s AND t.created_at < %(end_ts)s
    """,
    # Active users: people of the partner who moved one of its deals that month. The
    # window's transitions are read once and matched to partner people by hash, not
    # probed deal by deal.
    f"""
    SELECT d.organization_id, {_m("t.created_at")}, 'active', NULL::numeric,
           NULL::double precision, false, t.actor_id
    FROM deals_dealtransition t
    JOIN tenancy_membership mb ON mb.tenant_id = t.tenant_id AND mb.user_id = t.actor_id
         AND mb.partner_organization_id IS NOT NULL
    JOIN deals_deal d ON d.tenant_id = t.tenant_id AND d.id = t.deal_id
         AND d.organization_id = mb.partner_organization_id
    WHERE t.tenant_id = %(tenant)s {{org_d}}
      AND t.created_at >= %(start_ts)s AND t.created_at < %(end_ts)s
    """,
    # Touchpoints with the vendor (a local date already).
    f"""
    SELECT tp.organization_id, {_local_month("tp.occurred_on")}, 'touchpoint', NULL::numeric,
           NULL::double precision, false, NULL::uuid
    FROM partners_touchpoint tp
    WHERE tp.tenant_id = %(tenant)s {{org_tp}}
      AND tp.occurred_on >= %(start)s AND tp.occurred_on < %(after)s
    """,
)

NULLABLE = {"median_decision_hours", "win_rate"}


# The program's rows have no organization; inside the statement they are keyed by this
# value so that every join and window is on a non-null key (hashable, unlike
# IS NOT DISTINCT FROM).
PROGRAM_KEY = "00000000-0000-0000-0000-000000000000"


def rollup_sql(*, group: str, one_partner: bool = False) -> str:
    """The statement that upserts a window of months: `group` is "partner", "program" or
    "both" (one pass over the events for the partners' rows and the program's)."""
    org_d = "AND d.organization_id = %(org)s" if one_partner else ""
    org_tp = "AND tp.organization_id = %(org)s" if one_partner else ""
    events = "\nUNION ALL\n".join(
        source.format(org_d=org_d, org_tp=org_tp) for source in EVENT_SOURCES
    )
    aggregates = ",\n    ".join(f"{m.aggregate} AS {m.name}" for m in AGGREGATES)
    filled = ",\n    ".join(
        f"agg.{m.name}" if m.name in NULLABLE else f"coalesce(agg.{m.name}, 0) AS {m.name}"
        for m in AGGREGATES
    )
    derived = ",\n    ".join(f"{m.derived} AS {m.name}" for m in DERIVED)
    columns = [m.name for m in METRICS]
    org_o = "AND o.id = %(org)s" if one_partner else ""
    partner_grid = f"""
        SELECT o.id AS org_key, g.month::date AS month
        FROM partners_partnerorganization o
        CROSS JOIN generate_series(%(before)s::date, %(end)s::date, interval '1 month') AS g(month)
        WHERE o.tenant_id = %(tenant)s {org_o}"""
    program_grid = f"""
        SELECT '{PROGRAM_KEY}'::uuid AS org_key, g.month::date AS month
        FROM generate_series(%(before)s::date, %(end)s::date, interval '1 month') AS g(month)"""
    month_key = "greatest(month, %(before)s::date)"
    if group == "partner":
        agg_key, agg_group, grid = "organization_id", "GROUP BY 1, 2", partner_grid
    elif group == "program":
        agg_key, agg_group, grid = f"'{PROGRAM_KEY}'::uuid", "GROUP BY 2", program_grid
    else:
        # One pass over the events for both: the program's row is the grouping set
        # without the organization (its medians and distinct counts are its own).
        agg_key = f"coalesce(organization_id, '{PROGRAM_KEY}'::uuid)"
        agg_group = f"GROUP BY GROUPING SETS ((organization_id, {month_key}), ({month_key}))"
        grid = f"{partner_grid}\n        UNION ALL{program_grid}"
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*columns, "computed_at"])
    return f"""
WITH events (organization_id, month, kind, amount, hours, lead, user_id) AS (
{events}
),
agg AS (
    SELECT {agg_key} AS org_key, {month_key} AS month,
    {aggregates}
    FROM events
    {agg_group}
),
grid AS ({grid}
),
filled AS (
    SELECT grid.org_key, nullif(grid.org_key, '{PROGRAM_KEY}'::uuid) AS organization_id,
    grid.month,
    {filled}
    FROM grid LEFT JOIN agg USING (org_key, month)
),
final AS (
    SELECT filled.*,
    {derived}
    FROM filled
)
INSERT INTO analytics_monthlymetrics
    (id, tenant_id, organization_id, month, {", ".join(columns)}, computed_at)
SELECT gen_random_uuid(), %(tenant)s, organization_id, month, {", ".join(columns)}, %(now)s
FROM final
WHERE month >= %(start)s
ON CONFLICT (tenant_id, organization_id, month) DO UPDATE SET {updates}
"""


def month_start(day: date, shift: int = 0) -> date:
    """The first day of `day`'s month, moved by `shift` months."""
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def current_month() -> date:
    """This month in the current tenant's time zone."""
    return month_start(tenant_today())


def tenant_today() -> date:
    import zoneinfo

    tenant = require_current_tenant()
    return timezone.now().astimezone(zoneinfo.ZoneInfo(tenant.time_zone)).date()


def _params(*, start: date, end: date, organization_id=None) -> dict:
    tenant = require_current_tenant()
    return {
        "tenant": tenant.pk,
        "tz": tenant.time_zone,
        "start": start,
        "end": end,
        "before": month_start(start, -1),
        "after": month_start(end, 1),
        "start_ts": _local_midnight(start, tenant.time_zone),
        "end_ts": _local_midnight(month_start(end, 1), tenant.time_zone),
        "org": organization_id,
        "now": timezone.now(),
    }


def _local_midnight(day: date, tz: str):
    import zoneinfo
    from datetime import datetime, time

    return datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(tz))


def _run(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rollup_rebuild(*, months: int = 13, today: date | None = None) -> int:
    """Recompute the last `months` months (this one included) of every partner and of the
    program. Returns the number of rows written."""
    end = month_start(today or tenant_today())
    start = month_start(end, -(months - 1))
    return _run(rollup_sql(group="both"), _params(start=start, end=end))


def rollup_refresh_partner(*, organization_id, today: date | None = None) -> int:
    """Recompute the current month of one partner, and the program's current month."""
    month = month_start(today or tenant_today())
    params = _params(start=month, end=month, organization_id=organization_id)
    written = _run(rollup_sql(group="partner", one_partner=True), params)
    written += _run(rollup_sql(group="program"), params)
    return written
