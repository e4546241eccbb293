"""The audit log page, its CSV export and API: filters, paging, bounded queries, walls."""

from __future__ import annotations

import pytest
from django.urls import reverse

from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.deals.factories import ProductFactory, make_deal
from tests.factories import MembershipFactory, PartnerOrganizationFactory

pytestmark = pytest.mark.django_db


def _changes(admin_membership, cm_membership, partner_admin_membership, n=1):
    """n deals registered by the partner, each approved by the channel manager through
    the page (so the request's user is recorded)."""
    deals = [
        make_deal(
            partner_admin_membership,
            customer=f"Audited {i}",
            domain=f"audited{i}.example",
            products=[ProductFactory()],
        )
        for i in range(n)
    ]
    staff = client_for(cm_membership)
    for deal in deals:
        staff.post(reverse("deals:deal_approve", kwargs={"pk": deal.pk}))
    return deals


def test_admin_reads_who_changed_what_and_filters(
    admin_membership, cm_membership, partner_admin_membership
):
    (deal,) = _changes(admin_membership, cm_membership, partner_admin_membership)
    client = client_for(admin_membership)
    page = client.get(reverse("audit:log")).text
    assert "Audit log" in page and 'data-testid="audit-row"' in page
    row = [r for r in page.split('data-testid="audit-row"') if "Changed · Deal" in r][0]
    assert cm_membership.user.display_name in row
    assert f"/manage/deals/{deal.pk}/approve/" in row
    by_cm = client.get(
        reverse("audit:log"), {"person": cm_membership.user.email, "object_type": "deals.deal"}
    ).text
    rows = by_cm.split('data-testid="audit-row"')[1:]
    assert rows and all(cm_membership.user.display_name in r and "Deal" in r for r in rows)
    future = client.get(reverse("audit:log"), {"since": "2999-01-01"}).text
    assert 'data-testid="audit-row"' not in future and "Nothing matches" in future
    bad = client.get(reverse("audit:log"), {"person": "nobody@nowhere.example"})
    assert bad.status_code == 400 and "Nobody with this address" in bad.text
    reversed_dates = client.get(
        reverse("audit:log"), {"since": "2026-02-01", "until": "2026-01-01"}
    )
    assert reversed_dates.status_code == 400


def test_csv_export_follows_the_filters(admin_membership, cm_membership, partner_admin_membership):
    _changes(admin_membership, cm_membership, partner_admin_membership)
    response = client_for(admin_membership).get(
        reverse("audit:export"), {"object_type": "deals.deal"}
    )
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("at,person,user_id,action,object_type")
    assert len(lines) > 1 and all(",Deal," in line for line in lines[1:])


def test_api_lists_events_for_admins_only(
    admin_membership, cm_membership, partner_admin_membership
):
    _changes(admin_membership, cm_membership, partner_admin_membership)
    body = client_for(admin_membership).get(
        reverse("api:audit-event-list"), {"object_type": "deals.deal", "page_size": 2}
    )
    assert body.status_code == 200
    data = body.json()
    assert data["count"] >= 2 and len(data["results"]) == 2
    assert {r["object_type"] for r in data["results"]} == {"deals.deal"}
    bad = client_for(admin_membership).get(reverse("api:audit-event-list"), {"since": "soon"})
    assert bad.status_code == 400 and "since" in bad.json()["errors"]
    for member in (cm_membership, partner_admin_membership):
        assert client_for(member).get(reverse("api:audit-event-list")).status_code == 403
        assert client_for(member).get(reverse("audit:log")).status_code == 403
        assert client_for(member).get(reverse("audit:export")).status_code == 403


def test_another_tenants_changes_never_show(admin_membership, other_tenant):
    with tenant_context(other_tenant):
        org = PartnerOrganizationFactory(name="Globex Secret Partner")
        MembershipFactory(role="partner", partner_organization=org, partner_role="partner_admin")
        other_admin = MembershipFactory(role="admin")
    page = client_for(admin_membership).get(reverse("audit:log")).text
    assert "Globex Secret Partner" not in page
    api = client_for(admin_membership).get(reverse("api:audit-event-list")).text
    assert "Globex Secret Partner" not in api
    theirs = client_for(other_admin).get(reverse("audit:log")).text
    assert "Globex Secret Partner" in theirs


@pytest.mark.parametrize("rows", [1, 50])
def test_audit_log_queries_are_bounded(
    rows, admin_membership, cm_membership, partner_admin_membership, django_assert_max_num_queries
):
    from prm.audit.selectors import audit_object_types

    _changes(admin_membership, cm_membership, partner_admin_membership, n=rows)
    client = client_for(admin_membership)
    # One object type: a fixed number of queries whatever the number of rows.
    deals_only = {"object_type": "deals.deal"}
    with django_assert_max_num_queries(14):
        page = client.get(reverse("audit:log"), deals_only)
    assert 0 < page.text.count('data-testid="audit-row"') <= 50
    with django_assert_max_num_queries(14):
        assert client.get(reverse("api:audit-event-list"), deals_only).status_code == 200
    # Every type: at most one more query per object type on the page, never per row.
    bound = 13 + len(audit_object_types())
    with django_assert_max_num_queries(bound):
        assert client.get(reverse("audit:log")).status_code == 200
    with django_assert_max_num_queries(bound):
        assert client.get(reverse("api:audit-event-list")).status_code == 200
