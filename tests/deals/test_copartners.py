"""Co-partners of a multi-partner deal read it (role and split), in the portal and the
API, and act on nothing; a partner that does not take part still gets 404."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals import services
from deals.choices import DealPartnerRole
from deals.models import Deal, DealComment
from tests.conftest import client_for
from tests.deals.factories import make_deal
from tests.factories import MembershipFactory, PartnerOrganizationFactory

pytestmark = pytest.mark.django_db


def _member(name):
    org = PartnerOrganizationFactory(name=name)
    return MembershipFactory(role="partner", partner_organization=org, partner_role="partner_admin")


@pytest.fixture
def shared_deal(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership, customer="Shared Customer Ltd")
    deal = services.deal_approve(deal=deal, acting_membership=cm_membership)
    co = _member("Service Co")
    services.deal_partners_set(
        deal=deal,
        acting_membership=cm_membership,
        participants=[
            (partner_admin_membership.partner_organization, DealPartnerRole.RESELLER, 70),
            (co.partner_organization, DealPartnerRole.SERVICE_PROVIDER, 30),
        ],
    )
    services.deal_comment_add(
        deal=deal, acting_membership=cm_membership, body="Vendor only", is_internal=True
    )
    services.deal_comment_add(deal=deal, acting_membership=cm_membership, body="Kick-off on Monday")
    return deal, co


PORTAL_ACTIONS = (
    ("deals:portal_deal_submit", {}),
    ("deals:portal_deal_comment", {"body": "hello"}),
    ("deals:portal_deal_stage", {"stage": "x"}),
    ("deals:portal_deal_close", {"outcome": "lost", "closed_on": "2026-01-01"}),
    ("deals:portal_deal_extension", {"days": 10, "reason": "more"}),
)


def test_a_co_partner_reads_the_deal_page_and_acts_on_nothing(shared_deal):
    deal, co = shared_deal
    client = client_for(co)
    page = client.get(reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk}))
    assert page.status_code == 200
    note = page.text.split('data-testid="co-partner"')[1].split("</p>")[0]
    assert "service provider" in note and "30%" in note
    assert "Kick-off on Monday" in page.text and "Vendor only" not in page.text
    for marker in ("Add comment", "Record outcome", "Request an extension", "Move to"):
        assert marker not in page.text
    for name, data in PORTAL_ACTIONS:
        response = client.post(reverse(name, kwargs={"pk": deal.pk}), data)
        assert response.status_code == 404, name
    assert client.get(reverse("deals:portal_deal_edit", kwargs={"pk": deal.pk})).status_code == 404
    assert DealComment.objects.filter(deal=deal).count() == 2
    listed = client.get(reverse("deals:portal_deal_list")).text
    assert deal.reference in listed and "co-partner" in listed
    # The owner's page is unchanged: it still acts.
    owner = client_for(deal.organization.memberships.get())
    assert (
        "Add comment" in owner.get(reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})).text
    )


def test_a_co_partner_reads_the_deal_in_the_api_and_acts_on_nothing(shared_deal):
    deal, co = shared_deal
    client = client_for(co)
    detail = client.get(reverse("api:deal-detail", kwargs={"pk": deal.pk}))
    assert detail.status_code == 200
    parts = {p["organization_name"]: p for p in detail.json()["participants"]}
    assert parts["Service Co"]["role"] == "service_provider"
    assert Decimal(parts["Service Co"]["split_percent"]) == Decimal("30")
    listed = client.get(reverse("api:deal-list")).json()["results"]
    assert [d["id"] for d in listed] == [str(deal.pk)]
    comments = client.get(reverse("api:deal-comments", kwargs={"pk": deal.pk})).json()
    rows = comments["results"] if isinstance(comments, dict) else comments  # paginated or not
    bodies = [c["body"] for c in rows]
    assert bodies == ["Kick-off on Monday"]
    for name, body in (
        ("api:deal-comments", {"body": "hi"}),
        ("api:deal-close", {"outcome": "lost", "closed_on": "2026-01-01"}),
        ("api:deal-change-stage", {"stage": str(deal.stage_id)}),
        ("api:deal-extend", {"days": 10, "reason": "more"}),
        ("api:deal-submit", {}),
    ):
        response = client.post(
            reverse(name, kwargs={"pk": deal.pk}),
            data=json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 404, name
    deal.refresh_from_db()
    assert deal.status == "approved" and DealComment.objects.filter(deal=deal).count() == 2


def test_a_partner_that_does_not_take_part_still_gets_404(shared_deal, other_tenant):
    deal, _co = shared_deal
    third = client_for(_member("Third Party Inc"))
    assert third.get(reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})).status_code == 404
    assert third.get(reverse("api:deal-detail", kwargs={"pk": deal.pk})).status_code == 404
    assert third.get(reverse("api:deal-comments", kwargs={"pk": deal.pk})).status_code == 404
    assert third.get(reverse("api:deal-list")).json()["results"] == []
    page = third.get(reverse("deals:portal_deal_list")).text
    assert "Shared Customer Ltd" not in page


def test_deal_lists_stay_bounded_with_co_partnered_deals(
    shared_deal, django_assert_max_num_queries
):
    deal, co = shared_deal
    client = client_for(co)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("api:deal-list")).status_code == 200
    assert Deal.objects.readable_by(co).count() == 1 and not Deal.objects.visible_to(co).exists()


def test_api_list_counts_own_and_co_partnered_deals_with_the_co_partnered_ids(shared_deal):
    deal, co = shared_deal
    own = make_deal(co, customer="Own Customer Ltd", domain="own-customer.example")
    client = client_for(co)
    url = reverse("api:deal-list")

    def get(query=""):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url + query).json()
        counts = [
            q["sql"] for q in queries if "count(" in q["sql"].lower() and '"deals_deal"' in q["sql"]
        ]
        return body, counts

    # Its own deal and the one it takes part in; the number of rows came in the query
    # that read the co-partnered ids (no COUNT of its own), also paged and sorted.
    body, counts = get()
    assert body["count"] == 2 and len(counts) == 1 and "ARRAY(" in counts[0]
    assert {row["id"]: row["organization_name"] for row in body["results"]} == {
        str(deal.pk): deal.organization.name,  # another partner's name, read with the page
        str(own.pk): co.partner_organization.name,  # its own, known from the membership
    }
    body, counts = get("?page_size=1&page=2&ordering=number")
    assert body["count"] == 2 and len(body["results"]) == 1 and len(counts) == 1
    # A filter narrows the rows: the paginator counts what it leaves, and only it (the
    # own-deal count that came with the ids would serve nothing).
    body, counts = get("?status=approved")
    assert body["count"] == 1 and [row["id"] for row in body["results"]] == [str(deal.pk)]
    assert len(counts) == 1 and "ARRAY(" not in counts[0]


def test_participants_api_reads_for_those_who_take_part_and_sets_for_staff(
    shared_deal, cm_membership, partner_admin_membership, django_assert_max_num_queries
):
    deal, co = shared_deal
    url = reverse("api:deal-participants", kwargs={"pk": deal.pk})
    for member in (co, partner_admin_membership, cm_membership):
        rows = client_for(member).get(url).json()
        assert {r["organization_name"]: r["split_percent"] for r in rows} == {
            deal.organization.name: "70.00",
            "Service Co": "30.00",
        }
    assert client_for(_member("Third Party Inc")).get(url).status_code == 404
    third = _member("Distributor Co")
    body = [
        {"organization": str(deal.organization_id), "role": "reseller", "split_percent": "50"},
        {
            "organization": str(co.partner_organization_id),
            "role": "referral",
            "split_percent": "30",
        },
        {
            "organization": str(third.partner_organization_id),
            "role": "distributor",
            "split_percent": "20",
        },
    ]
    put = lambda client, data: client.put(  # noqa: E731
        url, data=json.dumps(data), content_type="application/json"
    )
    assert put(client_for(partner_admin_membership), body).status_code == 403
    assert put(client_for(co), body).status_code == 404  # a co-partner acts on nothing
    bad = put(client_for(cm_membership), [{**body[0], "split_percent": "90"}, body[1]])
    assert bad.status_code == 400 and "total 100" in json.dumps(bad.json())
    staff = client_for(cm_membership)
    done = put(staff, body)
    assert done.status_code == 200 and len(done.json()) == 3
    # The new co-partner reads the deal now; the number of queries does not grow.
    reader = client_for(third)
    reader.get(url)  # warm the session and the member's caches
    with django_assert_max_num_queries(12) as three:
        assert reader.get(url).status_code == 200
    first_count = len(three.captured_queries)
    more = [_member(f"Extra {i}") for i in range(6)]
    big = [{**body[0], "split_percent": "30"}, {**body[2], "split_percent": "10"}] + [
        {"organization": str(m.partner_organization_id), "role": "referral", "split_percent": "10"}
        for m in more
    ]
    assert put(staff, big).status_code == 200
    reader.get(url)  # new memberships bumped the access version: reload once
    with django_assert_max_num_queries(first_count):
        assert len(reader.get(url).json()) == 8
