"""What a partner still needs for the next tier, measured from its deals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from deals import services as deal_services
from partners.models import PartnerOrganization
from partners.selectors import next_tier_gap
from tests.conftest import client_for
from tests.deals.factories import make_deal
from tests.partners.factories import TierFactory


@pytest.mark.django_db
def test_won_and_approved_deals_count_towards_the_next_tier(
    partner_admin_membership, cm_membership
):
    entry = TierFactory(name="Registered", rank=1)
    TierFactory(
        name="Silver",
        rank=2,
        min_won_revenue=Decimal("10000"),
        min_won_deals=2,
        min_approved_registrations=2,
    )
    org = partner_admin_membership.partner_organization
    PartnerOrganization.objects.filter(pk=org.pk).update(tier=entry)
    org.refresh_from_db()

    won = make_deal(partner_admin_membership, customer="Fabrikam", domain="fabrikam.example")
    deal_services.deal_approve(deal=won, acting_membership=cm_membership)
    deal_services.deal_close(
        deal=won,
        acting_membership=cm_membership,
        won=True,
        closed_on=timezone.localdate() - timedelta(days=3),
        final_amount=Decimal("8000"),
    )
    make_deal(partner_admin_membership, customer="Litware", domain="litware.example")  # pending

    tier, gaps = next_tier_gap(organization=org)
    assert tier.name == "Silver"
    current = {gap.label: (gap.current, gap.missing) for gap in gaps}
    assert current["Won revenue (12 months)"] == (Decimal("8000"), Decimal("2000"))
    assert current["Won deals (12 months)"] == (1, 1)
    assert current["Approved registrations (12 months)"] == (1, 1)

    page = client_for(partner_admin_membership).get("/portal/tier/").content.decode()
    assert "Silver" in page
    assert '<progress value="80" max="100">' in page  # 8,000 of 10,000 won revenue
