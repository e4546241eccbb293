"""Factories and helpers for the incentives app: rows made the way the services make them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from deals import services as deal_services
from incentives import services
from incentives.choices import ProgramKind
from incentives.models import IncentiveProgram
from tests.deals.factories import make_deal


def spiff(name="Q SPIFF", amount="500.00", cap=None, currency="USD", **extra) -> IncentiveProgram:
    return services.program_save(
        program=IncentiveProgram(
            name=name,
            kind=ProgramKind.SPIFF,
            currency=currency,
            starts_on=date(2020, 1, 1),
            amount_per_deal=Decimal(amount),
            cap_per_period=Decimal(cap) if cap else None,
            **extra,
        )
    )


def rebate(name="Rebate", bands=(("0", "2"), ("100000", "4")), **extra) -> IncentiveProgram:
    return services.program_save(
        program=IncentiveProgram(
            name=name,
            kind=ProgramKind.REBATE,
            currency="USD",
            starts_on=date(2020, 1, 1),
            **extra,
        ),
        bands=[services.BandInput(Decimal(a), Decimal(r)) for a, r in bands],
    )


def referral(name="Referral fee", rate="10", **extra) -> IncentiveProgram:
    return services.program_save(
        program=IncentiveProgram(
            name=name,
            kind=ProgramKind.REFERRAL,
            currency="USD",
            starts_on=date(2020, 1, 1),
            rate_percent=Decimal(rate),
            **extra,
        )
    )


def won_deal(partner_membership, staff_membership, *, amount="10000", closed_on=None, **extra):
    """A deal registered by the partner, approved and won by staff (events not run)."""
    deal = make_deal(partner_membership, **extra)
    deal = deal_services.deal_approve(deal=deal, acting_membership=staff_membership)
    return deal_services.deal_close(
        deal=deal,
        acting_membership=staff_membership,
        won=True,
        closed_on=closed_on or timezone.localdate() - timedelta(days=1),
        final_amount=Decimal(amount),
    )


def fund_with_allocation(organization, staff_membership, *, budget="10000", allocated="5000"):
    """A fund of this quarter with an allocation to the organization."""
    from incentives.models import Fund

    today = timezone.localdate()
    fund = services.fund_save(
        fund=Fund(
            name=f"MDF {today:%Y} {organization.name} {uuid.uuid4().hex[:6]}",
            currency="USD",
            amount=Decimal(budget),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=60),
        )
    )
    allocation = services.allocation_set(
        fund=fund,
        organization=organization,
        amount=Decimal(allocated),
        acting_membership=staff_membership,
    )
    return fund, allocation


def request_input(planned="1000", **extra) -> services.RequestInput:
    today = timezone.localdate()
    data = {
        "title": "Partner summit booth",
        "activity_type": "event",
        "description": "A booth at the regional summit.",
        "starts_on": today - timedelta(days=10),
        "ends_on": today - timedelta(days=9),
        "planned_spend": Decimal(planned),
        "expected_leads": 40,
        "expected_pipeline": Decimal("200000"),
    }
    data.update(extra)
    return services.RequestInput(**data)


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="invoice.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
