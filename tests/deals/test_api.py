"""The deals API: create with an idempotency key, actions, errors, scoping, query bounds."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deals import services
from deals.choices import DealStatus
from deals.models import Deal, DealConflict
from tests.conftest import client_for
from tests.deals.factories import ProductFactory, make_deal, motion_with_stages
from tests.factories import MembershipFactory, PartnerOrganizationFactory

pytestmark = pytest.mark.django_db


def _post(client, url, data=None, **headers):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def motion(in_tenant):
    return motion_with_stages(key="test-cosell")


@pytest.fixture
def product(in_tenant):
    return ProductFactory()


def _body(motion, product, **extra):
    body = {
        "customer_name": "Globex",
        "customer_domain": "globex.example",
        "country": "US",
        "expected_close_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "motion": str(motion.pk),
        "lines": [{"product": str(product.pk), "quantity": 2, "amount": "500.00"}],
        "submit": True,
    }
    body.update(extra)
    return body


def test_partner_creates_and_submits_with_idempotency_key(
    partner_admin_membership, motion, product
):
    client = client_for(partner_admin_membership)
    url = reverse("api:deal-list")
    first = _post(client, url, _body(motion, product), HTTP_IDEMPOTENCY_KEY="abc-1")
    second = _post(client, url, _body(motion, product), HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201, first.content
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["status"] == "submitted" and first.json()["reference"] == "DR-000001"
    assert Deal.objects.count() == 1


def test_validation_errors_are_400_with_field_errors(partner_admin_membership, motion, product):
    client = client_for(partner_admin_membership)
    response = _post(
        client,
        reverse("api:deal-list"),
        _body(motion, product, customer_domain="bad domain", country="USA", lines=[]),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {"country", "lines"} <= set(body["errors"])


def test_service_errors_are_400_too(partner_admin_membership, motion, product):
    client = client_for(partner_admin_membership)
    response = _post(
        client,
        reverse("api:deal-list"),
        _body(
            motion,
            product,
            expected_close_date=(timezone.localdate() - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 400 and "expected_close_date" in response.json()["errors"]


def test_staff_cannot_create_and_partners_cannot_approve(
    partner_admin_membership, cm_membership, motion, product
):
    assert (
        _post(
            client_for(cm_membership), reverse("api:deal-list"), _body(motion, product)
        ).status_code
        == 403
    )
    deal = make_deal(partner_admin_membership)
    response = _post(
        client_for(partner_admin_membership), reverse("api:deal-approve", kwargs={"pk": deal.pk})
    )
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_review_actions(partner_admin_membership, cm_membership):
    staff = client_for(cm_membership)
    deal = make_deal(partner_admin_membership)
    response = _post(
        staff,
        reverse("api:deal-request-information", kwargs={"pk": deal.pk}),
        {"message": "Budget?"},
    )
    assert response.json()["status"] == "info_requested"
    partner = client_for(partner_admin_membership)
    assert (
        _post(partner, reverse("api:deal-submit", kwargs={"pk": deal.pk})).json()["status"]
        == "submitted"
    )
    assert _post(staff, reverse("api:deal-reject", kwargs={"pk": deal.pk}), {}).status_code == 400
    response = _post(staff, reverse("api:deal-approve", kwargs={"pk": deal.pk}))
    assert response.json()["status"] == "approved" and response.json()["protection_expires_on"]
    # A forbidden transition is a 400 with the reason, never a 500.
    again = _post(staff, reverse("api:deal-reject", kwargs={"pk": deal.pk}), {"reason": "late"})
    assert again.status_code == 400 and "cannot be rejected" in json.dumps(again.json())


def test_extend_and_change_stage(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    before = deal.protection_expires_on
    staff = client_for(cm_membership)
    response = _post(
        staff, reverse("api:deal-extend", kwargs={"pk": deal.pk}), {"days": 10, "reason": "Legal"}
    )
    assert response.json()["protection_expires_on"] == (before + timedelta(days=10)).isoformat()
    partner = client_for(partner_admin_membership)
    stage = deal.motion.stages.get(position=2)
    response = _post(
        partner, reverse("api:deal-change-stage", kwargs={"pk": deal.pk}), {"stage": str(stage.pk)}
    )
    assert response.status_code == 200 and response.json()["stage_name"] == stage.name


def test_internal_comments_never_reach_partners_in_the_api(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    staff = client_for(cm_membership)
    _post(
        staff,
        reverse("api:deal-comments", kwargs={"pk": deal.pk}),
        {"body": "INTERNAL-ONLY", "is_internal": True},
    )
    _post(staff, reverse("api:deal-comments", kwargs={"pk": deal.pk}), {"body": "Hello partner"})
    partner = client_for(partner_admin_membership)
    body = partner.get(reverse("api:deal-comments", kwargs={"pk": deal.pk})).content.decode()
    assert "Hello partner" in body and "INTERNAL-ONLY" not in body
    assert (
        "INTERNAL-ONLY"
        in staff.get(reverse("api:deal-comments", kwargs={"pk": deal.pk})).content.decode()
    )
    response = _post(
        partner,
        reverse("api:deal-comments", kwargs={"pk": deal.pk}),
        {"body": "x", "is_internal": True},
    )
    assert response.status_code == 403


def test_partner_never_sees_another_partners_deal_or_conflicts(
    partner_admin_membership, cm_membership, in_tenant
):
    org = PartnerOrganizationFactory(name="Hidden Rival Co")
    rival = MembershipFactory(
        role="partner", partner_organization=org, partner_role="partner_admin"
    )
    product = ProductFactory()
    mine = make_deal(partner_admin_membership, products=[product])
    theirs = make_deal(rival, products=[product])
    assert DealConflict.objects.count() == 1
    client = client_for(partner_admin_membership)
    listing = client.get(reverse("api:deal-list")).json()
    assert [d["id"] for d in listing["results"]] == [str(mine.pk)]
    assert client.get(reverse("api:deal-detail", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("api:conflict-list")).status_code == 403
    assert "Hidden Rival Co" not in client.get(reverse("api:deal-list")).content.decode()


def test_conflict_resolve_through_the_api(partner_admin_membership, cm_membership, in_tenant):
    org = PartnerOrganizationFactory()
    rival = MembershipFactory(
        role="partner", partner_organization=org, partner_role="partner_admin"
    )
    product = ProductFactory()
    make_deal(partner_admin_membership, products=[product])
    later = make_deal(rival, products=[product])
    conflict = DealConflict.objects.get()
    staff = client_for(cm_membership)
    response = _post(
        staff,
        reverse("api:conflict-resolve", kwargs={"pk": conflict.pk}),
        {"decision": "earlier_wins", "reason_code": "first_to_register"},
    )
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    later.refresh_from_db()
    assert later.status == DealStatus.REJECTED


def test_leads_accept_through_the_api(partner_admin_membership, cm_membership, motion):
    staff = client_for(cm_membership)
    from tests.deals.factories import RoutingRuleFactory

    RoutingRuleFactory(name="All")
    response = _post(
        staff,
        reverse("api:lead-list"),
        {"customer_name": "Soylent", "country": "US", "motion": str(motion.pk)},
    )
    assert response.status_code == 201, response.content
    lead_id = response.json()["id"]
    partner = client_for(partner_admin_membership)
    assert [lead["id"] for lead in partner.get(reverse("api:lead-list")).json()["results"]] == [
        lead_id
    ]
    accepted = _post(partner, reverse("api:lead-accept", kwargs={"pk": lead_id}))
    assert accepted.status_code == 201 and accepted.json()["status"] == "approved"


def test_catalogue_is_listed_to_partners_and_changed_by_admins(
    partner_admin_membership, admin_membership, product
):
    partner = client_for(partner_admin_membership)
    assert partner.get(reverse("api:product-list")).json()["count"] == 1
    assert (
        _post(
            partner, reverse("api:product-list"), {"name": "X", "sku": "X", "list_price": "1"}
        ).status_code
        == 403
    )
    admin = client_for(admin_membership)
    created = _post(
        admin, reverse("api:product-list"), {"name": "New", "sku": "NEW-1", "list_price": "10"}
    )
    assert created.status_code == 201
    dup = _post(
        admin, reverse("api:product-list"), {"name": "Dup", "sku": "new-1", "list_price": "10"}
    )
    assert dup.status_code == 400 and "sku" in dup.json()["errors"]


@pytest.mark.parametrize("rows", [1, 50])
def test_api_deal_list_queries_are_bounded(
    rows, partner_admin_membership, cm_membership, django_assert_max_num_queries
):
    product = ProductFactory()
    for _ in range(rows):
        name = uuid.uuid4().hex[:12]
        make_deal(
            partner_admin_membership, customer=name, domain=f"{name}.example", products=[product]
        )
    for membership in (partner_admin_membership, cm_membership):
        client = client_for(membership)
        with django_assert_max_num_queries(7):
            response = client.get(reverse("api:deal-list"))
        assert response.json()["count"] == rows


def test_close_as_won_through_the_api(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    staff = client_for(cm_membership)
    url = reverse("api:deal-close", kwargs={"pk": deal.pk})
    today = timezone.localdate().isoformat()
    missing = _post(staff, url, {"outcome": "won", "closed_on": today})
    assert missing.status_code == 400 and "final_amount" in missing.json()["errors"]
    won = _post(staff, url, {"outcome": "won", "closed_on": today, "final_amount": "9000.00"})
    assert won.json()["status"] == "won" and won.json()["final_amount"] == "9000.00"


def test_staff_assign_a_lead_by_hand(partner_admin_membership, cm_membership, motion):
    lead = services.lead_create(
        acting_membership=cm_membership,
        motion=motion,
        product=None,
        data={"customer_name": "Nobody Matched", "country": "BR"},
    )
    assert lead.status == "unassigned"
    url = reverse("api:lead-assign", kwargs={"pk": lead.pk})
    org = partner_admin_membership.partner_organization
    # Offered to nobody yet: partners cannot even see it.
    partner = client_for(partner_admin_membership)
    assert _post(partner, url, {"organization": str(org.pk)}).status_code == 404
    response = _post(client_for(cm_membership), url, {"organization": str(org.pk)})
    assert response.status_code == 200 and response.json()["assigned_organization"] == str(org.pk)
    bad = _post(
        client_for(cm_membership), url, {"organization": "00000000-0000-0000-0000-000000000000"}
    )
    assert bad.status_code == 400


def test_a_staff_grant_asks_nobody_to_decide_it(partner_admin_membership, cm_membership):
    from prm.notifications.models import Notification

    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    MembershipFactory(role="admin")  # another member of staff, who must not be asked
    _post(
        client_for(cm_membership),
        reverse("api:deal-extend", kwargs={"pk": deal.pk}),
        {"days": 10, "reason": "Legal"},
    )
    assert not Notification.objects.filter(kind="deal.extension_requested").exists()
    assert Notification.objects.filter(
        kind="deal.extension_decided", recipient=partner_admin_membership.user
    ).exists()


def test_approving_a_conflicted_registration_is_refused_with_a_clear_400(
    partner_admin_membership, cm_membership
):
    org = PartnerOrganizationFactory(name="Rival")
    rival = MembershipFactory(
        role="partner", partner_organization=org, partner_role="partner_admin"
    )
    make_deal(partner_admin_membership, products=[ProductFactory()])
    second = make_deal(rival, products=[ProductFactory()])
    response = _post(
        client_for(cm_membership), reverse("api:deal-approve", kwargs={"pk": second.pk})
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert "open conflict" in json.dumps(body) and "decide" in json.dumps(body)
    second.refresh_from_db()
    assert second.status == DealStatus.SUBMITTED


def _send(client, method, url, data=None):
    return getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json"
    )


def test_routing_rules_are_changed_by_admins_through_the_service(
    admin_membership, cm_membership, partner_admin_membership, product
):
    from deals.models import RoutingRule

    admin = client_for(admin_membership)
    url = reverse("api:routing-rule-list")
    created = _post(
        admin,
        url,
        {
            "name": " EMEA ",
            "priority": 10,
            "countries": ["de", "fr", "DE"],
            "product": str(product.pk),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    # Normalised by routing_rule_save, as the console's form is.
    assert body["name"] == "EMEA" and body["countries"] == ["DE", "FR"]
    detail = reverse("api:routing-rule-detail", kwargs={"pk": body["id"]})

    updated = _send(admin, "patch", detail, {"method": "tier_weight", "is_active": False})
    assert updated.status_code == 200
    rule = RoutingRule.objects.get(pk=body["id"])
    assert rule.method == "tier_weight" and not rule.is_active and rule.countries == ["DE", "FR"]

    bad = _post(admin, url, {"name": "", "countries": ["Germany"], "method": "lottery"})
    assert bad.status_code == 400
    assert {"name", "method"} <= set(bad.json()["errors"])
    bad_codes = _post(admin, url, {"name": "X", "countries": ["D1"]})
    assert bad_codes.status_code == 400 and "countries" in bad_codes.json()["errors"]
    unknown_product = _post(admin, url, {"name": "X", "product": str(uuid.uuid4())})
    assert unknown_product.status_code == 400 and "product" in unknown_product.json()["errors"]

    # Channel managers read them (as in the console) but do not change them.
    cm = client_for(cm_membership)
    assert cm.get(url).json()["count"] == 1
    assert cm.get(detail).status_code == 200
    assert _send(cm, "patch", detail, {"priority": 1}).status_code == 403
    assert cm.delete(detail).status_code == 403
    assert _post(cm, url, {"name": "Y"}).status_code == 403

    # Partners never see them.
    partner = client_for(partner_admin_membership)
    assert partner.get(url).status_code == 403
    assert partner.get(detail).status_code in (403, 404)
    assert partner.delete(detail).status_code in (403, 404)

    assert admin.delete(detail).status_code == 204
    assert not RoutingRule.objects.filter(pk=body["id"]).exists()


def test_the_console_saves_routing_rules_through_the_service(admin_membership):
    from deals.models import RoutingRule

    response = client_for(admin_membership).post(
        reverse("deals:routing_rule_create"),
        {"name": "Console", "priority": 3, "countries": "us; ca", "method": "round_robin"},
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get(name="Console").countries == ["CA", "US"]


@pytest.mark.parametrize("rows", [1, 50])
def test_api_routing_rule_list_queries_are_bounded(
    rows, admin_membership, django_assert_max_num_queries
):
    from deals.models import RoutingRule

    product = ProductFactory()
    for index in range(rows):
        RoutingRule.objects.create(name=f"Rule {index}", priority=index, product=product)
    client = client_for(admin_membership)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api:routing-rule-list"))
    assert response.json()["count"] == rows


def test_staff_reopen_a_won_deal_through_the_api(partner_admin_membership, cm_membership):
    from decimal import Decimal

    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    services.deal_close(
        deal=deal,
        acting_membership=cm_membership,
        won=True,
        closed_on=timezone.localdate(),
        final_amount=Decimal("9000"),
    )
    url = reverse("api:deal-reopen", kwargs={"pk": deal.pk})
    # The partner may not reopen its own deal; the reason is required.
    assert _post(client_for(partner_admin_membership), url, {"reason": "x"}).status_code == 403
    staff = client_for(cm_membership)
    missing = _post(staff, url, {})
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    reopened = _post(staff, url, {"reason": "Booking cancelled by the customer"})
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["status"] == "approved" and body["final_amount"] is None
    # An approved deal is not closed: reopening it again is refused with a message.
    again = _post(staff, url, {"reason": "again"})
    assert again.status_code == 400
    deal.refresh_from_db()
    assert deal.closed_on is None
    last = deal.transitions.filter(kind="status").order_by("-created_at").first()
    assert (last.from_value, last.to_value, last.reason) == (
        "won",
        "approved",
        "Booking cancelled by the customer",
    )
