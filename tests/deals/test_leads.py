"""Lead routing: rules in priority order, round robin and weights, windows and answers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deals import services, tasks
from deals.choices import DealStatus, LeadStatus, OfferStatus, RoutingMethod
from deals.models import Lead, LeadOffer
from partners.models import PartnerType, Tier
from prm.notifications.models import Notification
from tests.deals.factories import ProductFactory, RoutingRuleFactory, motion_with_stages
from tests.factories import MembershipFactory, PartnerOrganizationFactory

pytestmark = pytest.mark.django_db


def _partner(name, **fields):
    org = PartnerOrganizationFactory(name=name, **fields)
    member = MembershipFactory(
        role="partner", partner_organization=org, partner_role="partner_admin"
    )
    return org, member


@pytest.fixture
def motion(in_tenant):
    return motion_with_stages(key="referral")


def _lead(motion, cm, country="US", product=None, name="Soylent"):
    return services.lead_create(
        acting_membership=cm,
        motion=motion,
        product=product,
        data={"customer_name": name, "country": country, "estimated_amount": Decimal("5000")},
    )


def test_rules_apply_in_priority_order(motion, cm_membership):
    us_org, _ = _partner("US Partner", country="US")
    _partner("Any Partner", country="GB")
    RoutingRuleFactory(name="Fallback", priority=50)
    RoutingRuleFactory(name="US first", priority=10, countries=["US"])
    lead = _lead(motion, cm_membership)
    assert lead.assigned_organization == us_org
    assert lead.offers.get().rule.name == "US first"


def test_rule_matches_product_type_and_minimum_tier(motion, cm_membership, admin_membership):
    product = ProductFactory()
    silver = Tier.objects.create(name="Silver", rank=2)
    gold = Tier.objects.create(name="Gold", rank=3)
    reseller = PartnerType.objects.create(key="reseller", name="Reseller")
    _partner("Silver Reseller", tier=silver, partner_type=reseller)
    gold_org, _ = _partner("Gold Reseller", tier=gold, partner_type=reseller)
    _partner("Gold Other", tier=gold)
    RoutingRuleFactory(
        name="Gold resellers for the product", product=product, partner_type=reseller, min_tier=gold
    )
    assert _lead(motion, cm_membership, product=product).assigned_organization == gold_org
    # Another product: the rule does not match, the lead waits for manual assignment.
    lead = _lead(motion, cm_membership, product=ProductFactory(), name="Other")
    assert lead.status == LeadStatus.UNASSIGNED and lead.assigned_organization is None
    # The other staff are told (the one who created it sees it on the page).
    assert Notification.objects.filter(
        recipient=admin_membership.user, kind="lead.unassigned"
    ).exists()


def test_round_robin_spreads_leads(motion, cm_membership):
    a, _ = _partner("Alpha")
    b, _ = _partner("Bravo")
    RoutingRuleFactory(name="All", method=RoutingMethod.ROUND_ROBIN)
    picks = [_lead(motion, cm_membership, name=f"L{i}").assigned_organization for i in range(4)]
    assert picks == [a, b, a, b]


def test_tier_weight_favours_higher_tiers(motion, cm_membership):
    gold = Tier.objects.create(name="Gold", rank=3)
    bronze = Tier.objects.create(name="Bronze", rank=1)
    g, _ = _partner("Gold Co", tier=gold)
    b, _ = _partner("Bronze Co", tier=bronze)
    RoutingRuleFactory(name="Weighted", method=RoutingMethod.TIER_WEIGHT)
    picks = [_lead(motion, cm_membership, name=f"L{i}").assigned_organization for i in range(8)]
    assert picks.count(g) == 6 and picks.count(b) == 2


def test_capacity_weight_picks_partner_with_fewest_open_offers(motion, cm_membership):
    a, _ = _partner("Alpha")
    b, _ = _partner("Bravo")
    RoutingRuleFactory(name="Capacity", method=RoutingMethod.CAPACITY_WEIGHT)
    first = _lead(motion, cm_membership, name="One").assigned_organization
    second = _lead(motion, cm_membership, name="Two").assigned_organization
    assert {first, second} == {a, b}


def test_decline_moves_to_next_partner_and_is_in_history(motion, cm_membership):
    a, a_member = _partner("Alpha")
    b, _ = _partner("Bravo")
    RoutingRuleFactory(name="All")
    lead = _lead(motion, cm_membership)
    assert lead.assigned_organization == a
    with pytest.raises(ValidationError):
        services.lead_decline(lead=lead, acting_membership=a_member, reason="")
    services.lead_decline(lead=lead, acting_membership=a_member, reason="No capacity this quarter")
    lead.refresh_from_db()
    assert lead.assigned_organization == b
    history = list(
        lead.offers.order_by("offered_at").values_list("organization__name", "status", "reason")
    )
    assert history == [
        ("Alpha", OfferStatus.DECLINED, "No capacity this quarter"),
        ("Bravo", OfferStatus.PENDING, ""),
    ]
    # The declining partner no longer sees the lead.
    assert not Lead.objects.visible_to(a_member).exists()


def test_window_timeout_moves_on_once_then_waits(motion, cm_membership, tenant):
    _partner("Alpha")
    _partner("Bravo")
    RoutingRuleFactory(name="All")
    lead = _lead(motion, cm_membership)
    LeadOffer.objects.filter(lead=lead).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.expire_lead_offers(tenant_id=tenant.pk) == 1
    assert tasks.expire_lead_offers(tenant_id=tenant.pk) == 0
    lead.refresh_from_db()
    assert lead.assigned_organization.name == "Bravo"
    LeadOffer.objects.filter(lead=lead, status="pending").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    tasks.expire_lead_offers(tenant_id=tenant.pk)
    lead.refresh_from_db()
    # Everyone was asked: the lead waits for manual assignment.
    assert (
        lead.status == LeadStatus.UNASSIGNED and lead.offers.filter(status="expired").count() == 2
    )


def test_accept_makes_an_approved_deal(motion, cm_membership):
    product = ProductFactory()
    a, member = _partner("Alpha")
    RoutingRuleFactory(name="All")
    lead = _lead(motion, cm_membership, product=product)
    deal = services.lead_accept(lead=lead, acting_membership=member)
    assert deal.status == DealStatus.APPROVED and deal.organization == a
    assert deal.protection_expires_on is not None and deal.lines.get().product == product
    assert services.lead_accept(lead=lead, acting_membership=member) == deal


def test_accept_after_window_is_refused(motion, cm_membership):
    _a, member = _partner("Alpha")
    RoutingRuleFactory(name="All")
    lead = _lead(motion, cm_membership)
    LeadOffer.objects.filter(lead=lead).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="passed"):
        services.lead_accept(lead=lead, acting_membership=member)


def test_other_partner_cannot_answer(motion, cm_membership):
    _partner("Alpha")
    _b, b_member = _partner("Bravo")
    RoutingRuleFactory(name="All")
    lead = _lead(motion, cm_membership)
    with pytest.raises(ValidationError):
        services.lead_accept(lead=lead, acting_membership=b_member)


def test_manual_assignment_withdraws_pending_offer(motion, cm_membership):
    _partner("Alpha")
    b, _ = _partner("Bravo")
    RoutingRuleFactory(name="All")
    lead = _lead(motion, cm_membership)
    services.lead_assign(lead=lead, organization=b, acting_membership=cm_membership)
    assert list(lead.offers.order_by("offered_at").values_list("status", flat=True)) == [
        "withdrawn",
        "pending",
    ]


def test_a_tier_of_rank_zero_does_not_break_weighted_routing(motion, cm_membership):
    entry = Tier.objects.create(name="Entry", rank=0)
    org, _ = _partner("Entry Partner", tier=entry)
    RoutingRuleFactory(name="Weighted", method=RoutingMethod.TIER_WEIGHT)
    assert _lead(motion, cm_membership).assigned_organization == org


def test_rerouting_an_offered_lead_withdraws_the_pending_offer(motion, cm_membership):
    first, _ = _partner("Alpha Partner")
    second, _ = _partner("Beta Partner")
    RoutingRuleFactory(name="Everyone")
    lead = _lead(motion, cm_membership)
    assert lead.assigned_organization == first
    offer = services.lead_route(lead=lead, acting_membership=cm_membership)
    assert offer.organization == second
    assert lead.offers.filter(status=OfferStatus.PENDING).count() == 1
    assert lead.offers.get(organization=first).status == OfferStatus.WITHDRAWN


def test_an_accepted_lead_cannot_be_rerouted(motion, cm_membership):
    org, member = _partner("Taker")
    RoutingRuleFactory(name="Everyone")
    lead = _lead(motion, cm_membership)
    services.lead_accept(lead=lead, acting_membership=member)
    with pytest.raises(ValidationError):
        services.lead_route(lead=lead, acting_membership=cm_membership)


def test_the_partner_who_accepts_a_lead_is_not_told_about_it_but_colleagues_are(
    motion, cm_membership
):
    org, member = _partner("Taker")
    colleague = MembershipFactory(
        role="partner", partner_organization=org, partner_role="partner_member"
    )
    RoutingRuleFactory(name="Everyone")
    lead = _lead(motion, cm_membership)
    services.lead_accept(lead=lead, acting_membership=member)
    approved = Notification.objects.filter(kind="deal.approved")
    assert set(approved.values_list("recipient", flat=True)) == {colleague.user_id}


def test_a_lead_is_never_assigned_to_an_offboarded_partner(motion, cm_membership):
    from partners.choices import LifecycleStage

    gone, _ = _partner("Gone Partner", lifecycle_stage=LifecycleStage.OFFBOARDED)
    lead = _lead(motion, cm_membership)
    with pytest.raises(ValidationError, match="cannot take leads"):
        services.lead_assign(lead=lead, organization=gone, acting_membership=cm_membership)
    assert not lead.offers.exists()


def test_routing_skips_partners_that_could_not_accept_the_lead(motion, cm_membership):
    from deals.models import MotionPartnerType
    from partners import services as program
    from tests.partners.factories import AgreementFactory

    reseller = PartnerType.objects.create(key="reseller", name="Reseller")
    referral = PartnerType.objects.create(key="referral", name="Referral")
    MotionPartnerType.objects.create(motion=motion, partner_type=reseller)
    AgreementFactory(partner_type=reseller)  # published: resellers must accept it
    _partner("Alpha No Agreement", partner_type=reseller)
    _partner("Beta Wrong Type", partner_type=referral)
    ready, member = _partner("Gamma Ready", partner_type=reseller)
    program.agreement_accept(organization=ready, acting_membership=member)
    RoutingRuleFactory(name="Everyone")
    assert _lead(motion, cm_membership).assigned_organization == ready
