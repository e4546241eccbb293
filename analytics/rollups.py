# ruff: noqa: S608 - SQL text built from this module's constants and analytics.metrics; values are parameters
"""Keeping MonthlyMetrics: one set-based statement per rebuild, never a loop over rows.

`rollup_rebuild(months=13)` recomputes the last `months` months of every partner and of
the program; `rollup_refresh_partner(organization_id=...)` recomputes the current month of
one partner and of the program. Both run the same SQL (built from analytics.metrics), as
`INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`: running it twice gives the same
rows, so a retried job doubles nothing. A row whose figures are unchanged is not
rewritten (no new row version: the nightly job writes what changed); the rebuild's time
is kept in `RollupRun`, the "as of" of the rows it left as they were.

Months are calendar months in the tenant's time zone: a deal approved at 23:30 UTC on
31 January is a February approval in Berlin.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from prm.tenancy.context import require_current_tenant

from .metrics import (
    AGGREGATES,
    DERIVED,
    METRICS,
    PER_MOTION,
    SOURCES,
    Source,
    month_of,
    month_of_day,
)

# The tenant's deals, read once (one scan) with the months of their events computed once;
# the deal sources of analytics.metrics read this. {org_d} narrows it to one partner.
DEALS = f"""
    SELECT d.id, d.organization_id, d.motion_id, d.status, d.amount,
           coalesce(d.final_amount, d.amount) AS won_amount, d.first_submitted_at,
           {month_of("d.first_submitted_at")} AS submitted_month,
           {month_of("d.approved_at")} AS approved_month,
           date_part('epoch', d.approved_at - d.first_submitted_at) / 3600 AS approve_hours,
           CASE d.status
               WHEN 'won' THEN {month_of_day("d.closed_on")}
               WHEN 'lost' THEN {month_of_day("d.closed_on")}
               WHEN 'expired' THEN {month_of_day("d.protection_expires_on")}
           END AS closed_month
    FROM deals_deal d
    WHERE d.tenant_id = %(tenant)s {{org_d}}"""

# The program's rows have no organization; inside the statement they are keyed by this
# value so that every join and window is on a non-null key (hashable, unlike
# IS NOT DISTINCT FROM).
PROGRAM_KEY = "00000000-0000-0000-0000-000000000000"
_PROGRAM = f"'{PROGRAM_KEY}'::uuid"


def _grouping(group: str, *extra: str) -> tuple[str, str]:
    """(org_key expression, GROUP BY clause) of a source's aggregate for `group`."""
    keys = ", ".join([*extra, "month"])
    if group == "partner":
        return "organization_id", f"GROUP BY organization_id, {keys}"
    if group == "program":
        return _PROGRAM, f"GROUP BY {keys}"
    # Both in one pass: the program's row is the grouping set without the organization
    # (its medians and distinct counts are its own, not sums of the partners').
    return (
        f"CASE WHEN GROUPING(organization_id) = 0 THEN organization_id ELSE {_PROGRAM} END",
        f"GROUP BY GROUPING SETS ((organization_id, {keys}), ({keys}))",
    )


def _per_motion_cte(m, grouped: str) -> str:
    """`j_<metric>`: per (partner or program, month), the JSON object {motion id: value}
    of a per-motion metric (zero values left out) from the `grouped` rows. A running
    metric is the sum up to each month: every row of a (partner, motion) carries its
    running sum over the months until that pair's next row (or the window's end)."""
    if not m.running:
        return f"""j_{m.name} AS (
    SELECT org_key, month,
           jsonb_object_agg(motion_id::text, {m.name}) FILTER (WHERE {m.name} <> 0) AS {m.name}
    FROM {grouped}
    GROUP BY org_key, month
)"""
    return f"""j_{m.name} AS (
    SELECT r.org_key, g.month::date AS month,
           jsonb_object_agg(r.motion_id::text, r.value) FILTER (WHERE r.value <> 0) AS {m.name}
    FROM (
        SELECT org_key, motion_id, month,
               sum(coalesce({m.name}, 0)) OVER w AS value, lead(month) OVER w AS next_month
        FROM {grouped}
        WINDOW w AS (PARTITION BY org_key, motion_id ORDER BY month)
    ) AS r
    CROSS JOIN LATERAL generate_series(
        r.month, coalesce(r.next_month - interval '1 month', %(end)s::date), interval '1 month'
    ) AS g(month)
    GROUP BY r.org_key, g.month
)"""


def _installed(source: Source) -> bool:
    return not source.app or apps.is_installed(source.app)


