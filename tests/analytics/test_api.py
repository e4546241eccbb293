"""The analytics API: scoping, decisions through the services, bounded queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analytics.models import TierProposal
from tests.analytics.factories import month_row
from tests.conftest import client_for
from tests.factories import PartnerOrganizationFactory
from tests.partners.factories import TierFactory

API = "/api/v1"


@pytest.mark.django_db
def test_partners_read_only_their_own_monthly_figures(in_tenant, partner_admin_membership):
    mine = month_row(partner_admin_membership.partner_organization, won_count=2)
    month_row(PartnerOrganizationFactory(), won_count=9)
    month_row(None, won_count=11)
    response = client_for(partner_admin_membership).get(f"{API}/monthly-metrics/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(mine.pk)]


@pytest.mark.django_db
def test_staff_filter_program_rows(in_tenant, cm_membership):
    month_row(PartnerOrganizationFactory(), won_count=9)
    program = month_row(None, won_count=11, won_revenue=Decimal("5"))
    response = client_for(cm_membership).get(f"{API}/monthly-metrics/", {"program": "true"})
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [str(program.pk)] and rows[0]["won_revenue"] == "5.00"


@pytest.mark.django_db
def test_proposals_are_decided_over_the_api(in_tenant, cm_membership, partner_admin_membership):
    silver = TierFactory(name="Silver", rank=2)
    org = partner_admin_membership.partner_organization
    proposal = TierProposal.objects.create(
        organization=org, to_tier=silver, direction="upgrade", effective_on=date(2026, 1, 1)
    )
    client = client_for(cm_membership)
    bad = client.post(
        f"{API}/tier-proposals/{proposal.pk}/reject/",
        {"reason": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "Say why" in bad.content.decode()
    ok = client.post(
        f"{API}/tier-proposals/{proposal.pk}/approve/", {}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    org.refresh_from_db()
    assert org.tier == silver
    partner = client_for(partner_admin_membership)
    assert partner.get(f"{API}/tier-proposals/").status_code == 403


@pytest.mark.django_db
def test_scorecard_and_health_for_staff(in_tenant, cm_membership, partner_org):
    month_row(partner_org, won_count=3, won_revenue=Decimal("300"))
    response = client_for(cm_membership).get(f"{API}/scorecards/{partner_org.pk}/")
    assert response.status_code == 200
    kpis = {k["label"]: k for k in response.json()["kpis"]}
    assert kpis["Won revenue"]["now"] == "300.00"


@pytest.mark.django_db
def test_scorecard_shows_certified_people_and_incentive_figures(
    in_tenant, cm_membership, partner_org
):
    month_row(
        partner_org,
        certified_people=4,
        earnings_posted=Decimal("120"),
        mdf_approved=Decimal("900"),
        mdf_claimed=Decimal("650"),
    )
    response = client_for(cm_membership).get(f"{API}/scorecards/{partner_org.pk}/")
    kpis = {k["label"]: k["now"] for k in response.json()["kpis"]}
    assert kpis["Certified people (latest month)"] == "4.00"
    assert kpis["Earnings posted"] == "120.00"
    assert kpis["MDF approved"] == "900.00"
    assert kpis["MDF spent (claims approved)"] == "650.00"
    assert client_for(cm_membership).get(f"{API}/health-scores/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_api_lists_do_not_grow_in_queries(
    in_tenant, cm_membership, django_assert_max_num_queries, rows
):
    from django.utils import timezone

    from analytics.models import HealthScore

    silver = TierFactory(name="Silver", rank=2)
    for n in range(rows):
        org = PartnerOrganizationFactory(name=f"Api {n:02d}")
        month_row(org, won_count=n)
        HealthScore.objects.create(
            organization=org, score=50, components=[], computed_at=timezone.now()
        )
        TierProposal.objects.create(
            organization=org, to_tier=silver, direction="upgrade", effective_on=date(2026, 1, 1)
        )
    client = client_for(cm_membership)
    for url in ("monthly-metrics", "health-scores", "tier-proposals"):
        client.get(f"{API}/{url}/")
        with django_assert_max_num_queries(10):
            response = client.get(f"{API}/{url}/")
        assert response.json()["count"] == rows
