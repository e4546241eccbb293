"""Isolation cases for the deals app's pages and API endpoints."""

from __future__ import annotations

import uuid

from deals import services
from deals.models import DealConflict, Motion, Product, RoutingRule
from tests.deals.factories import ProductFactory, make_deal, motion_with_stages
from tests.isolation.registry import Target, register


def _motion():
    return Motion.objects.filter(key="test-cosell").first() or motion_with_stages(key="test-cosell")


def _deal(world, *, customer=None, approved=False):
    customer = customer or f"Secret Customer A1 {uuid.uuid4().hex[:8]}"
    deal = make_deal(
        world.partner_a1,
        customer=customer,
        domain=f"{uuid.uuid4().hex[:10]}.example",
        motion=_motion(),
    )
    services.deal_comment_add(
        deal=deal,
        acting_membership=world.cm_a,
        body=f"Internal note on {customer}",
        is_internal=True,
    )
    if approved:
        deal = services.deal_approve(deal=deal, acting_membership=world.cm_a)
    return deal


@register(
    "deals:portal_deal_detail",
    "deals:portal_deal_edit",
    "deals:portal_deal_submit",
    "deals:portal_deal_comment",
    "deals:portal_deal_stage",
    "deals:portal_deal_close",
    "deals:portal_deal_extension",
)
def _partner_deal(world):
    deal = _deal(world, approved=True)
    # A multi-partner deal: a co-partner (A3) reads it; A2, which takes no part, is
    # still refused everything (tests/deals/test_copartners.py has the co-partner side).
    from deals.choices import DealPartnerRole
    from tests.factories import PartnerOrganizationFactory

    co = PartnerOrganizationFactory(name=f"Co-partner A3 {uuid.uuid4().hex[:6]}")
    services.deal_partners_set(
        deal=deal,
        acting_membership=world.cm_a,
        participants=[
            (deal.organization, DealPartnerRole.RESELLER, 60),
            (co, DealPartnerRole.SERVICE_PROVIDER, 40),
        ],
    )
    return Target(kwargs={"pk": deal.pk}, obj=deal, marker=deal.customer_name)


API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@register(
    "api:deal-detail",
    "api:deal-submit",
    "api:deal-extend",
    "api:deal-change-stage",
    "api:deal-comments",
    "api:deal-close",
    "api:deal-participants",
    methods=API_METHODS,
)
def _partner_deal_api(world):
    return _partner_deal(world)


@register(
    "deals:console_deal_detail",
    "deals:deal_approve",
    "deals:deal_reject",
    "deals:deal_request_info",
    "deals:console_deal_comment",
    "deals:console_deal_stage",
    "deals:console_deal_close",
    "deals:console_deal_reopen",
    "deals:deal_sales_rep",
    "deals:deal_partners",
    owner="staff",
)
def _staff_deal(world):
    deal = _deal(world)
    return Target(kwargs={"pk": deal.pk}, obj=deal, marker=deal.customer_name)


@register(
    "api:deal-approve",
    "api:deal-reject",
    "api:deal-request-information",
    "api:deal-reopen",
    owner="staff",
    methods=API_METHODS,
)
def _staff_deal_api(world):
    return _staff_deal(world)


@register("deals:extension_decide", owner="staff", methods=("POST",))
def _extension(world):
    deal = _deal(world, approved=True)
    extension = services.extension_request(
        deal=deal, acting_membership=world.partner_a1, days=10, reason="Secret extension reason A1"
    )
    return Target(kwargs={"pk": extension.pk}, obj=extension, marker=extension.reason)


@register("deals:conflict_detail", owner="staff")
def _conflict(world):
    product = ProductFactory()
    name = f"Conflicted Customer {uuid.uuid4().hex[:6]}"
    domain = f"{uuid.uuid4().hex[:10]}.example"
    make_deal(world.partner_a1, customer=name, domain=domain, products=[product], motion=_motion())
    make_deal(world.partner_a2, customer=name, domain=domain, products=[product], motion=_motion())
    conflict = DealConflict.objects.order_by("-created_at").first()
    return Target(kwargs={"pk": conflict.pk}, obj=conflict)


def _lead(world, *, offered: bool):
    lead = services.lead_create(
        acting_membership=world.cm_a,
        motion=_motion(),
        product=None,
        data={"customer_name": f"Secret Lead {uuid.uuid4().hex[:8]}", "country": "US"},
        route=False,
    )
    if offered:
        services.lead_assign(lead=lead, organization=world.org_a1, acting_membership=world.cm_a)
        lead.refresh_from_db()
    return lead


@register("deals:portal_lead_detail")
def _partner_lead(world):
    lead = _lead(world, offered=True)
    return Target(kwargs={"pk": lead.pk}, obj=lead, marker=lead.customer_name)


@register("api:lead-detail", "api:lead-accept", "api:lead-decline", methods=API_METHODS)
def _partner_lead_api(world):
    return _partner_lead(world)


@register("api:conflict-detail", "api:conflict-resolve", owner="staff", methods=API_METHODS)
def _conflict_api(world):
    return _conflict(world)


@register("deals:lead_detail", owner="staff")
def _staff_lead(world):
    lead = _lead(world, offered=False)
    return Target(kwargs={"pk": lead.pk}, obj=lead, marker=lead.customer_name)


@register("api:lead-assign", owner="staff", methods=API_METHODS)
def _staff_lead_api(world):
    return _staff_lead(world)


@register("deals:motion_detail", owner="staff")
def _motion_case(world):
    motion = Motion.objects.create(key=f"iso-{uuid.uuid4().hex[:6]}", name="Iso Motion A")
    return Target(kwargs={"pk": motion.pk}, obj=motion, marker="Iso Motion A")


@register("deals:product_edit", owner="staff")
def _product_case(world):
    product = Product.objects.create(
        name="Iso Product A", sku=f"ISO-{uuid.uuid4().hex[:6]}", list_price=1
    )
    return Target(kwargs={"pk": product.pk}, obj=product, marker="Iso Product A")


@register("deals:routing_rule_edit", owner="staff")
def _rule_case(world):
    rule = RoutingRule.objects.create(name="Iso Rule A", priority=5)
    return Target(kwargs={"pk": rule.pk}, obj=rule, marker="Iso Rule A")


# The catalogue's detail routes are for staff (partners read the catalogue as a list).
@register("api:motion-detail", owner="staff", methods=API_METHODS)
def _motion_api(world):
    return _motion_case(world)


@register("api:product-detail", owner="staff", methods=API_METHODS)
def _product_api(world):
    return _product_case(world)


@register("deals:lead_import_detail", owner="staff")
def _lead_import_case(world):
    from django.core.files.base import ContentFile

    from deals.models import LeadImport

    lead_import = LeadImport(requested_by=world.admin_a, file_name="secret-leads-a.csv")
    lead_import.file.save("leads.csv", ContentFile(b"customer_name,country\n"), save=False)
    lead_import.save()
    return Target(kwargs={"pk": lead_import.pk}, obj=lead_import, marker="secret-leads-a.csv")


@register("api:routing-rule-detail", owner="staff", methods=API_METHODS)
def _rule_api(world):
    return _rule_case(world)
