"""Demo data of the incentives app for one tenant (called by prm.core.demo; idempotent).

Every tenant gets a SPIFF and a rebate program, a marketing fund for this quarter with
allocations to its partners, and fund requests at each step: waiting, approved,
partly approved, rejected, claimed, claim approved, and a claim paid through a batch.
Won deals of the demo earn their SPIFF. Rows are looked up by natural keys first, so a
second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from deals.choices import DealStatus
from deals.models import Deal

from . import services
from .choices import PeriodUnit, ProgramKind
from .models import Fund, FundRequest, IncentiveProgram

if TYPE_CHECKING:
    from prm.core.demo import DemoPeople

PROOF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _programs(currency: str) -> None:
    start = timezone.localdate().replace(month=1, day=1)
    if not IncentiveProgram.objects.filter(name="Win bonus SPIFF").exists():
        services.program_save(
            program=IncentiveProgram(
                name="Win bonus SPIFF",
                kind=ProgramKind.SPIFF,
                description="500 for every won deal, up to 2,500 per partner per quarter.",
                currency=currency,
                starts_on=start,
                period_unit=PeriodUnit.QUARTER,
                amount_per_deal=Decimal("500"),
                cap_per_period=Decimal("2500"),
                requires_agreement=False,
            )
        )
    if not IncentiveProgram.objects.filter(name="Quarterly growth rebate").exists():
        services.program_save(
            program=IncentiveProgram(
                name="Quarterly growth rebate",
                kind=ProgramKind.REBATE,
                description="2 % of won revenue up to 100,000 a quarter, 4 % above.",
                currency=currency,
                starts_on=start,
                period_unit=PeriodUnit.QUARTER,
                requires_agreement=False,
            ),
            bands=[
                services.BandInput(Decimal("0"), Decimal("2")),
                services.BandInput(Decimal("100000"), Decimal("4")),
            ],
        )


def _request(people, partner, allocation, title, planned):
    existing = FundRequest.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    fund = allocation.fund
    data = services.RequestInput(
        title=title,
        activity_type="event",
        description=f"{title}: booth, demo station and follow-up e-mails.",
        starts_on=fund.starts_on,
        ends_on=fund.starts_on + timedelta(days=1),
        planned_spend=Decimal(planned),
        expected_leads=30,
        expected_pipeline=Decimal(planned) * 20,
    )
    return services.fund_request_submit(
        acting_membership=partner, allocation=allocation, data=data
    ), True


def _claim(people, partner, fund_request, amount):
    return services.fund_claim_submit(
        acting_membership=partner,
        request=fund_request,
        amount=Decimal(amount),
        notes="Invoice attached.",
        leads_generated=25,
        proofs=[SimpleUploadedFile("invoice.pdf", PROOF, content_type="application/pdf")],
    )


def seed(people: DemoPeople) -> None:
    tenant = people.tenant
    admin, cm = people.admin, people.channel_manager
    _programs(tenant.currency)
    for deal_id in Deal.objects.filter(status=DealStatus.WON).values_list("pk", flat=True):
        services.earnings_for_won_deal(deal_id=deal_id)

    today = timezone.localdate()
    start = services.period_start(today, PeriodUnit.QUARTER)
    name = f"Market development {services.period_label(start, PeriodUnit.QUARTER)}"
    fund = Fund.objects.filter(name=name).first()
    if fund is None:
        fund = services.fund_save(
            fund=Fund(
                name=name,
                currency=tenant.currency,
                amount=Decimal("50000"),
                starts_on=start,
                ends_on=services.period_end(start, PeriodUnit.QUARTER),
            )
        )
    allocations = []
    for organization, amount in zip(people.organizations, ("15000", "10000"), strict=False):
        allocation = fund.allocations.filter(organization=organization).first()
        if allocation is None:
            allocation = services.allocation_set(
                fund=fund,
                organization=organization,
                amount=Decimal(amount),
                acting_membership=admin,
            )
        allocations.append(allocation)
    if not allocations or not people.partner_admins:
        return
    partner, allocation = people.partner_admins[0], allocations[0]
    slug = tenant.slug.title()

    _request(people, partner, allocation, f"{slug} webinar series (waiting)", "1200")

    approved, new = _request(people, partner, allocation, f"{slug} roadshow (approved)", "3000")
    if new:
        services.fund_request_approve(request=approved, acting_membership=cm)

    partial, new = _request(people, partner, allocation, f"{slug} trade show (partly)", "4000")
    if new:
        services.fund_request_approve(
            request=partial,
            acting_membership=admin,
            amount=Decimal("2500"),
            reason="The booth is approved; the sponsored dinner is not.",
        )

    rejected, new = _request(people, partner, allocation, f"{slug} golf day (rejected)", "900")
    if new:
        services.fund_request_reject(
            request=rejected, acting_membership=cm, reason="Hospitality is not eligible for MDF."
        )

    claimed, new = _request(people, partner, allocation, f"{slug} lunch and learn (claimed)", "800")
    if new:
        claimed = services.fund_request_approve(request=claimed, acting_membership=cm)
        _claim(people, partner, claimed, "750")

    approved_claim, new = _request(
        people, partner, allocation, f"{slug} e-mail campaign (claim approved)", "600"
    )
    if new:
        approved_claim = services.fund_request_approve(request=approved_claim, acting_membership=cm)
        claim = _claim(people, partner, approved_claim, "600")
        services.fund_claim_approve(claim=claim, acting_membership=cm)

    paid, new = _request(people, partner, allocation, f"{slug} partner summit (paid)", "2000")
    if new:
        paid = services.fund_request_approve(request=paid, acting_membership=cm)
        claim = _claim(people, partner, paid, "1850")
        claim = services.fund_claim_approve(claim=claim, acting_membership=cm)
        batch = services.payout_batch_create(
            acting_membership=admin, statement_ids=[], claim_ids=[claim.pk]
        )
        services.payout_batch_mark_paid(
            batch=batch, acting_membership=admin, payment_reference="Wire 2026-001"
        )
