"""EXPLAIN (ANALYZE, BUFFERS) of the deal lists' main query, as the pages build it and
with the 50 rows picked first in a subquery (the fix tested here).

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/explain_lists.py

Runs as the application role inside the tenant (scoped manager + row-level security),
for a channel manager (all of the tenant's deals) and for the partner admin of the
busiest partner, with the querysets of deals.views / deals.api.views / deals.selectors.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Subquery  # noqa: E402

from deals import selectors  # noqa: E402
from deals.models import Deal  # noqa: E402
from prm.tenancy.context import tenant_context  # noqa: E402
from prm.tenancy.models import Membership, Tenant  # noqa: E402


def timed(queryset, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        list(queryset.all())  # .all(): a fresh queryset, no result cache
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def show(label: str, queryset) -> None:
    plan = queryset.explain(analyze=True, buffers=True)
    print(f"\n=== {label}: best of 5 = {timed(queryset):.1f} ms")
    print(plan)


def main() -> None:
    tenant = Tenant.objects.get(slug=os.environ.get("BENCH_TENANT", "bench01"))
    with tenant_context(tenant):
        cm = Membership.objects.filter(role="channel_manager").order_by("user__email").first()
        busiest = (
            Deal.objects.values("organization_id").annotate(n=Count("id")).order_by("-n").first()
        )
        partner = Membership.objects.filter(
            role="partner", partner_organization_id=busiest["organization_id"]
        ).first()
        for who, membership in (("channel manager", cm), ("partner", partner)):
            base = Deal.objects.visible_to(membership)
            page = base.with_list_relations().order_by("-number")[:50]
            show(f"{who}: deal list as built (with_list_relations, -number, 50)", page)
            newest = base.order_by("-number").values("pk")[:50]
            fixed = base.filter(pk__in=Subquery(newest)).with_list_relations().order_by("-number")
            show(f"{who}: same rows, the 50 ids picked in a subquery first", fixed)
        queue = selectors.review_queue(membership=cm)[:50]
        show("review queue (selectors.review_queue, first page)", queue)
        selectors.deal_list_figures(queryset=Deal.objects.visible_to(partner))
        started = time.perf_counter()
        counts, pipeline = selectors.deal_list_figures(queryset=Deal.objects.visible_to(partner))
        print(
            f"\n=== partner tiles and pipeline (selectors.deal_list_figures): "
            f"{len(counts)} statuses, {len(pipeline)} stages, "
            f"{(time.perf_counter() - started) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
