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

from django.apps import apps
from django.db import connection
from django.utils import timezone

from prm.tenancy.context import require_current_tenant

from .metrics import (
    AGGREGATES,
    DERIVED,
    METRICS,
    PER_MOTION,
    SOURCE_BY_NAME,
    SOURCES,
    Source,
    month_of,
)

# The tenant's deals, read once (one scan) with the months of their events computed once;
# the deal sources of analytics.metrics read this. {org_d} narrows it to one partner.
DEALS = f"""
    SELECT d.id, d.organization_id, d.motion_id, d.status, d.amount,
           coalesce(d.final_amount, d.amount) AS won_amount, d.first_submitted_at,
           {month_of("d.first_submitted_at")} AS submitted_month,
           {month_of("d.approved_at")} AS approved_month,
           extract(epoch FROM d.approved_at - d.first_submitted_at)::float8 / 3600
               AS approve_hours,
           CASE d.status
               WHEN 'won' THEN date_trunc('month', d.closed_on)::date
               WHEN 'lost' THEN date_trunc('month', d.closed_on)::date
               WHEN 'expired' THEN date_trunc('month', d.protection_expires_on)::date
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

    def source_sql(source: Source) -> str:
        org = f"AND {source.org_alias}.organization_id = %(org)s" if one_partner else ""
        return source.sql.format(org=org) if source.org_alias else source.sql

    for source in SOURCES:
        metrics = [m for m in AGGREGATES if m.source == source.name]
        if not metrics:
            continue
        if not _installed(source):
            for m in metrics:
                columns[m.name] = "NULL" if m.nullable else "0"
            continue
        key, grouping = _grouping(group)
        figures = ",\n        ".join(f"{m.aggregate} AS {m.name}" for m in metrics)
        name = f"s_{source.name}"
        ctes.append(
            f"""{name} AS (
    SELECT {key} AS org_key, month,
        {figures}
    FROM ({source_sql(source)}) AS src
    {grouping}
)"""
        )
        joins.append(f"LEFT JOIN {name} USING (org_key, month)")
        for m in metrics:
            columns[m.name] = f"{name}.{m.name}" if m.nullable else f"coalesce({name}.{m.name}, 0)"
    for m in PER_MOTION:
        source = SOURCE_BY_NAME[m.source]
        if not _installed(source):
            columns[m.name] = "'{}'::jsonb"
            continue
        key, grouping = _grouping(group, "motion_id")
        ctes.append(
            f"""pm_{m.name} AS (
    SELECT {key} AS org_key, motion_id, month, {m.aggregate} AS value
    FROM ({source_sql(source)}) AS src
    {grouping}
)"""
        )
        values = f"pm_{m.name}"
        if m.running:
            # Month-end figure: the running sum over every month of the grid, for each
            # (partner, motion) that has any row.
            ctes.append(
                f"""pr_{m.name} AS (
    SELECT p.org_key, p.motion_id, g.month::date AS month,
           sum(coalesce(v.value, 0)) OVER (
               PARTITION BY p.org_key, p.motion_id ORDER BY g.month) AS value
    FROM (SELECT DISTINCT org_key, motion_id FROM pm_{m.name}) AS p
    CROSS JOIN generate_series(%(before)s::date, %(end)s::date, interval '1 month') AS g(month)
    LEFT JOIN pm_{m.name} v
         ON v.org_key = p.org_key AND v.motion_id = p.motion_id AND v.month = g.month::date
)"""
            )
            values = f"pr_{m.name}"
        ctes.append(
            f"""j_{m.name} AS (
    SELECT org_key, month,
           jsonb_object_agg(motion_id::text, value) FILTER (WHERE value <> 0) AS {m.name}
    FROM {values}
    GROUP BY org_key, month
)"""
        )
        joins.append(f"LEFT JOIN j_{m.name} USING (org_key, month)")
        columns[m.name] = f"coalesce(j_{m.name}.{m.name}, '{{}}'::jsonb)"

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
    return {
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rollup_rebuild(*, months: int = 13, today: date | None = None) -> int:
    """Recompute the last `months` months (this one included) of every partner and of the
    program. Returns the number of rows written."""
    today = today or tenant_today()
    end = month_start(today)
    start = month_start(end, -(months - 1))
    return _run(rollup_sql(group="both"), _params(start=start, end=end, today=today))


def rollup_refresh_partner(*, organization_id, today: date | None = None) -> int:
    """Recompute the current month of one partner, and the program's current month."""
    today = today or tenant_today()
    month = month_start(today)
    params = _params(start=month, end=month, today=today, organization_id=organization_id)
    written = _run(rollup_sql(group="partner", one_partner=True), params)
    written += _run(rollup_sql(group="program"), params)
    return written
