"""Factories and helpers for the deals app: rows made the way the services make them."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from deals import services
from deals.choices import StageOwner
from deals.models import Motion, MotionStage, Product, RoutingRule
from tests.factories import TenantOwnedFactory

_names = itertools.count(1)


class ProductFactory(TenantOwnedFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    family = "Platform"
    list_price = Decimal("1000.00")


class MotionFactory(TenantOwnedFactory):
    class Meta:
        model = Motion

    key = factory.Sequence(lambda n: f"motion-{n}")
    name = factory.Sequence(lambda n: f"Motion {n}")


class RoutingRuleFactory(TenantOwnedFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    priority = 10


def motion_with_stages(name="Co-sell", key=None) -> Motion:
    """A motion of four stages: partner, vendor, both, then won and lost."""
    motion = MotionFactory(name=name, key=key or f"{name.lower().replace(' ', '-')}-{next(_names)}")
    for position, (stage, owner, won, lost) in enumerate(
        [
            ("Qualify", StageOwner.PARTNER, False, False),
            ("Technical validation", StageOwner.VENDOR, False, False),
            ("Negotiate", StageOwner.BOTH, False, False),
            ("Closed won", StageOwner.BOTH, True, False),
            ("Closed lost", StageOwner.BOTH, False, True),
        ],
        start=1,
    ):
        MotionStage.objects.create(
            motion=motion,
            name=stage,
            position=position,
            owner=owner,
            sla_days=10,
            is_won=won,
            is_lost=lost,
        )
    return motion


def registration_data(customer="Globex Corporation", domain="globex.example", **extra) -> dict:
    data = {
        "customer_name": customer,
        "customer_domain": domain,
        "country": "US",
        "contact_name": "Hank Scorpio",
        "contact_email": "hank@globex.example",
        "expected_close_date": timezone.localdate() + timedelta(days=60),
        "notes": "",
    }
    data.update(extra)
    return data


def make_deal(
    membership,
    *,
    customer="Globex Corporation",
    domain="globex.example",
    products=None,
    motion=None,
    submit=True,
    **extra,
):
    """A registration by the membership's organization, submitted unless told otherwise."""
    products = products or [ProductFactory()]
    motion = (
        motion
        or Motion.objects.filter(key="test-cosell").first()
        or motion_with_stages(key="test-cosell")
    )
    return services.deal_create(
        organization=membership.partner_organization,
        acting_membership=membership,
        motion=motion,
        data=registration_data(customer, domain, **extra),
        lines=[services.LineInput(product=p, quantity=2, amount=Decimal("5000")) for p in products],
        submit=submit,
    )
