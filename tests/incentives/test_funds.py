"""Market development funds: budgets, allocations, requests, claims, proofs, reminders."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from incentives import services
from incentives.choices import AccountKind, ClaimStatus, RequestStatus
from incentives.models import Fund, FundAllocation, FundRequest, LedgerAccount
from prm.notifications.models import Notification
from prm.tenancy.context import tenant_context
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory
from tests.incentives.factories import fund_with_allocation, pdf_upload, request_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(partner_admin_membership, admin_membership):
    fund, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    return fund, allocation


def test_allocations_never_exceed_the_budget(setup, admin_membership, in_tenant):
    fund, _ = setup
    other = PartnerOrganizationFactory()
    with pytest.raises(ValidationError) as info:
        services.allocation_set(
            fund=fund,
            organization=other,
            amount=Decimal("5000.01"),
            acting_membership=admin_membership,
        )
    assert "Only $5,000.00 of" in str(info.value)
    services.allocation_set(
        fund=fund, organization=other, amount=Decimal("5000"), acting_membership=admin_membership
    )
    fund.refresh_from_db()
    assert fund.allocated == fund.amount == Decimal("10000.00")


def test_request_over_the_allocation_is_refused(setup, partner_admin_membership):
    _, allocation = setup
    with pytest.raises(ValidationError) as info:
        services.fund_request_submit(
            acting_membership=partner_admin_membership,
            allocation=allocation,
            data=request_input("5000.01"),
        )
    assert "Only $5,000.00 of your allocation is available" in str(info.value)
    assert FundRequest.objects.count() == 0
    allocation.refresh_from_db()
    assert allocation.committed == 0


def test_request_approve_partly_then_claim_and_pay(
    setup, partner_admin_membership, cm_membership, admin_membership
):
    _, allocation = setup
    request = services.fund_request_submit(
        acting_membership=partner_admin_membership,
        allocation=allocation,
        data=request_input("2000"),
    )
    allocation.refresh_from_db()
    assert allocation.committed == Decimal("2000.00")
    with pytest.raises(ValidationError):  # partial needs a reason
        services.fund_request_approve(
            request=request, acting_membership=cm_membership, amount=Decimal("1500")
        )
    request = services.fund_request_approve(
        request=request,
        acting_membership=cm_membership,
        amount=Decimal("1500"),
        reason="Booth only",
    )
    allocation.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and allocation.committed == Decimal("1500.00")
    assert request.claim_due_on == request.ends_on + timedelta(days=30)

    with pytest.raises(ValidationError) as info:
        services.fund_claim_submit(
            acting_membership=partner_admin_membership,
            request=request,
            amount=Decimal("1600"),
            proofs=[pdf_upload()],
        )
    assert "at most the approved $1,500.00" in str(info.value)
    claim = services.fund_claim_submit(
        acting_membership=partner_admin_membership,
        request=request,
        amount=Decimal("1400"),
        proofs=[pdf_upload()],
    )
    assert claim.proofs.get().content_type == "application/pdf"
    assert claim.proofs.get().file.name.startswith(f"tenants/{claim.tenant_id}/fund-proofs/")
    with pytest.raises(ValidationError):
        services.fund_claim_approve(
            claim=claim, acting_membership=cm_membership, amount=Decimal("1400.01")
        )
    claim = services.fund_claim_approve(claim=claim, acting_membership=cm_membership)
    assert claim.status == ClaimStatus.APPROVED
    mdf = LedgerAccount.objects.get(
        organization=partner_admin_membership.partner_organization, kind=AccountKind.MDF
    )
    assert mdf.balance == Decimal("1400.00")
    batch = services.payout_batch_create(
        acting_membership=cm_membership, statement_ids=[], claim_ids=[claim.pk]
    )
    services.payout_batch_mark_paid(batch=batch, acting_membership=cm_membership)
    mdf.refresh_from_db()
    claim.refresh_from_db()
    assert mdf.balance == Decimal("0.00") and claim.status == ClaimStatus.PAID
    with pytest.raises(ValidationError) as info:
        services.payout_batch_mark_paid(batch=batch, acting_membership=cm_membership)
    assert "already" in str(info.value)
    mdf.refresh_from_db()
    assert mdf.balance == Decimal("0.00")


def test_wrong_proof_type_and_size_are_refused(setup, partner_admin_membership, cm_membership):
    _, allocation = setup
    request = services.fund_request_submit(
        acting_membership=partner_admin_membership, allocation=allocation, data=request_input("100")
    )
    services.fund_request_approve(request=request, acting_membership=cm_membership)
    exe = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as info:
        services.fund_claim_submit(
            acting_membership=partner_admin_membership,
            request=request,
            amount=Decimal("100"),
            proofs=[exe],
        )
    assert "not an accepted proof file" in str(info.value)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED  # nothing lost, can claim again
    csv_ok = SimpleUploadedFile("attendees.csv", b"name,email\nAda,ada@example.test\n")
    claim = services.fund_claim_submit(
        acting_membership=partner_admin_membership,
        request=request,
        amount=Decimal("100"),
        proofs=[csv_ok],
    )
    assert claim.proofs.get().content_type == "text/csv"


def test_above_the_threshold_only_admins_approve(
    setup, partner_admin_membership, cm_membership, admin_membership
):
    _, allocation = setup
    config = services.incentive_settings()
    config.admin_approval_above = Decimal("500")
    config.save()
    request = services.fund_request_submit(
        acting_membership=partner_admin_membership, allocation=allocation, data=request_input("800")
    )
    with pytest.raises(PermissionDenied):
        services.fund_request_approve(request=request, acting_membership=cm_membership)
    services.fund_request_approve(request=request, acting_membership=admin_membership)


def test_reject_needs_a_reason_and_frees_the_allocation(
    setup, partner_admin_membership, cm_membership
):
    _, allocation = setup
    request = services.fund_request_submit(
        acting_membership=partner_admin_membership, allocation=allocation, data=request_input("800")
    )
    with pytest.raises(ValidationError):
        services.fund_request_reject(request=request, acting_membership=cm_membership, reason=" ")
    services.fund_request_reject(request=request, acting_membership=cm_membership, reason="No")
    allocation.refresh_from_db()
    assert allocation.committed == 0


def test_reminders_are_idempotent(setup, partner_admin_membership, cm_membership):
    _, allocation = setup
    due = services.fund_request_submit(
        acting_membership=partner_admin_membership, allocation=allocation, data=request_input("100")
    )
    services.fund_request_approve(request=due, acting_membership=cm_membership)
    late = services.fund_request_submit(
        acting_membership=partner_admin_membership, allocation=allocation, data=request_input("100")
    )
    FundRequest.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(days=9))
    today = timezone.localdate()
    FundRequest.objects.filter(pk=due.pk).update(claim_due_on=today + timedelta(days=3))
    first = services.funds_send_reminders(today=today)
    second = services.funds_send_reminders(today=today)
    assert first["claim_due"] == 1 and first["request_sla"] >= 1
    assert second["claim_due"] == 0 and second["request_sla"] == 0
    # Past the due date the approval expires and goes back to the allocation.
    services.funds_send_reminders(today=today + timedelta(days=10))
    due.refresh_from_db()
    allocation.refresh_from_db()
    assert due.status == RequestStatus.EXPIRED
    assert allocation.committed == Decimal("100.00")  # only the late request is held
    assert Notification.objects.filter(kind="incentives.claim_expired").count() == 1


def test_allocation_from_tier_benefit(admin_membership, in_tenant):
    from partners.models import Benefit, Tier, TierBenefit

    gold = Tier.objects.create(name="Gold", rank=3)
    benefit = Benefit.objects.create(key="fund_budget_per_quarter", name="MDF", kind="amount")
    TierBenefit.objects.create(tier=gold, benefit=benefit, value="3000")
    orgs = [PartnerOrganizationFactory(tier=gold) for _ in range(3)]
    fund = services.fund_save(
        fund=Fund(
            name="Q fund",
            currency="USD",
            amount=Decimal("7000"),
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=80),
        )
    )
    created, skipped = services.allocations_from_tier_benefit(
        fund=fund, acting_membership=admin_membership
    )
    assert len(created) == 2 and len(skipped) == 1
    assert FundAllocation.objects.filter(fund=fund).count() == 2
    assert {a.organization_id for a in created} < {o.pk for o in orgs}


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_requests_never_exceed_the_allocation():
    tenant = TenantFactory(slug="mdf-race", name="MDF race")
    with tenant_context(tenant):
        org = PartnerOrganizationFactory()
        partner = MembershipFactory(
            role="partner", partner_organization=org, partner_role="partner_admin"
        )
        admin = MembershipFactory(role="admin")
        _, allocation = fund_with_allocation(org, admin, budget="10000", allocated="1000")
    barrier = threading.Barrier(50)
    outcomes: list = []

    def run(i):
        try:
            barrier.wait(timeout=20)
            with tenant_context(tenant):
                request = services.fund_request_submit(
                    acting_membership=partner, allocation=allocation, data=request_input("75")
                )
                services.fund_request_approve(request=request, acting_membership=admin)
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        except Exception as exc:  # noqa: BLE001
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("approved") == 13  # 13 × 75 = 975 ≤ 1,000 < 14 × 75
    assert all(o == "approved" or "of your allocation is available" in o for o in outcomes), (
        outcomes
    )
    with tenant_context(tenant):
        approved = sum(FundRequest.objects.values_list("approved_amount", flat=True))
        allocation.refresh_from_db()
        assert approved == Decimal("975.00") == allocation.committed
