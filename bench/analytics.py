"""The analytics rollups at bench size: full rebuild against the SQL floor, and the SQL
time of the KPI tiles.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_analytics \\
        .venv/bin/python bench/analytics.py [runs]

1. the floors, as the owner role (no row-level security): bench/rollup.sql through psql
   (\\timing), the rollup as first specified (4 figures, one GROUP BY over every deal);
   bench/rollup_same.sql, every figure the rollup has now as plain GROUP BYs (one per
   kind of row, summed); and the rebuild's own statement read as a plain SELECT (no
   upsert). The floor of the same figures is the cheaper of the last two;
2. the rebuild: `analytics.rollups.rollup_rebuild()` (13 months, every partner and the
   program) for every tenant, as the nightly job runs it (application role, RLS, one
   transaction per tenant); wall time and the process's peak RSS before and after;
3. the KPI tiles: the queries of the console home's tiles (`program_trailing`) and of a
   partner's (`partners_trailing`), their SQL time as measured by the driver, median of 50.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from analytics import rollups, selectors  # noqa: E402
from analytics.metrics import METRICS  # noqa: E402
from analytics.models import MonthlyMetrics  # noqa: E402
from partners.models import PartnerOrganization  # noqa: E402
from prm.tenancy.context import tenant_context  # noqa: E402
from prm.tenancy.db import owner_connection  # noqa: E402
from prm.tenancy.models import Tenant  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _psql_times(script: str) -> list[float]:
    """Seconds of each statement of a psql script (\\timing), run as the owner."""
    out = subprocess.run(
        [
            "psql",
            os.environ["DATABASE_URL"],
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
            str(ROOT / script),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [float(t) / 1000 for t in re.findall(r"Time: ([\d.]+) ms", out)]


def sql_floor() -> float:
    """Seconds of bench/rollup.sql's per-partner-per-month GROUP BY (4 figures, the
    rollup as first specified)."""
    return _psql_times("bench/rollup.sql")[-1]


def same_figures_floor() -> float:
    """Seconds of bench/rollup_same.sql: every figure of the rollup as it is now, one
    plain GROUP BY per kind of row, summed."""
    return sum(_psql_times("bench/rollup_same.sql"))


def rebuild_select_floor(tenants) -> float:
    """The rebuild's own statement as a plain SELECT (no upsert, no RLS): its best case."""
    started = time.perf_counter()
    with owner_connection():
        for tenant in tenants:
            with tenant_context(tenant):
                sql = rollups.rollup_sql(group="both")
                head = sql.split("INSERT INTO")[0]
                # Every figure is read, so the planner cannot drop any source's aggregate.
                figures = ", ".join(
                    f"count(*) FILTER (WHERE {m.name} <> '{{}}')"
                    if m.per_motion
                    else f"sum({m.name}::numeric)"
                    for m in METRICS
                )
                select = f"{head} SELECT count(*), {figures} FROM final"  # noqa: S608
                params = rollups._params(
                    start=rollups.month_start(rollups.tenant_today(), -12),
                    end=rollups.month_start(rollups.tenant_today()),
                    today=rollups.tenant_today(),
                )
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")  # as the rebuild runs it
                    cursor.execute(select, params)
                    cursor.fetchone()
    return time.perf_counter() - started


def empty_rollups() -> None:
    """Delete every rollup row (owner role) and vacuum, as before a first rebuild."""
    with owner_connection(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM analytics_monthlymetrics")
        cursor.execute("VACUUM analytics_monthlymetrics")


def rebuild_all(tenants) -> tuple[float, int]:
    started = time.perf_counter()
    rows = 0
    for tenant in tenants:
        with tenant_context(tenant), transaction.atomic():
            rows += rollups.rollup_rebuild()
    return time.perf_counter() - started, rows


def _execution_ms(queries) -> float:
    """Database time of the captured queries: EXPLAIN ANALYZE's execution time, summed."""
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute("EXPLAIN (ANALYZE) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            total += float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    return total


def kpi_sql_ms(tenant) -> dict[str, float]:
    """Median over 50 of the tiles' SQL: round trip at the driver, and database time."""
    with tenant_context(tenant), transaction.atomic():
        organizations = list(PartnerOrganization.objects.order_by("name")[:50])
        samples: dict[str, list[float]] = {}
        for _ in range(50):
            for name, read in (
                ("program tiles", lambda: selectors.program_trailing()),
                (
                    "partner tiles",
                    lambda: selectors.partners_trailing(organization_ids=[organizations[0].pk]),
                ),
                (
                    "partner list, 50 rows",
                    lambda: selectors.partners_trailing(
                        organization_ids=[o.pk for o in organizations]
                    ),
                ),
            ):
                with CaptureQueriesContext(connection) as captured:
                    read()
                own = [
                    q for q in captured.captured_queries if "analytics_monthlymetrics" in q["sql"]
                ]
                samples.setdefault(f"{name}: driver", []).append(
                    sum(float(q["time"]) for q in own) * 1000
                )
                samples.setdefault(f"{name}: database", []).append(_execution_ms(own))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    tenants = list(Tenant.objects.filter(is_active=True).order_by("pk"))
    print(f"database: {settings.DATABASES['default']['NAME']}, tenants: {len(tenants)}")
    with tenant_context(tenants[0]):
        pass
    print(f"peak RSS at start: {rss_mb():.0f} MB")
    for run in range(1, runs + 1):
        floor = sql_floor()
        same = same_figures_floor()
        select = rebuild_select_floor(tenants)
        # The floor of the same figures: the cheaper of the plain GROUP BYs and the
        # rebuild's own statement read as a SELECT.
        best = min(same, select)
        # From an empty table (every row inserted), then again over the rows in place
        # (the nightly job's case: only the rows whose figures changed are written).
        empty_rollups()
        fresh, written = rebuild_all(tenants)
        again, rewritten = rebuild_all(tenants)
        floor_after = sql_floor()
        print(
            f"run {run}: 4-figure floor (bench/rollup.sql) {floor:.2f} s before, "
            f"{floor_after:.2f} s after; same figures as plain GROUP BYs "
            f"(bench/rollup_same.sql) {same:.2f} s; rebuild as SELECT {select:.2f} s; "
            f"rebuild into an empty table {fresh:.2f} s = {fresh / best:.2f}x the same-figures "
            f"floor, {fresh / floor:.2f}x the 4-figure one ({written} rows written); "
            f"rebuild again {again:.2f} s = {again / best:.2f}x / {again / floor:.2f}x "
            f"({rewritten} rows written); peak RSS {rss_mb():.0f} MB"
        )
    total_rows = 0
    for tenant in tenants:
        with tenant_context(tenant):
            total_rows += MonthlyMetrics.objects.count()
    print(f"rollup rows in all: {total_rows}")
    for name, ms in kpi_sql_ms(tenants[0]).items():
        print(f"KPI SQL, median of 50, {name}: {ms:.2f} ms")


if __name__ == "__main__":
    main()
