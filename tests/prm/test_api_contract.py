"""Where responses and the schema used to disagree, and deletes of rows still in use."""

from __future__ import annotations

import pytest

from deals.models import DealComment, DealConflict
from partners.models import Tier
from tests.conftest import client_for
from tests.deals.factories import ProductFactory, make_deal
from tests.factories import MembershipFactory, PartnerOrganizationFactory
from tests.partners.factories import AgreementFactory, PartnerTypeFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_tier_in_use_is_409_with_what_uses_it(admin_membership):
    tier = TierFactory(name="Gold")
    PartnerOrganizationFactory(name="Northwind", tier=tier)
    PartnerOrganizationFactory(name="Contoso", tier=tier)
    client = client_for(admin_membership)
    response = client.delete(f"/api/v1/tiers/{tier.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "in_use"
    assert "2 partner organizations" in body["detail"]
    assert body["errors"]["used_by"]["partner organizations"] == {
        "count": 2,
        "examples": ["Contoso", "Northwind"],
    }
    assert Tier.objects.filter(pk=tier.pk).exists()
    unused = TierFactory(name="Unused")
    assert client.delete(f"/api/v1/tiers/{unused.pk}/").status_code == 204


def test_deleting_a_partner_type_in_use_is_409(admin_membership):
    partner_type = PartnerTypeFactory()
    AgreementFactory(partner_type=partner_type)
    response = client_for(admin_membership).delete(f"/api/v1/partner-types/{partner_type.pk}/")
    assert response.status_code == 409
    assert response.json()["errors"]["used_by"]["agreements"]["count"] == 1


def test_the_schema_documents_409_on_deletes(admin_membership):
    schema = client_for(admin_membership).get("/api/v1/schema/?format=json").json()
    responses = schema["paths"]["/api/v1/tiers/{id}/"]["delete"]["responses"]
    assert "409" in responses


def test_deal_empty_and_null_fields_match_the_schema(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership, contact_email="")
    body = client_for(cm_membership).get(f"/api/v1/deals/{deal.pk}/").json()
    assert body["contact_email"] == "" and body["rejection_code"] == ""
    assert body["stage_name"] is None
    schema = client_for(cm_membership).get("/api/v1/schema/?format=json").json()
    deal_schema = schema["components"]["schemas"]["Deal"]["properties"]
    assert deal_schema["stage_name"].get("nullable") is True
    assert {"type": "string", "maxLength": 0} in deal_schema["contact_email"]["oneOf"]
    codes = [ref["$ref"].rsplit("/", 1)[1] for ref in deal_schema["rejection_code"]["oneOf"]]
    assert "BlankEnum" in codes


def test_staff_membership_fields_are_nullable_and_blank(cm_membership):
    client = client_for(cm_membership)
    body = client.get(f"/api/v1/members/{cm_membership.pk}/").json()
    assert body["partner_organization"] is None and body["partner_role"] == ""
    schema = client.get("/api/v1/schema/?format=json").json()
    member = schema["components"]["schemas"]["Membership"]["properties"]
    assert member["partner_organization"].get("nullable") is True
    assert any("BlankEnum" in ref.get("$ref", "") for ref in member["partner_role"]["oneOf"])


def test_partner_organization_patch_keeps_the_type_and_tier_names(admin_membership):
    organization = PartnerOrganizationFactory(partner_type=PartnerTypeFactory(name="Reseller"))
    response = client_for(admin_membership).patch(
        f"/api/v1/partner-organizations/{organization.pk}/",
        {"description": "Renamed"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["partner_type_name"] == "Reseller" and body["tier_name"] is None


def test_conflict_decision_fields_are_blank_until_decided(partner_admin_membership, cm_membership):
    product = ProductFactory()
    other = MembershipFactory(
        role="partner",
        partner_organization=PartnerOrganizationFactory(),
        partner_role="partner_admin",
    )
    make_deal(partner_admin_membership, products=[product])
    make_deal(other, products=[product])
    conflict = DealConflict.objects.get()
    client = client_for(cm_membership)
    body = client.get(f"/api/v1/deal-conflicts/{conflict.pk}/").json()
    assert body["decision"] == "" and body["reason_code"] == ""
    schema = client.get("/api/v1/schema/?format=json").json()
    props = schema["components"]["schemas"]["Conflict"]["properties"]
    for field in ("decision", "reason_code"):
        assert any("BlankEnum" in ref.get("$ref", "") for ref in props[field]["oneOf"])


def test_deal_comments_are_paginated_as_the_schema_says(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    for n in range(3):
        DealComment.objects.create(deal=deal, author=partner_admin_membership.user, body=f"c{n}")
    client = client_for(partner_admin_membership)
    body = client.get(f"/api/v1/deals/{deal.pk}/comments/?page_size=2").json()
    assert body["count"] == 3 and [c["body"] for c in body["results"]] == ["c0", "c1"]
    assert body["next"]
