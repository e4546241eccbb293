"""The nightly earnings job of one tenant against its SQL floor, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_incentives \\
    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/incentives_job.py [--runs 5]

On a database filled by bench/generate.py. For the busiest tenant it times, as the
application role under row-level security:
- the floor: the aggregate the job rests on, alone (won revenue per partner of a period,
  one GROUP BY), read to the client;
- the job: `rebate_post_period` for the same period (the aggregate, the marginal bands,
  the difference to what was posted, the accounts, the entries and the running totals),
  each run for a fresh program so every run inserts its entries;
and the peak Python memory of the job (tracemalloc) for a month and for a quarter, to
show it does not grow with the number of deals (the work is set-based SQL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from incentives import services  # noqa: E402
from incentives.choices import PeriodUnit, ProgramKind  # noqa: E402
from incentives.models import IncentiveProgram, LedgerEntry  # noqa: E402
from prm.tenancy.context import tenant_context  # noqa: E402
from prm.tenancy.models import Tenant  # noqa: E402

FLOOR_SQL = """
SELECT d.organization_id, sum(coalesce(d.final_amount, d.amount))
FROM deals_deal d
WHERE d.tenant_id = %s AND d.status = 'won' AND d.closed_on BETWEEN %s AND %s
GROUP BY d.organization_id
"""

# The same aggregate, written: one entry per partner at a flat rate and the accounts'
# running totals, in one statement, committed. What any job posting these entries must
# at least do (no eligibility, bands, difference to what was posted, or locks).
WRITE_FLOOR_SQL = """
WITH agg AS (
    SELECT d.organization_id, round(sum(coalesce(d.final_amount, d.amount)) * 0.02, 2) AS amount
    FROM deals_deal d
    WHERE d.tenant_id = %(tenant)s AND d.status = 'won'
      AND d.closed_on BETWEEN %(start)s AND %(end)s
    GROUP BY d.organization_id
),
inserted AS (
    INSERT INTO incentives_ledgerentry
        (id, tenant_id, account_id, organization_id, kind, currency, amount, running_balance,
         cause, description, key, program_id, period_start, created_at)
    SELECT gen_random_uuid(), %(tenant)s, a.id, agg.organization_id, 'earnings', a.currency,
           agg.amount, a.balance + agg.amount, 'rebate', 'floor',
           'floor:' || %(program)s || ':' || agg.organization_id, %(program)s, %(start)s, now()
    FROM agg JOIN incentives_ledgeraccount a
      ON a.tenant_id = %(tenant)s AND a.organization_id = agg.organization_id
     AND a.kind = 'earnings' AND a.currency = %(currency)s
    RETURNING account_id, amount
)
UPDATE incentives_ledgeraccount a
SET balance = a.balance + s.total, entry_count = a.entry_count + s.n
FROM (SELECT account_id, sum(amount) AS total, count(*) AS n FROM inserted GROUP BY account_id) s
WHERE a.id = s.account_id
"""


def _program(tenant) -> IncentiveProgram:
    return services.program_save(
        program=IncentiveProgram(
            name=f"Bench rebate {uuid.uuid4().hex[:8]}",
            kind=ProgramKind.REBATE,
            currency=tenant.currency,
            starts_on=services.period_start(tenant_first_close, PeriodUnit.MONTH),
            period_unit=PeriodUnit.QUARTER,
            requires_agreement=True,
        ),
        bands=[
            services.BandInput(Decimal("0"), Decimal("2")),
            services.BandInput(Decimal("100000"), Decimal("4")),
        ],
    )


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    global tenant_first_close
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed-pages", action="store_true")
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
    tenant = Tenant.objects.order_by("pk").first()
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_trunc('quarter', closed_on)::date, count(*), min(closed_on) "
            "FROM deals_deal WHERE tenant_id = %s AND status = 'won' "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
            [tenant.pk],
        )
        quarter, won_in_quarter, first = cursor.fetchone()
        cursor.execute("SELECT min(closed_on) FROM deals_deal WHERE tenant_id = %s", [tenant.pk])
        tenant_first_close = cursor.fetchone()[0] or first
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'won') FROM deals_deal "
            "WHERE tenant_id = %s",
            [tenant.pk],
        )
        deals, won = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM partners_partnerorganization WHERE tenant_id = %s", [tenant.pk]
        )
        partners = cursor.fetchone()[0]
    q_start = quarter
    q_end = services.period_end(q_start, PeriodUnit.QUARTER)
    print(f"role={role} tenant={tenant.slug} deals={deals} won={won} partners={partners}")
    print(f"period {q_start}..{q_end}: {won_in_quarter} won deals")

    floor_ms, write_floor_ms, job_ms, entries = [], [], [], []
    # The accounts exist after the first posting: the write floor only posts entries.
    with tenant_context(tenant):
        services.rebate_post_period(program=_program(tenant), start=q_start, end=q_end)
    for _ in range(args.runs):
        with tenant_context(tenant), transaction.atomic(), connection.cursor() as cursor:

            def floor(cursor=cursor):
                cursor.execute(FLOOR_SQL, [tenant.pk, q_start, q_end])
                cursor.fetchall()

            floor_ms.append(_timed(floor))
        with tenant_context(tenant):
            floor_program = _program(tenant)

            def write_floor(program=floor_program):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        WRITE_FLOOR_SQL,
                        {
                            "tenant": tenant.pk,
                            "program": str(program.pk),
                            "start": q_start,
                            "end": q_end,
                            "currency": tenant.currency,
                        },
                    )

            write_floor_ms.append(_timed(write_floor))
        with tenant_context(tenant):
            program = _program(tenant)
            job_ms.append(
                _timed(
                    lambda p=program: services.rebate_post_period(
                        program=p, start=q_start, end=q_end
                    )
                )
            )
            entries.append(LedgerEntry.objects.filter(program=program).count())

    peaks = {}
    for unit in (PeriodUnit.MONTH, PeriodUnit.QUARTER):
        end = services.period_end(q_start, unit)
        with tenant_context(tenant):
            program = _program(tenant)
            tracemalloc.start()
            services.rebate_post_period(program=program, start=q_start, end=end)
            peaks[unit] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM deals_deal WHERE tenant_id = %s AND status = 'won' "
                    "AND closed_on BETWEEN %s AND %s",
                    [tenant.pk, q_start, end],
                )
                peaks[f"{unit}_deals"] = cursor.fetchone()[0]

    f, j = statistics.median(floor_ms), statistics.median(job_ms)
    print(f"floor (aggregate only) ms: {[round(x, 1) for x in floor_ms]} median {f:.1f}")
    print(f"job (rebate_post_period) ms: {[round(x, 1) for x in job_ms]} median {j:.1f}")
    print(f"entries posted per run: {entries}")
    w = statistics.median(write_floor_ms)
    print(
        f"write floor (same aggregate, entries and totals posted) ms: "
        f"{[round(x, 1) for x in write_floor_ms]} median {w:.1f}"
    )
    print(f"ratio job/floor: {j / f:.2f} (target <= 1.5, against the read-only aggregate)")
    print(f"ratio job/write floor: {j / w:.2f} (against the same aggregate written)")
    print(
        f"peak Python memory: month ({peaks['month_deals']} won deals) "
        f"{peaks['month'] / 1024:.0f} KiB, quarter ({peaks['quarter_deals']} won deals) "
        f"{peaks['quarter'] / 1024:.0f} KiB"
    )
    if args.seed_pages:
        seed_pages(tenant)


def seed_pages(tenant, rows: int = 60) -> None:
    """Rows for the page benchmark: entries and waiting fund requests of the busiest
    partner (the one bench/prepare.py signs in), through the services."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from deals.models import Deal
    from incentives.choices import AccountKind, EntryCause
    from incentives.models import Fund, FundRequest
    from partners.models import PartnerOrganization
    from prm.tenancy.models import Membership

    with tenant_context(tenant):
        busiest = (
            Deal.objects.values("organization_id").annotate(n=Count("id")).order_by("-n").first()
        )
        org = PartnerOrganization.objects.get(pk=busiest["organization_id"])
        partner = Membership.objects.filter(partner_organization=org, role="partner").first()
        admin = Membership.objects.filter(role="admin").first()
        for i in range(rows):
            services.entry_post(
                organization_id=org.pk,
                kind=AccountKind.POINTS,
                currency="PTS",
                posting=services.Posting(
                    amount=Decimal("10"),
                    cause=EntryCause.POINTS_DEAL_WON,
                    description=f"Bench points {i}",
                    key=f"bench:{org.pk}:{i}:{uuid.uuid4().hex}",
                ),
            )
        today = timezone.localdate()
        fund = services.fund_save(
            fund=Fund(
                name=f"Bench fund {uuid.uuid4().hex[:6]}",
                currency=tenant.currency,
                amount=Decimal("1000000"),
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=60),
            )
        )
        allocation = services.allocation_set(
            fund=fund, organization=org, amount=Decimal("100000"), acting_membership=admin
        )
        # Straight rows (the agreement gate of generated partners is not the point here).
        FundRequest.objects.bulk_create(
            [
                FundRequest(
                    tenant=tenant,
                    allocation=allocation,
                    organization=org,
                    title=f"Bench activity {i}",
                    activity_type="event",
                    description="Benchmark request",
                    starts_on=today,
                    ends_on=today,
                    planned_spend=Decimal("100"),
                    submitted_by=partner.user,
                )
                for i in range(rows)
            ]
        )
    print(f"seeded {rows} entries and {rows} fund requests for {org.name}")


tenant_first_close = None

if __name__ == "__main__":
    main()
