"""No customer is protected for two partners at once unless someone decided so.

Whatever order partners register, leads are accepted, and the channel manager approves
(one by one or in bulk) and decides conflicts, no two approved, unexpired registrations
of different partners in the same motion name the same customer (same domain, or the
same company name in the same country) without a decision "both proceed" with a reason
on the record between them.
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from deals import services
from deals.choices import ConflictDecision, ConflictReasonCode, ConflictStatus, DealStatus
from deals.models import Deal, DealConflict
from tests.deals.factories import ProductFactory, make_deal, motion_with_stages
from tests.factories import MembershipFactory, PartnerOrganizationFactory

pytestmark = pytest.mark.django_db

# Spellings of four customers, as partners type them: (name, domain, country).
CUSTOMERS = [
    [("Globex Corporation", "globex.example", "US"), ("GLOBEX Corp.", "globex-us.example", "US"),
     ("Globex", "https://www.globex.example/", "US")],
    [("Initech", "initech.example", "US"), ("Initech LLC", "initech.example", "US")],
    [("Umbrella Health", "umbrella.example", "GB"),
     ("Umbrella Health Ltd", "umbrella.co.uk", "GB")],
    [("Soylent", "soylent.example", "DE"), ("Soylent GmbH", "soylent.example", "DE")],
]  # fmt: skip


def _same_customer(a: Deal, b: Deal) -> bool:
    if a.customer_domain and a.customer_domain == b.customer_domain:
        return True
    return a.country == b.country and a.customer_name_normalized == b.customer_name_normalized


def _violations() -> list[tuple[str, str]]:
    today = timezone.localdate()
    protected = list(
        Deal.objects.filter(status=DealStatus.APPROVED, protection_expires_on__gte=today)
    )
    found = []
    for a, b in itertools.combinations(protected, 2):
        if a.organization_id == b.organization_id or a.motion_id != b.motion_id:
            continue
        if not _same_customer(a, b):
            continue
        allowed = (
            DealConflict.objects.filter(
                Q(deal=a, other_deal=b) | Q(deal=b, other_deal=a),
                status=ConflictStatus.RESOLVED,
                decision=ConflictDecision.NOT_A_CONFLICT,
            )
            .exclude(reason_code="")
            .exists()
        )
        if not allowed:
            found.append((a.reference, b.reference))
    return found


@pytest.mark.parametrize("seed", range(6))
def test_no_customer_is_protected_twice_without_a_decision(seed, in_tenant, cm_membership):
    rng = random.Random(seed)
    motions = [motion_with_stages(key="test-cosell"), motion_with_stages(name="Resell")]
    products = [ProductFactory() for _ in range(4)]
    partners = []
    for i in range(3):
        org = PartnerOrganizationFactory(name=f"Partner {i}")
        partners.append(
            MembershipFactory(
                role="partner", partner_organization=org, partner_role="partner_admin"
            )
        )
    cm = cm_membership
    for _step in range(40):
        action = rng.choice(["register", "register", "lead", "approve", "bulk", "decide"])
        if action == "register":
            name, domain, country = rng.choice(rng.choice(CUSTOMERS))
            make_deal(
                rng.choice(partners),
                customer=name,
                domain=domain,
                country=country,
                motion=rng.choice(motions),
                products=rng.sample(products, rng.randint(1, 2)),
            )
        elif action == "lead":
            name, domain, country = rng.choice(rng.choice(CUSTOMERS))
            member = rng.choice(partners)
            lead = services.lead_create(
                acting_membership=cm,
                motion=rng.choice(motions),
                product=rng.choice(products),
                data={
                    "customer_name": name,
                    "customer_domain": domain,
                    "country": country,
                    "estimated_amount": Decimal("5000"),
                },
                route=False,
            )
            services.lead_assign(
                lead=lead, organization=member.partner_organization, acting_membership=cm
            )
            services.lead_accept(lead=lead, acting_membership=member)
        elif action == "approve":
            pending = list(Deal.objects.filter(status=DealStatus.SUBMITTED))
            if pending:
                try:
                    services.deal_approve(deal=rng.choice(pending), acting_membership=cm)
                except ValidationError as exc:
                    assert "open conflict" in " ".join(exc.messages)
        elif action == "bulk":
            services.deals_bulk_approve(
                deals=list(Deal.objects.filter(status=DealStatus.SUBMITTED)), acting_membership=cm
            )
        else:
            open_conflicts = list(DealConflict.objects.open())
            if open_conflicts:
                try:
                    services.conflict_resolve(
                        conflict=rng.choice(open_conflicts),
                        acting_membership=cm,
                        decision=rng.choice(ConflictDecision.values),
                        reason_code=rng.choice(ConflictReasonCode.values),
                    )
                except ValidationError as exc:  # an approved registration cannot lose
                    assert "already approved" in " ".join(exc.messages)
        assert _violations() == [], f"seed {seed}, after {action}"
    # The run exercised the rule: conflicts were found and some approvals refused.
    assert DealConflict.objects.exists()


def test_an_accepted_lead_waits_for_review_when_another_partner_holds_the_customer(
    in_tenant, cm_membership, partner_admin_membership
):
    holder = make_deal(partner_admin_membership, products=[ProductFactory()])
    services.deal_approve(deal=holder, acting_membership=cm_membership)
    org = PartnerOrganizationFactory(name="Rival")
    rival = MembershipFactory(
        role="partner", partner_organization=org, partner_role="partner_admin"
    )
    lead = services.lead_create(
        acting_membership=cm_membership,
        motion=holder.motion,
        product=ProductFactory(),
        data={"customer_name": "Globex", "customer_domain": "globex.example", "country": "US"},
        route=False,
    )
    services.lead_assign(lead=lead, organization=org, acting_membership=cm_membership)
    deal = services.lead_accept(lead=lead, acting_membership=rival)
    assert deal.status == DealStatus.SUBMITTED and deal.protection_expires_on is None
    conflict = DealConflict.objects.get()
    assert {conflict.deal_id, conflict.other_deal_id} == {deal.pk, holder.pk}


def test_approval_checks_the_customer_again(in_tenant, cm_membership, partner_admin_membership):
    # A registration whose conflict check found nothing at submission (here: the rival's
    # registration changed customer afterwards) is checked again when approved.
    first = make_deal(partner_admin_membership, customer="Initech", domain="initech.example")
    org = PartnerOrganizationFactory(name="Rival")
    rival = MembershipFactory(
        role="partner", partner_organization=org, partner_role="partner_admin"
    )
    second = make_deal(rival, customer="Hooli", domain="hooli.example")
    assert not DealConflict.objects.exists()
    Deal.objects.filter(pk=second.pk).update(
        customer_domain="initech.example",
        customer_name="Initech",
        customer_name_normalized="initech",
    )
    with pytest.raises(ValidationError, match=f"open conflict with {second.reference}"):
        services.deal_approve(deal=first, acting_membership=cm_membership)
    assert DealConflict.objects.open().count() == 1  # on the record, though refused
    first.refresh_from_db()
    assert first.status == DealStatus.SUBMITTED
