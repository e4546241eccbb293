"""Programs and earnings: rule matching, caps, idempotence, clawback, the nightly rebates."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incentives import services
from incentives.choices import AccountKind, EntryCause, PeriodUnit
from incentives.models import IncentiveProgram, LedgerAccount, LedgerEntry, TierMultiplier
from incentives.providers import multiplier_providers
from partners.models import Tier
from tests.deals.factories import motion_with_stages
from tests.incentives.factories import rebate, referral, spiff, won_deal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tenant(in_tenant):
    return in_tenant


def _earnings(org):
    account = LedgerAccount.objects.filter(organization=org, kind=AccountKind.EARNINGS).first()
    return account.balance if account else Decimal("0")


def _customer():
    suffix = uuid.uuid4().hex[:8]
    return {"customer": f"Customer {suffix}", "domain": f"{suffix}.example"}


def test_won_deal_earns_the_spiff_through_the_event(
    partner_admin_membership, cm_membership, django_capture_on_commit_callbacks
):
    spiff(amount="500")
    with django_capture_on_commit_callbacks(execute=True):
        deal = won_deal(partner_admin_membership, cm_membership)
    entry = LedgerEntry.objects.get(deal=deal, cause=EntryCause.SPIFF)
    assert entry.amount == Decimal("500.00") and entry.currency == "USD"
    assert _earnings(partner_admin_membership.partner_organization) == Decimal("500.00")
    points = LedgerEntry.objects.filter(deal=deal, kind=AccountKind.POINTS)
    assert sorted(points.values_list("cause", flat=True)) == [
        EntryCause.POINTS_DEAL_REGISTERED,
        EntryCause.POINTS_DEAL_WON,
    ]


def test_recomputing_a_won_deal_creates_nothing_twice(partner_admin_membership, cm_membership):
    spiff(amount="500")
    deal = won_deal(partner_admin_membership, cm_membership)
    first = services.earnings_for_won_deal(deal_id=deal.pk)
    second = services.earnings_for_won_deal(deal_id=deal.pk)
    assert len(first) == 2 and second == []
    assert LedgerEntry.objects.filter(deal=deal, cause=EntryCause.SPIFF).count() == 1


def test_eligibility_rules(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    other_motion = motion_with_stages(key="other-motion")
    gold = Tier.objects.create(name="Gold", rank=3)
    spiff(name="Motion-bound", motion_ids=[other_motion.pk])
    spiff(name="Gold only", min_tier=gold)
    spiff(name="Ended", ends_on=date(2020, 12, 31))
    spiff(name="Everyone", amount="100")
    deal = won_deal(partner_admin_membership, cm_membership)
    services.earnings_for_won_deal(deal_id=deal.pk)
    names = set(
        LedgerEntry.objects.filter(deal=deal, cause=EntryCause.SPIFF).values_list(
            "program__name", flat=True
        )
    )
    assert names == {"Everyone"}
    # Reaching the tier opens the Gold program for the next deal.
    org.tier = gold
    org.save()
    deal2 = won_deal(partner_admin_membership, cm_membership, **_customer())
    services.earnings_for_won_deal(deal_id=deal2.pk)
    assert set(
        LedgerEntry.objects.filter(deal=deal2, cause=EntryCause.SPIFF).values_list(
            "program__name", flat=True
        )
    ) == {"Everyone", "Gold only"}


def test_spiff_cap_per_partner_per_period(partner_admin_membership, cm_membership):
    program = spiff(amount="400", cap="1000", period_unit=PeriodUnit.QUARTER)
    amounts = []
    for _ in range(4):
        deal = won_deal(partner_admin_membership, cm_membership, **_customer())
        services.earnings_for_won_deal(deal_id=deal.pk)
        amounts.append(
            LedgerEntry.objects.filter(deal=deal, program=program).values_list("amount", flat=True)
        )
    assert [list(a) for a in amounts] == [
        [Decimal("400.00")],
        [Decimal("400.00")],
        [Decimal("200.00")],
        [],
    ]


def test_referral_fee_only_on_referral_motion_deals(partner_admin_membership, cm_membership):
    from deals.choices import DealPartnerRole

    referral(rate="7.5")
    ref_motion = motion_with_stages(key="referral-motion")
    ref_motion.default_partner_role = DealPartnerRole.REFERRAL
    ref_motion.save()
    resale = won_deal(partner_admin_membership, cm_membership, amount="10000")
    referred = won_deal(
        partner_admin_membership, cm_membership, amount="12345.67", motion=ref_motion, **_customer()
    )
    services.earnings_for_won_deal(deal_id=resale.pk)
    services.earnings_for_won_deal(deal_id=referred.pk)
    assert not LedgerEntry.objects.filter(deal=resale, cause=EntryCause.REFERRAL).exists()
    entry = LedgerEntry.objects.get(deal=referred, cause=EntryCause.REFERRAL)
    assert entry.amount == Decimal("925.93")  # 925.92525 rounded half-up to cents


def test_tier_multiplier_and_provider_hook(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    silver = Tier.objects.create(name="Silver", rank=2)
    org.tier = silver
    org.save()
    TierMultiplier.objects.create(tier=silver, multiplier=Decimal("1.5"))
    spiff(amount="100")
    deal = won_deal(partner_admin_membership, cm_membership)
    services.earnings_for_won_deal(deal_id=deal.pk)
    assert LedgerEntry.objects.get(deal=deal, cause=EntryCause.SPIFF).amount == Decimal("150.00")

    def provider(organization):
        return Decimal("2")

    multiplier_providers.register(provider)
    try:
        assert services.multiplier_for(organization=org) == Decimal("2")
    finally:
        multiplier_providers.unregister(provider)


def test_clawback_by_reversal_inside_the_window(partner_admin_membership, cm_membership):
    spiff(amount="500")
    deal = won_deal(partner_admin_membership, cm_membership)
    services.earnings_for_won_deal(deal_id=deal.pk)
    # Whatever moved it out of "won" (a reopen, a bulk correction): the service reverses.
    type(deal).objects.filter(pk=deal.pk).update(status="lost")
    reversals = services.earnings_reverse_for_deal(deal_id=deal.pk)
    assert {r.cause for r in reversals} == {EntryCause.REVERSAL}
    assert len(reversals) == 2  # the SPIFF and the won-deal points
    assert _earnings(partner_admin_membership.partner_organization) == Decimal("0.00")
    assert services.earnings_reverse_for_deal(deal_id=deal.pk) == []
    original = LedgerEntry.objects.get(deal=deal, cause=EntryCause.SPIFF)
    assert original.amount == Decimal("500.00") and original.reversed_by.amount == Decimal("-500")


def test_reopening_a_won_deal_reverses_its_earnings_through_the_event(
    partner_admin_membership, cm_membership, django_capture_on_commit_callbacks
):
    from deals import services as deal_services

    spiff(amount="500")
    org = partner_admin_membership.partner_organization
    with django_capture_on_commit_callbacks(execute=True):
        deal = won_deal(partner_admin_membership, cm_membership)
    assert _earnings(org) == Decimal("500.00")
    with django_capture_on_commit_callbacks(execute=True):
        deal_services.deal_reopen(
            deal=deal, acting_membership=cm_membership, reason="Booking cancelled"
        )
    assert _earnings(org) == Decimal("0.00")
    spiff_entry = LedgerEntry.objects.get(deal=deal, cause=EntryCause.SPIFF)
    assert spiff_entry.reversed_by is not None and spiff_entry.reversed_by.amount == Decimal("-500")
    # Won again: it earns again, once (a new key per winning), and nothing is edited.
    with django_capture_on_commit_callbacks(execute=True):
        deal_services.deal_close(
            deal=deal,
            acting_membership=cm_membership,
            won=True,
            closed_on=timezone.localdate(),
            final_amount=Decimal("9000"),
        )
    assert _earnings(org) == Decimal("500.00")


def test_no_clawback_after_the_window(partner_admin_membership, cm_membership):
    spiff(amount="500")
    deal = won_deal(partner_admin_membership, cm_membership)
    services.earnings_for_won_deal(deal_id=deal.pk)
    type(deal).objects.filter(pk=deal.pk).update(status="lost")
    later = timezone.localdate() + timedelta(days=200)
    assert services.earnings_reverse_for_deal(deal_id=deal.pk, today=later) == []


def test_rebate_bands_in_python_match_the_rule():
    bands = [
        services.BandInput(Decimal("0"), Decimal("2")),
        services.BandInput(Decimal("100000"), Decimal("4")),
    ]
    assert services.rebate_amount(revenue=Decimal("150000"), bands=bands) == Decimal("4000")
    assert services.rebate_amount(revenue=Decimal("50000"), bands=bands) == Decimal("1000")


def test_nightly_rebate_is_set_based_and_idempotent(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    program = rebate(period_unit=PeriodUnit.QUARTER)
    last_quarter_end = services.period_start(timezone.localdate(), PeriodUnit.QUARTER) - timedelta(
        days=1
    )
    won_deal(partner_admin_membership, cm_membership, amount="120000", closed_on=last_quarter_end)
    won_deal(
        partner_admin_membership,
        cm_membership,
        amount="30000.50",
        closed_on=last_quarter_end,
        **_customer(),
    )
    services.earnings_compute_periods()
    entry = LedgerEntry.objects.get(program=program, organization=org)
    # 2 % of 100,000 + 4 % of 50,000.50 = 2,000 + 2,000.02
    assert entry.amount == Decimal("4000.02") and entry.cause == EntryCause.REBATE
    account = LedgerAccount.objects.get(organization=org, kind=AccountKind.EARNINGS)
    assert (
        account.balance == entry.running_balance == services.balance_from_entries(account=account)
    )
    services.earnings_compute_periods()
    assert LedgerEntry.objects.filter(program=program).count() == 1


def test_nightly_rebate_corrects_a_reopened_deal(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    program = rebate(bands=(("0", "10"),), period_unit=PeriodUnit.MONTH)
    last_month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    won_deal(partner_admin_membership, cm_membership, amount="1000", closed_on=last_month_end)
    second = won_deal(
        partner_admin_membership,
        cm_membership,
        amount="500",
        closed_on=last_month_end,
        **_customer(),
    )
    services.earnings_compute_periods()
    type(second).objects.filter(pk=second.pk).update(status="lost")
    services.earnings_compute_periods()
    amounts = sorted(
        LedgerEntry.objects.filter(program=program, organization=org).values_list(
            "amount", flat=True
        )
    )
    assert amounts == [Decimal("-50.00"), Decimal("150.00")]
    assert _earnings(org) == Decimal("100.00")


def test_program_validation():
    with pytest.raises(ValidationError) as info:
        services.program_save(
            program=IncentiveProgram(
                name="Bad", kind="spiff", currency="USD", starts_on=date(2026, 1, 1)
            )
        )
    assert "amount_per_deal" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        rebate(name="No bands", bands=())
    assert "bands" in info.value.message_dict
    spiff(name="Taken")
    with pytest.raises(ValidationError) as info:
        spiff(name="Taken")
    assert "name" in info.value.message_dict  # a 400, not an IntegrityError


def test_deal_services_unchanged_when_no_program(partner_admin_membership, cm_membership):
    deal = won_deal(partner_admin_membership, cm_membership)
    entries = services.earnings_for_won_deal(deal_id=deal.pk)
    assert [e.cause for e in entries] == [EntryCause.POINTS_DEAL_WON]


def test_certification_event_awards_points_once(partner_admin_membership):
    from incentives.handlers import on_certification_earned

    org = partner_admin_membership.partner_organization
    award_id = uuid.uuid4()
    payload = {
        "tenant_id": org.tenant_id,
        "award_id": award_id,
        "certification_id": uuid.uuid4(),
        "membership_id": partner_admin_membership.pk,
        "organization_id": org.pk,
        "renewal": False,
    }
    on_certification_earned(**payload)
    on_certification_earned(**payload)
    on_certification_earned(**{**payload, "award_id": uuid.uuid4(), "renewal": True})
    entries = LedgerEntry.objects.filter(cause=EntryCause.POINTS_CERTIFICATION)
    assert [e.amount for e in entries] == [Decimal("100.00")]
    assert entries.get().kind == AccountKind.POINTS and entries.get().currency == "PTS"
