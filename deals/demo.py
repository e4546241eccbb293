"""Demo data of the deals app for one tenant (called by prm.core.demo; idempotent).

Every tenant gets the three motions, a product catalogue and routing rules. In acme,
Northwind Traders and Contoso Solutions also get deals in every status, one live
conflict, and leads waiting for their answer. Rows are looked up by natural keys first,
so a second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from . import services
from .choices import DealPartnerRole, RoutingMethod, StageOwner
from .models import Deal, Lead, Motion, MotionStage, Product, RoutingRule

if TYPE_CHECKING:
    from prm.core.demo import DemoPeople

P, V, B = StageOwner.PARTNER, StageOwner.VENDOR, StageOwner.BOTH

MOTIONS = {
    "resell": (
        "Resell",
        "The partner sells and invoices; the vendor supports.",
        DealPartnerRole.RESELLER,
        [("Qualify", P, 14), ("Propose", P, 21), ("Negotiate", B, 21)],
    ),
    "referral": (
        "Referral",
        "The partner submits the lead; the vendor qualifies and closes. "
        "The partner earns a referral fee.",
        DealPartnerRole.REFERRAL,
        [("Referred", P, 3), ("Vendor qualification", V, 10), ("Vendor closing", V, 30)],
    ),
    "co-sell": (
        "Co-sell",
        "Joint stages with hand-offs between the partner and a vendor sales rep.",
        DealPartnerRole.RESELLER,
        [
            ("Discovery", P, 14),
            ("Technical validation", V, 14),
            ("Joint proposal", B, 14),
            ("Negotiation", V, 21),
        ],
    ),
}

PRODUCTS = [
    ("Cloud Platform", "CP-100", "Platform", "12000.00"),
    ("Cloud Platform Enterprise", "CP-200", "Platform", "48000.00"),
    ("Analytics Add-on", "AN-10", "Add-ons", "6000.00"),
    ("Security Add-on", "SE-10", "Add-ons", "8000.00"),
    ("Onboarding Services", "PS-01", "Services", "5000.00"),
]


def _motions() -> dict[str, Motion]:
    motions = {}
    for key, (name, description, role, stages) in MOTIONS.items():
        motion = Motion.objects.filter(key=key).first()
        if motion is None:
            motion = Motion.objects.create(
                key=key, name=name, description=description, default_partner_role=role
            )
            for position, (stage, owner, sla) in enumerate(stages, start=1):
                MotionStage.objects.create(
                    motion=motion, name=stage, owner=owner, sla_days=sla, position=position
                )
            n = len(stages)
            MotionStage.objects.create(
                motion=motion, name="Closed won", owner=B, sla_days=0, position=n + 1, is_won=True
            )
            MotionStage.objects.create(
                motion=motion, name="Closed lost", owner=B, sla_days=0, position=n + 2, is_lost=True
            )
        motions[key] = motion
    return motions


def _products() -> dict[str, Product]:
    products = {}
    for name, sku, family, price in PRODUCTS:
        product = Product.objects.filter(sku=sku).first() or Product.objects.create(
            name=name, sku=sku, family=family, list_price=Decimal(price)
        )
        products[sku] = product
    return products


def _rules(products) -> None:
    if RoutingRule.objects.exists():
        return
    RoutingRule.objects.create(
        name="North America, enterprise platform",
        priority=10,
        countries=["US", "CA"],
        product=products["CP-200"],
        method=RoutingMethod.TIER_WEIGHT,
    )
    RoutingRule.objects.create(
        name="UK and Ireland", priority=20, countries=["GB", "IE"], method=RoutingMethod.ROUND_ROBIN
    )
    RoutingRule.objects.create(
        name="Everyone else", priority=100, method=RoutingMethod.CAPACITY_WEIGHT
    )


def _deal(member, motion, products, customer, domain, *, submit=True, days=45):
    existing = Deal.objects.filter(
        organization=member.partner_organization, customer_name=customer
    ).first()
    if existing is not None:
        return existing, False
    deal = services.deal_create(
        organization=member.partner_organization,
        acting_membership=member,
        motion=motion,
        data={
            "customer_name": customer,
            "customer_domain": domain,
            "country": member.partner_organization.country or "US",
            "contact_name": "Pat Buyer",
            "contact_email": f"pat@{domain}",
            "expected_close_date": timezone.localdate() + timedelta(days=days),
            "notes": "Demo registration.",
        },
        lines=[
            services.LineInput(product=p, quantity=q, amount=p.list_price * q) for p, q in products
        ],
        submit=submit,
    )
    return deal, True


def seed(people: DemoPeople) -> None:
    """Add this app's demo rows to people.tenant (already current). Look up before create."""
    motions = _motions()
    products = _products()
    _rules(products)
    if people.tenant.slug != "acme" or len(people.partner_admins) < 2:
        return
    northwind, contoso = people.partner_admins[0], people.partner_admins[1]
    cm = people.channel_manager
    platform, analytics = products["CP-100"], products["AN-10"]
    enterprise, security = products["CP-200"], products["SE-10"]

    _deal(
        northwind,
        motions["resell"],
        [(platform, 2)],
        "Fabrikam Retail",
        "fabrikam.test",
        submit=False,
    )
    _deal(contoso, motions["co-sell"], [(enterprise, 1)], "Litware Health", "litware.test")

    deal, new = _deal(
        northwind, motions["co-sell"], [(analytics, 3)], "Wingtip Toys", "wingtip.test"
    )
    if new:
        services.deal_request_info(
            deal=deal,
            acting_membership=cm,
            message="Who is the economic buyer, and what is the budget?",
        )

    deal, new = _deal(
        northwind,
        motions["co-sell"],
        [(enterprise, 1), (security, 1)],
        "Adventure Works",
        "adventure-works.test",
    )
    if new:
        deal = services.deal_approve(deal=deal, acting_membership=cm)
        stage = MotionStage.objects.get(motion=deal.motion, position=2)
        services.deal_stage_change(deal=deal, acting_membership=northwind, stage=stage)
        services.deal_comment_add(
            deal=deal,
            acting_membership=cm,
            body="Strategic account: keep the discount under 15%.",
            is_internal=True,
        )
        services.deal_comment_add(
            deal=deal,
            acting_membership=cm,
            body="Our solutions engineer will join the demo on Tuesday.",
        )

    deal, new = _deal(contoso, motions["resell"], [(platform, 1)], "Proseware", "proseware.test")
    if new:
        services.deal_reject(
            deal=deal,
            acting_membership=cm,
            reason="Proseware buys directly from us.",
            code="existing_customer",
        )

    deal, new = _deal(
        northwind, motions["resell"], [(platform, 5)], "Blue Yonder Airlines", "blueyonder.test"
    )
    if new:
        deal = services.deal_approve(deal=deal, acting_membership=cm)
        services.deal_close(
            deal=deal,
            acting_membership=cm,
            won=True,
            closed_on=timezone.localdate(),
            final_amount=Decimal("57000"),
        )

    deal, new = _deal(
        contoso, motions["referral"], [(analytics, 1)], "Lucerne Publishing", "lucerne.test"
    )
    if new:
        deal = services.deal_approve(deal=deal, acting_membership=cm)
        services.deal_close(
            deal=deal,
            acting_membership=cm,
            won=False,
            closed_on=timezone.localdate(),
            final_amount=None,
        )

    deal, new = _deal(
        contoso, motions["resell"], [(security, 2)], "Margie's Travel", "margiestravel.test"
    )
    if new:
        deal = services.deal_approve(deal=deal, acting_membership=cm)
        Deal.objects.filter(pk=deal.pk).update(
            protection_expires_on=timezone.localdate() - timedelta(days=1)
        )
        services.deals_expire_lapsed()

    # One live conflict: both partners registered Tailspin Toys for the platform.
    _deal(northwind, motions["resell"], [(platform, 10)], "Tailspin Toys", "tailspintoys.test")
    _deal(
        contoso, motions["co-sell"], [(platform, 8)], "Tailspin Toys Inc.", "www.tailspintoys.test"
    )

    # Leads waiting for the partners' answer, and one for manual assignment.
    for name, country, product, org in (
        ("Graphic Design Institute", "US", platform, northwind.partner_organization),
        ("Woodgrove Bank", "GB", enterprise, contoso.partner_organization),
        ("Coho Winery", "BR", None, None),
    ):
        if Lead.objects.filter(customer_name=name).exists():
            continue
        lead = services.lead_create(
            acting_membership=cm,
            motion=motions["referral"],
            product=product,
            data={
                "customer_name": name,
                "customer_domain": name.lower().replace(" ", "") + ".test",
                "country": country,
                "contact_name": "Sam Lead",
                "estimated_amount": Decimal("20000"),
            },
            route=False,
        )
        if org is not None:
            services.lead_assign(lead=lead, organization=org, acting_membership=cm)
