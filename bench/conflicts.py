"""The conflict check on submit, timed at the generated size, with its query plans.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/conflicts.py [--samples 200]

Calls deals.selectors.deal_conflicts_find(deal=...) — what deal submission runs — as the
application role, inside the tenant (scoped manager + row-level security), for a sample
of the tenant's pending registrations, and prints p50/p95/max and the matches found.
Then prints EXPLAIN (ANALYZE, BUFFERS) of every query of one call: the queries as the
application runs them, and the body of the SECURITY DEFINER trigram function (whose
inner plan EXPLAIN of the call does not show) as the owner role, with the same tenant.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from deals.models import Deal  # noqa: E402
from deals.selectors import deal_conflicts_find, deal_settings_get  # noqa: E402
from prm.tenancy.context import tenant_context  # noqa: E402
from prm.tenancy.models import Tenant  # noqa: E402


def explain(cursor, sql: str, params=None) -> str:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
    return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--tenant", default=os.environ.get("BENCH_TENANT", "bench01"))
    args = parser.parse_args()
    tenant = Tenant.objects.get(slug=args.tenant)
    with tenant_context(tenant):
        threshold = deal_settings_get().name_similarity_threshold
        total = Deal.objects.count()
        open_count = Deal.objects.open().count()
        # Pending registrations spread over the tenant: what a submit is checked like.
        deals = list(Deal.objects.filter(status="submitted").order_by("?")[: args.samples])
        for deal in deals[:5]:  # warm the caches and the connection
            deal_conflicts_find(deal=deal)
        timings, matches = [], []
        for deal in deals:
            started = time.perf_counter()
            found = deal_conflicts_find(deal=deal)
            timings.append((time.perf_counter() - started) * 1000)
            matches.append(len(found))
        timings.sort()
        p = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]  # noqa: E731
        print(f"tenant {tenant.slug}: {total} deals, {open_count} open; threshold {threshold}")
        print(f"deal_conflicts_find over {len(deals)} pending registrations (ms):")
        print(
            f"  p50 {statistics.median(timings):.2f}  p90 {p(0.9):.2f}  p95 {p(0.95):.2f}  "
            f"max {timings[-1]:.2f}  mean {statistics.mean(timings):.2f}"
        )
        print(
            f"  matches per check: median {statistics.median(matches)}, max {max(matches)}, "
            f"checks with a match {sum(1 for m in matches if m)}/{len(matches)}"
        )
        # The whole submission (deals.services.deal_submit: agreement gate, row lock,
        # transition record, conflict check and records, notifications) of draft
        # registrations, each in a transaction that is rolled back afterwards.
        from django.db import transaction

        from deals.services import deal_submit
        from prm.tenancy.models import Membership

        drafts = list(Deal.objects.filter(status="draft").order_by("?")[:50])
        submit_ms, failures = [], 0
        for draft in drafts:
            acting_membership = (
                Membership.objects.filter(partner_organization_id=draft.organization_id)
                .select_related("user")
                .first()
            )
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    deal_submit(deal=draft, acting_membership=acting_membership)
                    elapsed = (time.perf_counter() - started) * 1000
                    transaction.set_rollback(True)
                submit_ms.append(elapsed)
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                failures += 1
                print(f"  submit of {draft.reference} failed: {exc}")
        if submit_ms:
            submit_ms.sort()
            print(
                f"deal_submit end to end over {len(submit_ms)} drafts (rolled back, ms): "
                f"p50 {statistics.median(submit_ms):.2f}  "
                f"p95 {submit_ms[min(len(submit_ms) - 1, int(0.95 * len(submit_ms)))]:.2f}  "
                f"max {submit_ms[-1]:.2f}; failures {failures}"
            )
        # The slowest sample, explained query by query.
        worst = max(deals, key=lambda d: d.customer_name_normalized.count(" "))
        with CaptureQueriesContext(connection) as ctx:
            deal_conflicts_find(deal=worst)
        print(f"\nqueries of one call ({len(ctx)}), for {worst.customer_name!r}:")
        with connection.cursor() as cursor:
            for query in ctx.captured_queries:
                sql = query["sql"]
                print(f"\n-- {float(query['time']) * 1000:.2f} ms: {sql[:300]}")
                if sql.lstrip().upper().startswith("SELECT"):
                    print(explain(cursor, sql))
    db = settings.DATABASES["default"]
    owner = psycopg2.connect(
        dbname=db["NAME"],
        user=settings.DATABASE_OWNER_USER,
        password=settings.DATABASE_OWNER_PASSWORD or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    with owner.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, false)", [str(tenant.pk)])
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [str(threshold)]
        )
        cursor.execute(
            "SELECT pg_get_functiondef('deals_open_similar_names(text, real)'::regprocedure)"
        )
        body = cursor.fetchone()[0]
        print("\n-- inside deals_open_similar_names (run as the owner, same tenant):")
        print(
            explain(
                cursor,
                """
                SELECT d.id, similarity(d.customer_name_normalized, %s)
                FROM deals_deal d
                WHERE d.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint
                  AND d.status IN ('submitted', 'info_requested', 'approved')
                  AND d.customer_name_normalized %% %s
                ORDER BY 2 DESC LIMIT 200
                """,
                [worst.customer_name_normalized, worst.customer_name_normalized],
            )
        )
        print("\n-- the function as deployed:\n" + body)
    owner.close()


if __name__ == "__main__":
    main()
