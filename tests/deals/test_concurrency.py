"""Races: two partners registering the same customer at once, and one partner's double submit.

Each thread has its own database connection (Django opens one per thread) and its own
transaction, exactly like two web processes.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from deals import services
from deals.choices import DealStatus
from deals.models import Deal, DealConflict, DealTransition
from prm.tenancy.context import tenant_context
from tests.deals.factories import ProductFactory, motion_with_stages
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(*calls):
    """Start every call at the same instant in its own thread; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def world():
    tenant = TenantFactory(slug="race", name="Race")
    with tenant_context(tenant):
        motion = motion_with_stages(key="race-motion")
        product = ProductFactory()
        partners = []
        for name in ("Northwind", "Contoso"):
            org = PartnerOrganizationFactory(name=name)
            partners.append(
                MembershipFactory(
                    role="partner", partner_organization=org, partner_role="partner_admin"
                )
            )
    return tenant, motion, product, partners


def _register(tenant, motion, product, member, *, key=None, customer="Globex Corporation"):
    def call():
        with tenant_context(tenant):
            return services.deal_create(
                organization=member.partner_organization,
                acting_membership=member,
                motion=motion,
                data={
                    "customer_name": customer,
                    "customer_domain": "globex.example",
                    "country": "US",
                    "expected_close_date": timezone.localdate() + timedelta(days=30),
                },
                lines=[services.LineInput(product=product, quantity=1, amount=Decimal("100"))],
                idempotency_key=key,
                submit=True,
            )

    return call


def test_two_partners_same_customer_same_moment(world):
    tenant, motion, product, (northwind, contoso) = world
    results = _run_together(
        _register(tenant, motion, product, northwind),
        _register(tenant, motion, product, contoso, customer="GLOBEX Corp."),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    with tenant_context(tenant):
        deals = list(Deal.objects.order_by("first_submitted_at", "number"))
        assert len(deals) == 2 and all(d.status == DealStatus.SUBMITTED for d in deals)
        assert sorted(d.number for d in deals) == [1, 2]
        # Exactly one conflict, and it names the first-comer (by submission time, then
        # number) as the earlier registration.
        conflict = DealConflict.objects.get()
        first, later = deals
        assert (conflict.other_deal_id, conflict.deal_id) == (first.pk, later.pk)
        assert (first.first_submitted_at, first.number) < (later.first_submitted_at, later.number)
        from deals.selectors import conflict_first_comer

        assert conflict_first_comer(conflict=conflict) == first


def test_same_partner_double_submit_makes_one_deal(world):
    tenant, motion, product, (northwind, _contoso) = world
    results = _run_together(
        *[_register(tenant, motion, product, northwind, key="same-form") for _ in range(3)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    with tenant_context(tenant):
        assert Deal.objects.count() == 1
        deal = Deal.objects.get()
        assert {r.pk for r in results} == {deal.pk}
        assert deal.status == DealStatus.SUBMITTED
        assert DealTransition.objects.filter(deal=deal, to_value="submitted").count() == 1
        assert not DealConflict.objects.exists()


def test_two_tabs_submitting_the_same_draft(world):
    tenant, motion, product, (northwind, _contoso) = world
    with tenant_context(tenant):
        draft = services.deal_create(
            organization=northwind.partner_organization,
            acting_membership=northwind,
            motion=motion,
            data={
                "customer_name": "Initech",
                "customer_domain": "initech.example",
                "country": "US",
                "expected_close_date": timezone.localdate() + timedelta(days=30),
            },
            lines=[services.LineInput(product=product, quantity=1, amount=Decimal("1"))],
        )

    def submit():
        with tenant_context(tenant):
            return services.deal_submit(deal=draft, acting_membership=northwind)

    results = _run_together(submit, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    with tenant_context(tenant):
        assert DealTransition.objects.filter(deal=draft, to_value="submitted").count() == 1
