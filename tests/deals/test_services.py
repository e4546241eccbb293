"""Deal registration rules: the status machine, numbering, idempotency, conflicts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deals import services
from deals.choices import (
    ConflictDecision,
    ConflictReasonCode,
    ConflictStatus,
    DealStatus,
    RejectionCode,
)
from deals.models import Deal, DealConflict, DealPartner, DealTransition, MotionStage
from deals.selectors import deal_conflicts_find
from prm.core.text import web_domain
from prm.notifications.models import Notification
from prm.tenancy.context import tenant_context
from tests.deals.factories import ProductFactory, make_deal, motion_with_stages
from tests.factories import MembershipFactory, PartnerOrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_partner(in_tenant):
    org = PartnerOrganizationFactory(name="Contoso")
    return MembershipFactory(role="partner", partner_organization=org, partner_role="partner_admin")


def test_numbers_are_sequential_per_tenant(partner_admin_membership, other_tenant):
    first = make_deal(partner_admin_membership, customer="Alpha", domain="alpha.example")
    second = make_deal(partner_admin_membership, customer="Beta", domain="beta.example")
    assert (first.reference, second.reference) == ("DR-000001", "DR-000002")
    with tenant_context(other_tenant):
        org = PartnerOrganizationFactory()
        member = MembershipFactory(
            role="partner", partner_organization=org, partner_role="partner_admin"
        )
        assert make_deal(member).reference == "DR-000001"


def test_draft_then_submit_records_transitions_and_tells_the_channel_manager(
    partner_admin_membership, cm_membership
):
    org = partner_admin_membership.partner_organization
    org.channel_manager = cm_membership.user
    org.save()
    deal = make_deal(partner_admin_membership, submit=False)
    assert deal.status == DealStatus.DRAFT
    deal = services.deal_submit(deal=deal, acting_membership=partner_admin_membership)
    assert deal.status == DealStatus.SUBMITTED and deal.submitted_at is not None
    assert list(DealTransition.objects.filter(deal=deal).values_list("from_value", "to_value")) == [
        ("", "draft"),
        ("draft", "submitted"),
    ]
    assert Notification.objects.filter(recipient=cm_membership.user, kind="deal.submitted").exists()


def test_double_submit_is_one_transition(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    again = services.deal_submit(deal=deal, acting_membership=partner_admin_membership)
    assert again.pk == deal.pk
    assert DealTransition.objects.filter(deal=deal, to_value="submitted").count() == 1


def test_same_idempotency_key_creates_one_deal(partner_admin_membership):
    kwargs = dict(
        organization=partner_admin_membership.partner_organization,
        acting_membership=partner_admin_membership,
        motion=motion_with_stages(),
        data={
            "customer_name": "Initech",
            "customer_domain": "initech.example",
            "country": "us",
            "expected_close_date": timezone.localdate() + timedelta(days=10),
        },
        lines=[services.LineInput(product=ProductFactory(), quantity=1, amount=Decimal("10"))],
        idempotency_key="form-123",
        submit=True,
    )
    first = services.deal_create(**kwargs)
    second = services.deal_create(**kwargs)
    assert first.pk == second.pk
    assert Deal.objects.count() == 1
    assert first.country == "US"


def test_approve_sets_protection_from_tenant_default_and_enters_first_stage(
    partner_admin_membership, cm_membership, tenant
):
    deal = make_deal(partner_admin_membership)
    deal = services.deal_approve(deal=deal, acting_membership=cm_membership)
    assert deal.status == DealStatus.APPROVED
    assert deal.protection_expires_on == timezone.localdate() + timedelta(
        days=tenant.default_deal_protection_days
    )
    assert deal.stage.name == "Qualify"
    assert DealPartner.objects.get(deal=deal).split_percent == Decimal("100")
    assert Notification.objects.filter(
        recipient=partner_admin_membership.user, kind="deal.approved"
    ).exists()


def test_reject_needs_a_reason(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    with pytest.raises(ValidationError, match="reason"):
        services.deal_reject(deal=deal, acting_membership=cm_membership, reason="  ")
    deal = services.deal_reject(
        deal=deal,
        acting_membership=cm_membership,
        reason="Not qualified",
        code=RejectionCode.NOT_QUALIFIED,
    )
    assert deal.status == DealStatus.REJECTED


def test_request_info_then_resubmit(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    deal = services.deal_request_info(deal=deal, acting_membership=cm_membership, message="Budget?")
    assert deal.status == DealStatus.INFO_REQUESTED and deal.info_request == "Budget?"
    deal = services.deal_submit(deal=deal, acting_membership=partner_admin_membership)
    assert deal.status == DealStatus.SUBMITTED and deal.info_request == ""


def test_approved_deal_wins_and_loses(partner_admin_membership, cm_membership):
    won = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    won = services.deal_close(
        deal=won,
        acting_membership=cm_membership,
        won=True,
        closed_on=timezone.localdate(),
        final_amount=Decimal("12000"),
    )
    assert won.status == DealStatus.WON and won.stage.is_won and won.final_amount == 12000
    lost = services.deal_approve(
        deal=make_deal(partner_admin_membership, customer="Other", domain="other.example"),
        acting_membership=cm_membership,
    )
    lost = services.deal_close(
        deal=lost,
        acting_membership=cm_membership,
        won=False,
        closed_on=timezone.localdate(),
        final_amount=None,
    )
    assert lost.status == DealStatus.LOST and lost.stage.is_lost


FORBIDDEN = [
    # (status the deal is in, service call that must be refused)
    ("draft", "approve"),
    ("draft", "reject"),
    ("draft", "request_info"),
    ("draft", "win"),
    ("submitted", "win"),
    ("submitted", "lose"),
    ("info_requested", "approve"),
    ("info_requested", "request_info"),
    ("approved", "submit"),
    ("approved", "reject"),
    ("approved", "request_info"),
    ("rejected", "submit"),
    ("rejected", "approve"),
    ("won", "lose"),
    ("won", "approve"),
    ("lost", "win"),
    ("expired", "win"),
    ("expired", "submit"),
]


def _deal_in(status, partner, staff):
    deal = make_deal(partner, submit=status != "draft")
    if status == "info_requested":
        deal = services.deal_request_info(deal=deal, acting_membership=staff, message="?")
    if status in ("approved", "won", "lost", "expired"):
        deal = services.deal_approve(deal=deal, acting_membership=staff)
    if status == "rejected":
        deal = services.deal_reject(deal=deal, acting_membership=staff, reason="no")
    if status in ("won", "lost"):
        deal = services.deal_close(
            deal=deal,
            acting_membership=staff,
            won=status == "won",
            closed_on=timezone.localdate(),
            final_amount=Decimal("1"),
        )
    if status == "expired":
        Deal.objects.filter(pk=deal.pk).update(
            protection_expires_on=timezone.localdate() - timedelta(days=1)
        )
        services.deals_expire_lapsed()
        deal.refresh_from_db()
    assert deal.status == status
    return deal


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_forbidden_transitions_are_refused(status, action, partner_admin_membership, cm_membership):
    deal = _deal_in(status, partner_admin_membership, cm_membership)
    calls = {
        "submit": lambda: services.deal_submit(
            deal=deal, acting_membership=partner_admin_membership
        ),
        "approve": lambda: services.deal_approve(deal=deal, acting_membership=cm_membership),
        "reject": lambda: services.deal_reject(
            deal=deal, acting_membership=cm_membership, reason="x"
        ),
        "request_info": lambda: services.deal_request_info(
            deal=deal, acting_membership=cm_membership, message="x"
        ),
        "win": lambda: services.deal_close(
            deal=deal,
            acting_membership=cm_membership,
            won=True,
            closed_on=timezone.localdate(),
            final_amount=Decimal("1"),
        ),
        "lose": lambda: services.deal_close(
            deal=deal,
            acting_membership=cm_membership,
            won=False,
            closed_on=timezone.localdate(),
            final_amount=None,
        ),
    }
    if (status, action) in {("approved", "approve")}:
        return
    with pytest.raises(ValidationError):
        calls[action]()
    deal.refresh_from_db()
    assert deal.status == status


def test_submit_refused_when_partner_cannot_transact(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    org.lifecycle_stage = "onboarding"
    org.save()
    deal = make_deal(partner_admin_membership, submit=False)
    with pytest.raises(ValidationError, match="agreement"):
        services.deal_submit(deal=deal, acting_membership=partner_admin_membership)
    deal.refresh_from_db()
    assert deal.status == DealStatus.DRAFT


def test_registration_validation_messages(partner_admin_membership):
    with pytest.raises(ValidationError) as exc:
        services.deal_create(
            organization=partner_admin_membership.partner_organization,
            acting_membership=partner_admin_membership,
            motion=motion_with_stages(),
            data={
                "customer_name": "",
                "customer_domain": "not a domain",
                "country": "USA",
                "expected_close_date": timezone.localdate() - timedelta(days=1),
            },
            lines=[],
        )
    errors = exc.value.message_dict
    assert set(errors) == {
        "customer_name",
        "customer_domain",
        "country",
        "expected_close_date",
        "lines",
    }


def test_retired_motion_takes_no_new_deals_but_keeps_its_deals(
    partner_admin_membership, cm_membership
):
    motion = motion_with_stages(key="old")
    deal = make_deal(partner_admin_membership, motion=motion)
    services.motion_retire(motion=motion)
    with pytest.raises(ValidationError, match="retired"):
        make_deal(partner_admin_membership, motion=motion, customer="New", domain="new.example")
    deal = services.deal_approve(deal=deal, acting_membership=cm_membership)
    assert deal.stage.motion == motion


# --- co-selling -------------------------------------------------------------------------


def test_stages_advance_by_their_owner_and_handoffs_notify(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    stages = {s.name: s for s in MotionStage.objects.filter(motion=deal.motion)}
    # "Qualify" belongs to the partner: the vendor cannot move it on.
    with pytest.raises(PermissionDenied):
        services.deal_stage_change(
            deal=deal, acting_membership=cm_membership, stage=stages["Technical validation"]
        )
    deal = services.deal_stage_change(
        deal=deal, acting_membership=partner_admin_membership, stage=stages["Technical validation"]
    )
    assert deal.stage.name == "Technical validation"
    # Hand-off to the vendor: the channel manager (here the admins: no CM set) is told.
    with pytest.raises(PermissionDenied):
        services.deal_stage_change(
            deal=deal, acting_membership=partner_admin_membership, stage=stages["Negotiate"]
        )
    with pytest.raises(ValidationError, match="forward"):
        services.deal_stage_change(
            deal=deal, acting_membership=cm_membership, stage=stages["Qualify"]
        )
    deal = services.deal_stage_change(
        deal=deal, acting_membership=cm_membership, stage=stages["Negotiate"]
    )
    assert Notification.objects.filter(
        recipient=partner_admin_membership.user, kind="deal.handoff"
    ).exists()
    assert DealTransition.objects.filter(deal=deal, kind="stage").count() == 2


def test_partner_splits_must_total_100(partner_admin_membership, cm_membership, other_partner):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    mine, theirs = partner_admin_membership.partner_organization, other_partner.partner_organization
    with pytest.raises(ValidationError, match="total 100"):
        services.deal_partners_set(
            deal=deal,
            acting_membership=cm_membership,
            participants=[(mine, "reseller", 60), (theirs, "service_provider", 30)],
        )
    with pytest.raises(ValidationError, match="must stay"):
        services.deal_partners_set(
            deal=deal, acting_membership=cm_membership, participants=[(theirs, "reseller", 100)]
        )
    services.deal_partners_set(
        deal=deal,
        acting_membership=cm_membership,
        participants=[(mine, "reseller", 70), (theirs, "service_provider", 30)],
    )
    assert sorted(
        DealPartner.objects.filter(deal=deal).values_list("split_percent", flat=True)
    ) == [30, 70]


def test_partners_cannot_write_internal_notes(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    with pytest.raises(PermissionDenied):
        services.deal_comment_add(
            deal=deal, acting_membership=partner_admin_membership, body="x", is_internal=True
        )
    services.deal_comment_add(
        deal=deal, acting_membership=cm_membership, body="Margin is thin", is_internal=True
    )
    from deals.models import DealComment

    assert not DealComment.objects.visible_to(partner_admin_membership).exists()
    assert DealComment.objects.visible_to(cm_membership).count() == 1


def test_extension_request_and_approval(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    before = deal.protection_expires_on
    ext = services.extension_request(
        deal=deal, acting_membership=partner_admin_membership, days=30, reason="Budget cycle"
    )
    with pytest.raises(ValidationError, match="already waiting"):
        services.extension_request(
            deal=deal, acting_membership=partner_admin_membership, days=5, reason="again"
        )
    services.extension_decide(extension=ext, acting_membership=cm_membership, approve=True)
    deal.refresh_from_db()
    assert deal.protection_expires_on == before + timedelta(days=30)
    with pytest.raises(ValidationError, match="already decided"):
        services.extension_decide(extension=ext, acting_membership=cm_membership, approve=True)
    deal.refresh_from_db()
    assert deal.protection_expires_on == before + timedelta(days=30)


def test_declining_an_extension_needs_a_reason(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    ext = services.extension_request(
        deal=deal, acting_membership=partner_admin_membership, days=30, reason="x"
    )
    with pytest.raises(ValidationError):
        services.extension_decide(extension=ext, acting_membership=cm_membership, approve=False)
    services.extension_decide(
        extension=ext, acting_membership=cm_membership, approve=False, note="No"
    )
    ext.refresh_from_db()
    assert ext.status == "declined"


# --- conflicts --------------------------------------------------------------------------


def test_same_domain_with_overlapping_product_is_a_conflict(
    partner_admin_membership, other_partner
):
    product = ProductFactory()
    first = make_deal(
        partner_admin_membership, customer="Globex", domain="globex.example", products=[product]
    )
    second = make_deal(
        other_partner,
        customer="Totally Different Name",
        domain="https://www.globex.example/",
        products=[product],
    )
    conflict = DealConflict.objects.get()
    assert (conflict.deal, conflict.other_deal) == (second, first)
    assert conflict.domain_match and conflict.overlapping_products == [product.name]
    assert any("Same customer domain" in r for r in conflict.reasons)


def test_similar_name_is_a_conflict(partner_admin_membership, other_partner):
    product = ProductFactory()
    make_deal(
        partner_admin_membership,
        customer="Globex Corporation",
        domain="globex.example",
        products=[product],
    )
    make_deal(
        other_partner, customer="GLOBEX Corp.", domain="globex-intl.example", products=[product]
    )
    conflict = DealConflict.objects.get()
    assert not conflict.domain_match and conflict.name_similarity >= 0.45


def test_no_conflict_without_overlapping_products(partner_admin_membership, other_partner):
    make_deal(partner_admin_membership, domain="globex.example", products=[ProductFactory()])
    make_deal(other_partner, domain="globex.example", products=[ProductFactory()])
    assert not DealConflict.objects.exists()


def test_no_conflict_with_dissimilar_names(partner_admin_membership, other_partner):
    product = ProductFactory()
    make_deal(
        partner_admin_membership, customer="Globex", domain="globex.example", products=[product]
    )
    make_deal(
        other_partner, customer="Umbrella Health", domain="umbrella.example", products=[product]
    )
    assert not DealConflict.objects.exists()


def test_no_conflict_with_closed_or_draft_deals(
    partner_admin_membership, other_partner, cm_membership
):
    product = ProductFactory()
    rejected = make_deal(partner_admin_membership, products=[product])
    services.deal_reject(deal=rejected, acting_membership=cm_membership, reason="no")
    make_deal(partner_admin_membership, products=[product], submit=False)
    fresh = make_deal(other_partner, products=[product])
    assert deal_conflicts_find(deal=fresh) == []
    assert not DealConflict.objects.exists()


def test_no_conflict_across_tenants(partner_admin_membership, other_tenant):
    make_deal(partner_admin_membership, domain="globex.example")
    with tenant_context(other_tenant):
        org = PartnerOrganizationFactory()
        member = MembershipFactory(
            role="partner", partner_organization=org, partner_role="partner_admin"
        )
        deal = make_deal(member, domain="globex.example")
        assert deal_conflicts_find(deal=deal) == []
        assert not DealConflict.objects.exists()


def test_threshold_is_configurable(partner_admin_membership, other_partner):
    from deals.selectors import deal_settings_get

    product = ProductFactory()
    make_deal(
        partner_admin_membership,
        customer="Globex Industries",
        domain="a.example",
        products=[product],
    )
    settings_row = deal_settings_get()
    settings_row.name_similarity_threshold = 0.95
    settings_row.save()
    make_deal(other_partner, customer="Globex Industrial", domain="b.example", products=[product])
    assert not DealConflict.objects.exists()


def test_conflict_blocks_approval_until_resolved_and_loser_sees_no_name(
    partner_admin_membership, other_partner, cm_membership
):
    product = ProductFactory()
    first = make_deal(partner_admin_membership, products=[product])
    second = make_deal(other_partner, products=[product])
    with pytest.raises(ValidationError, match="open conflict"):
        services.deal_approve(deal=first, acting_membership=cm_membership)
    conflict = DealConflict.objects.get()
    services.conflict_resolve(
        conflict=conflict,
        acting_membership=cm_membership,
        decision=ConflictDecision.EARLIER_WINS,
        reason_code=ConflictReasonCode.FIRST_TO_REGISTER,
        note="Northwind was first",
    )
    conflict.refresh_from_db()
    second.refresh_from_db()
    assert conflict.status == ConflictStatus.RESOLVED and conflict.decided_by == cm_membership.user
    assert second.status == DealStatus.REJECTED and second.rejection_code == RejectionCode.CONFLICT
    assert partner_admin_membership.partner_organization.name not in second.rejection_reason
    assert (
        services.deal_approve(deal=first, acting_membership=cm_membership).status
        == DealStatus.APPROVED
    )
    with pytest.raises(ValidationError, match="already decided"):
        services.conflict_resolve(
            conflict=conflict,
            acting_membership=cm_membership,
            decision=ConflictDecision.LATER_WINS,
            reason_code=ConflictReasonCode.DUPLICATE,
        )


def test_normalisation():
    assert web_domain("HTTPS://www.Example.com/contact?x=1") == "example.com"
    assert web_domain("sales@example.co.uk") == "example.co.uk"
    assert services.normalize_company_name(value="ACME, Inc.") == "acme"
    assert services.normalize_company_name(value="Globex Corporation GmbH") == "globex"


def test_approval_is_emailed_to_the_partner(
    partner_admin_membership, cm_membership, mailoutbox, django_capture_on_commit_callbacks
):
    deal = make_deal(partner_admin_membership)
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_approve(deal=deal, acting_membership=cm_membership)
    assert any(
        partner_admin_membership.user.email in m.to and deal.reference in m.subject
        for m in mailoutbox
    )


def test_later_wins_rejects_the_earlier_without_naming_anyone(
    partner_admin_membership, other_partner, cm_membership
):
    product = ProductFactory()
    first = make_deal(partner_admin_membership, products=[product])
    second = make_deal(other_partner, products=[product])
    services.conflict_resolve(
        conflict=DealConflict.objects.get(),
        acting_membership=cm_membership,
        decision=ConflictDecision.LATER_WINS,
        reason_code=ConflictReasonCode.CUSTOMER_PREFERENCE,
    )
    first.refresh_from_db()
    assert first.status == DealStatus.REJECTED
    assert first.rejection_reason == services.CONFLICT_PREFERRED_TEXT
    assert (
        services.deal_approve(deal=second, acting_membership=cm_membership).status
        == DealStatus.APPROVED
    )


def test_a_sales_rep_is_told_of_each_assignment_once(
    partner_admin_membership, cm_membership, admin_membership
):
    from prm.notifications.models import Notification

    deal = make_deal(partner_admin_membership)
    services.deal_approve(deal=deal, acting_membership=cm_membership)
    for rep in (admin_membership.user, admin_membership.user, cm_membership.user):
        services.deal_sales_rep_assign(deal=deal, acting_membership=cm_membership, rep=rep)
    services.deal_sales_rep_assign(
        deal=deal, acting_membership=cm_membership, rep=admin_membership.user
    )
    told = Notification.objects.filter(kind="deal.sales_rep", recipient=admin_membership.user)
    assert told.count() == 2  # assigned, (the same again: nothing), moved away, assigned again


def test_every_status_change_is_announced_after_commit(
    partner_admin_membership, admin_membership, django_capture_on_commit_callbacks
):
    """Apps above deals (incentives, analytics) learn of status changes through one event."""
    from deals.events import DEAL_STATUS_CHANGED
    from prm.core import events

    seen = []

    def handler(**payload):
        seen.append(payload)

    events.subscribe(DEAL_STATUS_CHANGED, handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            deal = make_deal(partner_admin_membership)
            services.deal_approve(deal=deal, acting_membership=admin_membership)
        assert [(p["from_status"], p["to_status"]) for p in seen][-2:] == [
            ("draft", "submitted"),
            ("submitted", "approved"),
        ]
        assert {p["deal_id"] for p in seen} == {deal.pk}
        assert seen[-1]["actor_user_id"] == admin_membership.user.pk
    finally:
        events._handlers[DEAL_STATUS_CHANGED].remove(handler)


def test_a_registration_gate_from_above_stops_the_submit(partner_admin_membership):
    from deals.providers import registration_gates

    def gate(organization, motion):
        return [f"Complete the {motion.name} learning path first."]

    registration_gates.register(gate)
    try:
        deal = make_deal(partner_admin_membership, submit=False)
        with pytest.raises(ValidationError, match="learning path first"):
            services.deal_submit(deal=deal, acting_membership=partner_admin_membership)
        deal.refresh_from_db()
        assert deal.status == DealStatus.DRAFT
    finally:
        registration_gates.unregister(gate)
