"""Tier evaluation: proposals with evidence, decisions, grace, automatic upgrades, what-if."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from analytics import services
from analytics.models import TierProposal
from analytics.rollups import tenant_today
from partners.models import TierChange
from prm.notifications.models import Notification
from tests.analytics.factories import month_row
from tests.factories import MembershipFactory, PartnerOrganizationFactory
from tests.partners.factories import TierFactory


@pytest.fixture
def program(in_tenant, cm_membership):
    registered = TierFactory(name="Registered", rank=1)
    silver = TierFactory(name="Silver", rank=2, min_won_revenue=Decimal("10000"), min_won_deals=2)
    gold = TierFactory(name="Gold", rank=3, min_won_revenue=Decimal("50000"), min_won_deals=5)
    rising = PartnerOrganizationFactory(
        name="Rising", tier=registered, channel_manager=cm_membership.user
    )
    month_row(rising, won_revenue=Decimal("12000"), won_count=3)
    slipping = PartnerOrganizationFactory(
        name="Slipping", tier=gold, channel_manager=cm_membership.user
    )
    month_row(slipping, won_revenue=Decimal("15000"), won_count=2)
    steady = PartnerOrganizationFactory(name="Steady", tier=silver)
    month_row(steady, won_revenue=Decimal("20000"), won_count=2)
    admin = MembershipFactory(
        role="partner", partner_organization=slipping, partner_role="partner_admin"
    )
    return {
        "tiers": (registered, silver, gold),
        "rising": rising,
        "slipping": slipping,
        "steady": steady,
        "slipping_admin": admin,
    }


@pytest.mark.django_db
def test_evaluation_proposes_upgrades_and_downgrades_with_evidence(program, cm_membership):
    counts = services.tiers_evaluate()
    assert counts["proposed"] == 2
    up = TierProposal.objects.get(organization=program["rising"])
    assert up.direction == "upgrade" and up.to_tier.name == "Silver"
    assert up.effective_on == tenant_today()
    assert up.evidence["metrics"]["min_won_revenue"] == "12000.00"
    assert {r["label"]: r["required"] for r in up.evidence["rows"]}["won revenue"] == "10000.00"
    down = TierProposal.objects.get(organization=program["slipping"])
    assert down.direction == "downgrade" and down.to_tier.name == "Silver"
    assert down.effective_on == tenant_today() + timedelta(days=30)
    assert not TierProposal.objects.filter(organization=program["steady"]).exists()
    # The channel manager hears of both, the slipping partner's admin of its grace period.
    assert (
        Notification.objects.filter(
            recipient=cm_membership.user, kind="analytics.tier_proposal"
        ).count()
        == 2
    )
    notice = Notification.objects.get(
        recipient=program["slipping_admin"].user, kind="analytics.tier_downgrade_notice"
    )
    assert f"{down.effective_on:%Y-%m-%d}" in notice.title


@pytest.mark.django_db
def test_evaluating_again_changes_and_sends_nothing(program):
    services.tiers_evaluate()
    notes = Notification.objects.count()
    counts = services.tiers_evaluate()
    assert counts == {"proposed": 0, "applied": 0, "withdrawn": 0, "kept": 2}
    assert TierProposal.objects.count() == 2 and Notification.objects.count() == notes


@pytest.mark.django_db
def test_approving_changes_the_tier_through_the_partners_service(program, cm_membership):
    services.tiers_evaluate()
    proposal = TierProposal.objects.get(organization=program["rising"])
    services.tier_proposal_approve(proposal=proposal, acting_membership=cm_membership)
    program["rising"].refresh_from_db()
    assert program["rising"].tier.name == "Silver"
    change = TierChange.objects.get(organization=program["rising"])
    assert change.changed_by == cm_membership.user and "Silver" in change.reason
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.decided_by == cm_membership.user
    with pytest.raises(ValidationError):
        services.tier_proposal_approve(proposal=proposal, acting_membership=cm_membership)


@pytest.mark.django_db
def test_a_downgrade_waits_for_its_grace_period(program, cm_membership):
    services.tiers_evaluate()
    proposal = TierProposal.objects.get(organization=program["slipping"])
    with pytest.raises(ValidationError, match="cannot be applied before"):
        services.tier_proposal_approve(proposal=proposal, acting_membership=cm_membership)
    services.tier_proposal_approve(
        proposal=proposal, acting_membership=cm_membership, today=proposal.effective_on
    )
    program["slipping"].refresh_from_db()
    assert program["slipping"].tier.name == "Silver"


@pytest.mark.django_db
def test_rejecting_needs_a_reason_and_is_recorded(program, cm_membership):
    services.tiers_evaluate()
    proposal = TierProposal.objects.get(organization=program["rising"])
    with pytest.raises(ValidationError):
        services.tier_proposal_reject(proposal=proposal, acting_membership=cm_membership, reason="")
    services.tier_proposal_reject(
        proposal=proposal, acting_membership=cm_membership, reason="One-off deal"
    )
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.decision_reason == "One-off deal"
    program["rising"].refresh_from_db()
    assert program["rising"].tier.name == "Registered"


@pytest.mark.django_db
def test_upgrades_are_applied_at_once_when_the_tenant_says_so(program, admin_membership):
    cfg = services.analytics_settings()
    cfg.auto_upgrade = True
    cfg.save()
    counts = services.tiers_evaluate()
    assert counts["applied"] == 1 and counts["proposed"] == 1  # the downgrade still waits
    program["rising"].refresh_from_db()
    assert program["rising"].tier.name == "Silver"
    assert TierProposal.objects.get(organization=program["rising"]).status == "applied"


@pytest.mark.django_db
def test_a_stale_proposal_is_withdrawn(program):
    services.tiers_evaluate()
    from analytics.models import MonthlyMetrics

    MonthlyMetrics.objects.filter(organization=program["rising"]).update(won_count=0)
    counts = services.tiers_evaluate()
    assert counts["withdrawn"] == 1
    assert TierProposal.objects.get(organization=program["rising"]).status == "withdrawn"


@pytest.mark.django_db
def test_what_if_counts_equal_what_saving_then_does(program, admin_membership):
    _, silver, _ = program["tiers"]
    values = {
        "min_won_revenue": Decimal("25000"),
        "min_won_deals": 2,
        "min_approved_registrations": 0,
        "min_certified_people": 0,
    }
    moves = services.tier_requirements_what_if(tier=silver, values=values)
    silver.refresh_from_db()
    assert silver.min_won_revenue == Decimal("10000")  # nothing saved
    expected = {(m.organization.name, m.to_tier.name if m.to_tier else None) for m in moves}
    # Rising no longer reaches Silver; Steady (20,000) falls to Registered; Slipping too.
    assert expected == {("Steady", "Registered"), ("Slipping", "Registered")}
    services.tier_requirements_save(tier=silver, values=values, acting_membership=admin_membership)
    made = {
        (p.organization.name, p.to_tier.name if p.to_tier else None)
        for p in TierProposal.objects.filter(status="pending")
    }
    assert made == expected


@pytest.mark.django_db
def test_a_what_if_that_makes_tiers_overlap_is_refused(program):
    _, silver, _ = program["tiers"]
    with pytest.raises(ValidationError) as caught:
        services.tier_requirements_what_if(
            tier=silver, values={"min_won_revenue": Decimal("60000")}
        )
    assert "higher than Gold" in str(caught.value.message_dict["min_won_revenue"])


@pytest.mark.django_db
def test_certified_people_come_from_this_months_rollup_else_live(
    in_tenant, django_assert_max_num_queries
):
    from datetime import date

    from analytics.services import tiers
    from enablement.models import Certification, CertificationAward

    org = PartnerOrganizationFactory(name="Certified")
    fresh = PartnerOrganizationFactory(name="Not rolled up yet")
    month_row(org, certified_people=3)
    person = MembershipFactory(
        role="partner", partner_organization=fresh, partner_role="partner_member"
    )
    cert = Certification.objects.create(name="Platform", is_published=True)
    CertificationAward.objects.create(
        certification=cert,
        membership=person,
        organization=fresh,
        code="LIVE-0001",
        valid_until=date(2099, 1, 1),
    )
    figures = tiers.partner_figures([org, fresh])
    assert figures[org.pk]["min_certified_people"] == 3  # the rollup's, no live count
    assert figures[fresh.pk]["min_certified_people"] == 1  # counted live
    many = [PartnerOrganizationFactory(name=f"Rolled {n}") for n in range(20)]
    for other in many:
        month_row(other, certified_people=1)
    with django_assert_max_num_queries(2):
        tiers.partner_figures(many)
