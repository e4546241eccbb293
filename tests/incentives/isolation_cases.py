"""Isolation cases for the incentives app's pages and API endpoints."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from incentives import services
from incentives.choices import AccountKind, EntryCause, PeriodUnit
from incentives.models import IncentiveProgram, Statement
from tests.incentives.factories import fund_with_allocation, pdf_upload, request_input
from tests.isolation.registry import Target, register

API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _secret(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def _allocation(world):
    _, allocation = fund_with_allocation(world.org_a1, world.admin_a, budget="9000")
    return allocation


def _request(world, *, approve=False):
    title = _secret("Secret activity A1")
    fund_request = services.fund_request_submit(
        acting_membership=world.partner_a1,
        allocation=_allocation(world),
        data=request_input("500", title=title),
    )
    if approve:
        fund_request = services.fund_request_approve(
            request=fund_request, acting_membership=world.admin_a
        )
    return fund_request


def _claim(world, *, approve=False):
    fund_request = _request(world, approve=True)
    claim = services.fund_claim_submit(
        acting_membership=world.partner_a1,
        request=fund_request,
        amount=Decimal("400"),
        proofs=[pdf_upload(f"{uuid.uuid4().hex[:6]}.pdf")],
    )
    if approve:
        claim = services.fund_claim_approve(claim=claim, acting_membership=world.admin_a)
    return claim


def _statement(world, status="approved"):
    services.entry_post(
        organization_id=world.org_a1.pk,
        kind=AccountKind.EARNINGS,
        currency="USD",
        posting=services.Posting(
            amount=Decimal("123.45"),
            cause=EntryCause.SPIFF,
            description=_secret("Secret SPIFF A1"),
            key=uuid.uuid4().hex,
        ),
    )
    account = services.account_for(
        organization_id=world.org_a1.pk, kind=AccountKind.EARNINGS, currency="USD"
    )
    start = date(2020 + Statement.objects.count(), 1, 1)
    return Statement.objects.create(
        organization=world.org_a1,
        account=account,
        currency="USD",
        period_unit=PeriodUnit.MONTH,
        period_start=start,
        period_end=start.replace(day=31),
        opening_balance=0,
        credits=account.balance,
        debits=0,
        closing_balance=account.balance,
        amount_due=account.balance,
        entry_count=1,
        status=status,
    )


@register("incentives:portal_statement_detail", "incentives:statement_csv")
def _partner_statement(world):
    statement = _statement(world)
    return Target(kwargs={"pk": statement.pk}, obj=statement)


@register(
    "api:statement-detail", "api:statement-approve", "api:statement-release", methods=API_METHODS
)
def _partner_statement_api(world):
    return _partner_statement(world)


@register("incentives:console_statement_detail", owner="staff")
def _staff_statement(world):
    statement = _statement(world, status="draft")
    return Target(kwargs={"pk": statement.pk}, obj=statement)


@register("incentives:portal_request_create")
def _partner_allocation(world):
    allocation = _allocation(world)
    return Target(kwargs={"pk": allocation.pk}, obj=allocation)


@register("api:fund-allocation-detail", methods=API_METHODS)
def _partner_allocation_api(world):
    return _partner_allocation(world)


@register("incentives:portal_request_detail")
def _partner_request(world):
    fund_request = _request(world, approve=True)
    return Target(kwargs={"pk": fund_request.pk}, obj=fund_request, marker=fund_request.title)


@register(
    "api:fund-request-detail",
    "api:fund-request-approve",
    "api:fund-request-reject",
    methods=API_METHODS,
)
def _partner_request_api(world):
    fund_request = _request(world)
    return Target(kwargs={"pk": fund_request.pk}, obj=fund_request, marker=fund_request.title)


@register("incentives:request_approve", "incentives:request_reject", owner="staff")
def _staff_request(world):
    fund_request = _request(world)
    return Target(kwargs={"pk": fund_request.pk}, obj=fund_request, marker=fund_request.title)


@register("incentives:proof_download")
def _partner_proof(world):
    proof = _claim(world).proofs.get()
    return Target(kwargs={"pk": proof.pk}, obj=proof)


@register(
    "api:fund-claim-detail",
    "api:fund-claim-approve",
    "api:fund-claim-reject",
    methods=API_METHODS,
)
def _partner_claim_api(world):
    claim = _claim(world)
    return Target(kwargs={"pk": claim.pk}, obj=claim, marker=claim.request.title)


@register("incentives:claim_approve", "incentives:claim_reject", owner="staff")
def _staff_claim(world):
    claim = _claim(world)
    return Target(kwargs={"pk": claim.pk}, obj=claim, marker=claim.request.title)


@register("incentives:fund_detail", owner="staff")
def _staff_fund(world):
    allocation = _allocation(world)
    return Target(kwargs={"pk": allocation.fund_id}, obj=allocation.fund)


@register("api:fund-detail", owner="staff", methods=API_METHODS)
def _staff_fund_api(world):
    return _staff_fund(world)


def _batch(world):
    claim = _claim(world, approve=True)
    return services.payout_batch_create(
        acting_membership=world.admin_a, statement_ids=[], claim_ids=[claim.pk]
    )


@register("incentives:batch_detail", "incentives:batch_export", owner="staff")
def _staff_batch(world):
    batch = _batch(world)
    return Target(kwargs={"pk": batch.pk}, obj=batch)


@register(
    "api:payout-batch-detail", "api:payout-batch-mark-paid", owner="staff", methods=API_METHODS
)
def _staff_batch_api(world):
    return _staff_batch(world)


@register("incentives:program_edit", owner="staff")
def _staff_program(world):
    program = services.program_save(
        program=IncentiveProgram(
            name=_secret("Secret SPIFF program"),
            kind="spiff",
            currency="USD",
            starts_on=date(2026, 1, 1),
            amount_per_deal=Decimal("100"),
        )
    )
    return Target(kwargs={"pk": program.pk}, obj=program, marker=program.name)


@register("api:incentive-program-detail", owner="staff", methods=API_METHODS)
def _staff_program_api(world):
    return _staff_program(world)
