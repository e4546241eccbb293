"""Admin pages of the deals app: motions and stages, products, routing rules, settings;
and the co-selling forms of the deal page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from deals import services
from deals.models import DealPartner, Motion, MotionStage, Product, ProtectionExtension, RoutingRule
from deals.selectors import deal_settings_get
from partners.models import PartnerType
from tests.conftest import client_for
from tests.deals.factories import make_deal, motion_with_stages
from tests.factories import PartnerOrganizationFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_a_motion_limited_to_a_partner_type_adds_stages_and_retires_it(
    admin_membership, partner_admin_membership
):
    referral = PartnerType.objects.create(key="referral", name="Referral")
    client = client_for(admin_membership)
    response = client.post(
        reverse("deals:motion_create"),
        {
            "name": "Renewal",
            "key": "renewal",
            "description": "Renewals",
            "default_partner_role": "reseller",
            "partner_types": [str(referral.pk)],
        },
    )
    motion = Motion.objects.get(key="renewal")
    assert response.status_code == 302
    url = reverse("deals:motion_detail", kwargs={"pk": motion.pk})
    client.post(url, {"action": "stage", "name": "Quote", "owner": "vendor", "sla_days": "5"})
    client.post(
        url, {"action": "stage", "name": "Signed", "owner": "both", "sla_days": "0", "is_won": "on"}
    )
    assert list(MotionStage.objects.filter(motion=motion).values_list("name", "position")) == [
        ("Quote", 1),
        ("Signed", 2),
    ]
    # Not the partner's type: it cannot use the motion.
    assert motion not in services.motions_available_to(
        organization=partner_admin_membership.partner_organization
    )
    client.post(url, {"action": "retire"})
    motion.refresh_from_db()
    assert motion.is_active is False


def test_duplicate_motion_key_is_a_form_error(admin_membership):
    motion_with_stages(key="resell")
    response = client_for(admin_membership).post(
        reverse("deals:motion_create"),
        {"name": "Again", "key": "resell", "default_partner_role": "reseller"},
    )
    assert response.status_code == 200 and b"already" in response.content


def test_channel_managers_cannot_change_motions(cm_membership):
    motion = motion_with_stages(key="x")
    response = client_for(cm_membership).post(
        reverse("deals:motion_detail", kwargs={"pk": motion.pk}), {"action": "retire"}
    )
    assert response.status_code == 403
    motion.refresh_from_db()
    assert motion.is_active


def test_product_sku_is_unique_case_insensitively(admin_membership):
    client = client_for(admin_membership)
    data = {"name": "Suite", "sku": "SU-1", "family": "Core", "list_price": "10", "is_active": "on"}
    assert client.post(reverse("deals:product_create"), data).status_code == 302
    response = client.post(reverse("deals:product_create"), {**data, "sku": "su-1"})
    assert response.status_code == 200 and b"already has this SKU" in response.content
    assert Product.objects.count() == 1


def test_routing_rule_countries_are_validated(admin_membership):
    client = client_for(admin_membership)
    bad = client.post(
        reverse("deals:routing_rule_create"),
        {
            "name": "EU",
            "priority": "5",
            "countries": "FR, Germany",
            "method": "round_robin",
            "is_active": "on",
        },
    )
    assert bad.status_code == 200 and b"GERMANY" in bad.content
    good = client.post(
        reverse("deals:routing_rule_create"),
        {
            "name": "EU",
            "priority": "5",
            "countries": "fr, de",
            "method": "round_robin",
            "is_active": "on",
        },
    )
    assert good.status_code == 302 and RoutingRule.objects.get().countries == ["DE", "FR"]


def test_deal_settings(admin_membership):
    client = client_for(admin_membership)
    bad = client.post(
        reverse("deals:settings"), {"name_similarity_threshold": "3", "lead_acceptance_hours": "24"}
    )
    assert bad.status_code == 200
    client.post(
        reverse("deals:settings"),
        {"name_similarity_threshold": "0.6", "lead_acceptance_hours": "24"},
    )
    assert deal_settings_get().name_similarity_threshold == 0.6


def test_review_queue_filters_with_htmx_return_the_list_only(
    partner_admin_membership, cm_membership
):
    make_deal(partner_admin_membership, customer="Findable", domain="findable.example")
    make_deal(partner_admin_membership, customer="Hidden", domain="hidden.example")
    response = client_for(cm_membership, htmx=True).get(
        reverse("deals:review_queue"), {"q": "findable"}
    )
    assert b"<html" not in response.content and b'id="queue"' in response.content
    assert b"Findable" in response.content and b"Hidden" not in response.content


def test_partner_moves_stage_and_requests_extension_staff_decides(
    partner_admin_membership, cm_membership
):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    partner = client_for(partner_admin_membership)
    stage = MotionStage.objects.get(motion=deal.motion, position=2)
    partner.post(
        reverse("deals:portal_deal_stage", kwargs={"pk": deal.pk}), {"stage": str(stage.pk)}
    )
    deal.refresh_from_db()
    assert deal.stage == stage
    partner.post(
        reverse("deals:portal_deal_extension", kwargs={"pk": deal.pk}),
        {"days": "15", "reason": "Board meeting"},
    )
    extension = ProtectionExtension.objects.get()
    before = deal.protection_expires_on
    client_for(cm_membership).post(
        reverse("deals:extension_decide", kwargs={"pk": extension.pk}),
        {"decision": "approve", "note": ""},
    )
    deal.refresh_from_db()
    assert (deal.protection_expires_on - before).days == 15


def test_staff_set_partners_and_splits_on_the_page(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    other = PartnerOrganizationFactory(name="Services Co")
    client = client_for(cm_membership)
    data = {
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "10",
        "partners-0-organization": str(partner_admin_membership.partner_organization.pk),
        "partners-0-role": "reseller",
        "partners-0-split_percent": "80",
        "partners-1-organization": str(other.pk),
        "partners-1-role": "service_provider",
        "partners-1-split_percent": "30",
    }
    response = client.post(
        reverse("deals:deal_partners", kwargs={"pk": deal.pk}), data, follow=True
    )
    assert b"Splits must total 100%" in response.content
    data["partners-1-split_percent"] = "20"
    client.post(reverse("deals:deal_partners", kwargs={"pk": deal.pk}), data)
    assert sorted(
        DealPartner.objects.filter(deal=deal).values_list("split_percent", flat=True)
    ) == [
        Decimal("20"),
        Decimal("80"),
    ]


def test_admin_edits_a_stage(admin_membership):
    motion = motion_with_stages(key="edit-me")
    stage = MotionStage.objects.get(motion=motion, position=1)
    client_for(admin_membership).post(
        reverse("deals:motion_detail", kwargs={"pk": motion.pk}),
        {
            "action": "stage_update",
            "stage": str(stage.pk),
            "name": "Qualify lead",
            "owner": "both",
            "sla_days": "7",
        },
    )
    stage.refresh_from_db()
    assert (stage.name, stage.owner, stage.sla_days) == ("Qualify lead", "both", 7)