def rollup_sql(*, group: str, one_partner: bool = False, only_changed: bool = True) -> str:
    """The statement that upserts a window of months: `group` is "partner", "program" or
    "both" (one pass over the sources for the partners' rows and the program's).

    `only_changed`: a row whose figures are what they were is left as it is (no new row
    version, `computed_at` kept: the time its figures were last found different)."""
    org_d = "AND d.organization_id = %(org)s" if one_partner else ""
    ctes = [f"d AS MATERIALIZED ({DEALS.format(org_d=org_d)}\n)"]
    joins: list[str] = []
    columns: dict[str, str] = {}

    used: list[str] = []

    def source_sql(source: Source) -> str:
        """The name of the source's rows (a CTE, read once however many use it)."""
        if source.name not in used:
            org = f"AND {source.org_alias}.organization_id = %(org)s" if one_partner else ""
            sql = source.sql.format(org=org) if source.org_alias else source.sql
            ctes.append(f"src_{source.name} AS (\n    {sql}\n)")
            used.append(source.name)
        return f"src_{source.name}"

    for source in SOURCES:
        metrics = [m for m in AGGREGATES if m.source == source.name]
        per_motion = [m for m in PER_MOTION if m.source == source.name]
        if not metrics and not per_motion:
            continue
        if not _installed(source):
            for m in metrics:
                columns[m.name] = "NULL" if m.nullable else "0"
            for m in per_motion:
                columns[m.name] = "'{}'::jsonb"
            continue
        name = f"s_{source.name}"
        if per_motion:
            # One pass over the source per (partner, motion, month): the per-motion
            # values, and the source's other metrics, which are counts and sums and so
            # add up over the motions to the (partner, month) figure.
            assert all(m.additive for m in metrics), f"{source.name}: per-motion needs sums"
            key, grouping = _grouping(group, "motion_id")
            figures = ",\n        ".join(
                f"{m.aggregate} AS {m.name}" for m in [*metrics, *per_motion]
            )
            ctes.append(
                f"""g_{source.name} AS (
    SELECT {key} AS org_key, motion_id, month,
        {figures}
    FROM {source_sql(source)}
    {grouping}
)"""
            )
            if metrics:
                sums = ", ".join(f"sum({m.name}) AS {m.name}" for m in metrics)
                ctes.append(
                    f"""{name} AS (
    SELECT org_key, month, {sums} FROM g_{source.name} GROUP BY org_key, month
)"""
                )
            for m in per_motion:
                ctes.append(_per_motion_cte(m, f"g_{source.name}"))
                joins.append(f"LEFT JOIN j_{m.name} USING (org_key, month)")
                columns[m.name] = f"coalesce(j_{m.name}.{m.name}, '{{}}'::jsonb)"
        else:
            key, grouping = _grouping(group)
            figures = ",\n        ".join(f"{m.aggregate} AS {m.name}" for m in metrics)
            ctes.append(
                f"""{name} AS (
    SELECT {key} AS org_key, month,
        {figures}
    FROM {source_sql(source)}
    {grouping}
)"""
            )
        if metrics:
            joins.append(f"LEFT JOIN {name} USING (org_key, month)")
        for m in metrics:
            columns[m.name] = f"{name}.{m.name}" if m.nullable else f"coalesce({name}.{m.name}, 0)"

    org_o = "AND o.id = %(org)s" if one_partner else ""
    months = "generate_series(%(before)s::date, %(end)s::date, interval '1 month') AS g(month)"
    partner_grid = f"""
        SELECT o.id AS org_key, g.month::date AS month
        FROM partners_partnerorganization o CROSS JOIN {months}
        WHERE o.tenant_id = %(tenant)s {org_o}"""
    program_grid = f"""
        SELECT {_PROGRAM} AS org_key, g.month::date AS month FROM {months}"""
    grid = {
        "partner": partner_grid,
        "program": program_grid,
        "both": f"{partner_grid}\n        UNION ALL{program_grid}",
    }[group]
    ctes.append(f"grid AS ({grid}\n)")
    filled = ",\n    ".join(f"{expr} AS {name}" for name, expr in columns.items())
    ctes.append(
        f"""filled AS (
    SELECT org_key, nullif(org_key, {_PROGRAM}) AS organization_id, month,
    {filled}
    FROM grid
    {" ".join(joins)}
)"""
    )
    derived = ",\n    ".join(f"{m.derived} AS {m.name}" for m in DERIVED)
    ctes.append(f"final AS (\n    SELECT filled.*,\n    {derived}\n    FROM filled\n)")
    names = [m.name for m in METRICS]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*names, "computed_at"])
    changed = ""
    if only_changed:
        mine = ", ".join(f"analytics_monthlymetrics.{c}" for c in names)
        theirs = ", ".join(f"EXCLUDED.{c}" for c in names)
        changed = f"\nWHERE ({mine}) IS DISTINCT FROM ({theirs})"
    return f"""
WITH {",\n".join(ctes)}
INSERT INTO analytics_monthlymetrics
    (id, tenant_id, organization_id, month, {", ".join(names)}, computed_at)
SELECT gen_random_uuid(), %(tenant)s, organization_id, month, {", ".join(names)}, %(now)s
FROM final
WHERE month >= %(start)s
ON CONFLICT (tenant_id, organization_id, month) DO UPDATE SET {updates}{changed}
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


def _params(*, start: date, end: date, today: date, organization_id=None) -> dict:
    tenant = require_current_tenant()
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    return {
        # The first days of the months of the window and of the month after it, and their
        # local midnights (analytics.metrics.month_of).
        "days": [month_start(start, k) for k in range(count + 1)],
        "bounds": [
            _local_midnight(month_start(start, k), tenant.time_zone) for k in range(count + 1)
        ],
        "tenant": tenant.pk,
        "tz": tenant.time_zone,
        "currency": tenant.currency,
        "today": today,
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
    """Run one rollup statement in a transaction, without JIT compilation: the
    statement's many small aggregates make the planner's cost estimate large enough to
    compile (and optimize) hundreds of expressions, which takes longer than the
    statement itself runs."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.rowcount


def rollup_rebuild(*, months: int = 13, today: date | None = None) -> int:
    """Recompute the last `months` months (this one included) of every partner and of the
    program. Returns the number of rows written."""
    from .models import RollupRun

    today = today or tenant_today()
    end = month_start(today)
    start = month_start(end, -(months - 1))
    params = _params(start=start, end=end, today=today)
    written = _run(rollup_sql(group="both"), params)
    RollupRun.objects.update_or_create(
        defaults={"rebuilt_at": params["now"], "rows_written": written}
    )
    return written


def rollup_refresh_partner(*, organization_id, today: date | None = None) -> int:
    """Recompute the current month of one partner, and the program's current month."""
    today = today or tenant_today()
    month = month_start(today)
    params = _params(start=month, end=month, today=today, organization_id=organization_id)
    written = _run(rollup_sql(group="partner", one_partner=True), params)
    written += _run(rollup_sql(group="program"), params)
    return written
