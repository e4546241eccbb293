"""Reads over the rollups: trailing figures, series for charts, "as of"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import DateTimeField, Max, Subquery, Sum
from django.db.models.functions import Greatest

from prm.tenancy.context import require_current_tenant

from .metrics import METRICS, SNAPSHOTS, SUMMED
from .models import MonthlyMetrics, RollupRun
from .rollups import current_month, month_start


def _as_of():
    """The "as of" of a group of rows: the latest of their own writes and of the last
    full rebuild (which checked every row but rewrote only the changed ones)."""
    rebuilt = Subquery(RollupRun.objects.values("rebuilt_at")[:1], output_field=DateTimeField())
    return Greatest(Max("computed_at"), rebuilt)


def program_as_of() -> datetime | None:
    """When the program's rollups were last computed (None: never)."""
    found = MonthlyMetrics.objects.filter(organization__isnull=True).aggregate(
        as_of=_as_of(), written=Max("computed_at")
    )
    return found["as_of"] if found["written"] else None


def trailing_window(*, months: int = 12, end: date | None = None) -> tuple[date, date]:
    """(first month, last month) of the `months` months up to this one, inclusive."""
    last = end or current_month()
    return month_start(last, -(months - 1)), last


def _with_rates(row: dict) -> dict:
    won, lost = row.get("won_count") or 0, row.get("lost_count") or 0
    row["win_rate"] = round(Decimal(won * 100) / (won + lost), 1) if won + lost else None
    return row


def partners_trailing(
    *,
    organization_ids: Iterable,
    months: int = 12,
    end: date | None = None,
    only: Iterable[str] | None = None,
) -> dict:
    """Per partner: the summed metrics of the trailing window, its win rate, its month-end
    snapshots of the latest month (open pipeline, certified people; None without a row
    for that month) and as of when: {organization_id: {...}}. One query. `only` names
    the metrics wanted (the win rate needs won_count and lost_count), all by default.

    Written as SQL: built through the ORM (an annotation per metric, the "as of"
    subquery, a lookup per id) the statement cost more than running it, on every
    partner list page. Same figures and types (sums of counts are ints, of amounts
    Decimals); the tenant is named as in every other statement of this app."""
    ids = list(organization_ids)
    if not ids:
        return {}
    first, last = trailing_window(months=months, end=end)
    wanted = set(only) if only is not None else None
    summed = [n for n in SUMMED if wanted is None or n in wanted]
    snapshots = [n for n in SNAPSHOTS if wanted is None or n in wanted]
    columns = [
        *(f"sum({name})" for name in summed),
        *(f"sum({name}) FILTER (WHERE month = %(last)s)" for name in snapshots),
        # _as_of(): the latest of the rows' own writes and of the last full rebuild.
        "greatest(max(computed_at), (SELECT rebuilt_at FROM analytics_rolluprun"
        " WHERE tenant_id = %(tenant)s LIMIT 1))",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT organization_id, {", ".join(columns)}
            FROM analytics_monthlymetrics
            WHERE tenant_id = %(tenant)s AND organization_id = ANY(%(ids)s::uuid[])
              AND month >= %(first)s AND month <= %(last)s
            GROUP BY organization_id""",  # noqa: S608 - column names from METRICS
            {
                "tenant": require_current_tenant().pk,
                "ids": ids,
                "first": first,
                "last": last,
            },
        )
        names = (*summed, *snapshots, "as_of")
        return {row[0]: _with_rates(dict(zip(names, row[1:], strict=True))) for row in cursor}


def program_trailing(*, months: int = 12, end: date | None = None) -> dict | None:
    """The program's summed metrics over the trailing window (None: not computed yet)."""
    first, last = trailing_window(months=months, end=end)
    row = MonthlyMetrics.objects.filter(
        organization__isnull=True, month__gte=first, month__lte=last
    ).aggregate(**{name: Sum(name) for name in SUMMED}, as_of=_as_of(), written=Max("computed_at"))
    if row.pop("written") is None:
        return None
    latest = (
        MonthlyMetrics.objects.filter(organization__isnull=True, month=last)
        .values(*SNAPSHOTS, "median_decision_hours")
        .first()
    ) or {}
    row.update(latest)
    return _with_rates(row)


def series(*, organization_id=None, months: int = 12, end: date | None = None) -> list[dict]:
    """Month by month rows of one partner (or of the program), oldest first; months with
    no row yet are absent."""
    first, last = trailing_window(months=months, end=end)
    queryset = MonthlyMetrics.objects.filter(month__gte=first, month__lte=last)
    if organization_id is None:
        queryset = queryset.filter(organization__isnull=True)
    else:
        queryset = queryset.filter(organization_id=organization_id)
    return list(queryset.order_by("month").values("month", *[m.name for m in METRICS]))
