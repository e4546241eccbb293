"""Rollup figures from enablement and incentives, and the per-motion figures, against
hand-computed fixtures in the tenant's time zone (Berlin: 23:30 UTC on the last day of a
month is already the next month)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analytics import rollups, selectors
from analytics.models import MonthlyMetrics
from deals.models import Deal
from tests.analytics.factories import utc
from tests.analytics.test_rollups import DEC, FEB, JAN, MAR, TODAY, berlin, fixture  # noqa: F401
from tests.deals.factories import motion_with_stages
from tests.factories import MembershipFactory, PartnerOrganizationFactory


def _row(organization, month):
    return MonthlyMetrics.objects.get(organization=organization, month=month)


def _program(month):
    return MonthlyMetrics.objects.get(organization__isnull=True, month=month)


# --- certified people ----------------------------------------------------------------


@pytest.fixture
def certified(berlin, in_tenant):  # noqa: F811
    from enablement.models import Certification, CertificationAward

    org_a = PartnerOrganizationFactory(name="Alpha")
    org_b = PartnerOrganizationFactory(name="Beta")
    people = {
        name: MembershipFactory(
            role="partner", partner_organization=org, partner_role="partner_member"
        )
        for name, org in (("m1", org_a), ("m2", org_a), ("m3", org_a), ("m4", org_a), ("m5", org_a))
    }
    people["b1"] = MembershipFactory(
        role="partner", partner_organization=org_b, partner_role="partner_member"
    )
    people["m4"].is_active = False
    people["m4"].save(update_fields=["is_active"])
    c1 = Certification.objects.create(name="Platform", is_published=True)
    c2 = Certification.objects.create(name="Security", is_published=True)

    def award(who, cert, *, issued, valid_until, revoked=None):
        membership = people[who]
        return CertificationAward.objects.create(
            certification=cert,
            membership=membership,
            organization=membership.partner_organization,
            code=f"CODE-{who}-{cert.name}"[:20],
            issued_at=issued,
            valid_until=valid_until,
            revoked_at=revoked,
        )

    # m1: valid from 10 December to 14 February, and a second one from 20 January on.
    award("m1", c1, issued=utc(2025, 12, 10, 9), valid_until=date(2026, 2, 14))
    award("m1", c2, issued=utc(2026, 1, 20, 9), valid_until=date(2027, 1, 20))
    # m2: 23:30 UTC on 31 January is 1 February in Berlin: certified from February.
    award("m2", c1, issued=utc(2026, 1, 31, 23, 30), valid_until=date(2027, 1, 31))
    # m3: revoked on 5 March: no longer counted in March.
    award(
        "m3",
        c1,
        issued=utc(2025, 11, 1, 9),
        valid_until=date(2027, 11, 1),
        revoked=utc(2026, 3, 5, 9),
    )
    # m4: an inactive member never counts.
    award("m4", c1, issued=utc(2025, 11, 1, 9), valid_until=date(2027, 11, 1))
    # m5: expires on 20 March, after "today" (15 March): counted for the current month.
    award("m5", c1, issued=utc(2026, 3, 2, 9), valid_until=date(2026, 3, 20))
    # b1 (the other partner): February only.
    award("b1", c1, issued=utc(2026, 2, 3, 9), valid_until=date(2026, 3, 1))
    return {"a": org_a, "b": org_b}


@pytest.mark.django_db
def test_certified_people_count_awards_valid_on_each_months_last_day(certified):
    rollups.rollup_rebuild(today=TODAY)
    a = certified["a"]
    assert _row(a, DEC).certified_people == 2  # m1, m3
    assert _row(a, JAN).certified_people == 2  # m1 (two awards, one person), m3
    assert _row(a, FEB).certified_people == 3  # m1 (second award), m2, m3
    assert _row(a, MAR).certified_people == 3  # m1, m2, m5 (valid today); m3 revoked
    assert _row(certified["b"], FEB).certified_people == 1
    assert _row(certified["b"], MAR).certified_people == 0  # expired on 1 March
    assert _program(FEB).certified_people == 4
    assert _program(MAR).certified_people == 3
    # A snapshot: the trailing figures take the latest month, not a sum.
    figures = selectors.partners_trailing(organization_ids=[a.pk], end=MAR)[a.pk]
    assert figures["certified_people"] == 3


# --- incentives: ledger and fund requests -----------------------------------------------


@pytest.fixture
def incentives(berlin, in_tenant, monkeypatch):  # noqa: F811
    from incentives.models import Fund, FundAllocation, FundRequest
    from incentives.services.ledger import Posting, entry_post

    org = PartnerOrganizationFactory(name="Alpha")
    other = PartnerOrganizationFactory(name="Beta")
    n = iter(range(1000))

    def post(organization, kind, cause, amount, at, currency="USD"):
        # The ledger stamps its own time and refuses updates: post "at" that moment.
        monkeypatch.setattr("django.utils.timezone.now", lambda: at)
        entry_post(
            organization_id=organization.pk,
            kind=kind,
            currency=currency,
            posting=Posting(
                amount=Decimal(amount), cause=cause, description="x", key=f"k{next(n)}"
            ),
        )
        monkeypatch.undo()

    # Earnings: a SPIFF on 28 February in Berlin (23:30 UTC on the 27th), one on 1 March
    # in Berlin (23:30 UTC on 28 February), an adjustment down in February, a payout
    # in March (not an earning), and a SPIFF in euros (never summed with dollars).
    post(org, "earnings", "spiff", "500", utc(2026, 2, 27, 23, 30))
    post(org, "earnings", "spiff", "250", utc(2026, 2, 28, 23, 30))
    post(org, "earnings", "adjustment", "-100", utc(2026, 2, 10, 9))
    post(org, "earnings", "payout", "-300", utc(2026, 3, 5, 9))
    post(org, "earnings", "spiff", "1000", utc(2026, 2, 10, 9), currency="EUR")
    # Funds: a claim approved in February, paid in March; points are not money.
    post(org, "mdf", "mdf_claim", "800", utc(2026, 2, 20, 9))
    post(org, "mdf", "payout", "-800", utc(2026, 3, 2, 9))
    post(org, "points", "points_deal_won", "50", utc(2026, 2, 20, 9), currency="PTS")
    post(other, "earnings", "spiff", "40", utc(2026, 2, 3, 9))

    usd = Fund.objects.create(
        name="MDF 2026",
        currency="USD",
        amount=10000,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    eur = Fund.objects.create(
        name="MDF 2026 EU",
        currency="EUR",
        amount=10000,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )

    def request(fund, *, status, approved=None, decided=None):
        allocation, _ = FundAllocation.objects.get_or_create(
            fund=fund, organization=org, defaults={"amount": 5000}
        )
        return FundRequest.objects.create(
            allocation=allocation,
            organization=org,
            title="Summit",
            activity_type="event",
            description="x",
            starts_on=date(2026, 2, 1),
            ends_on=date(2026, 2, 2),
            planned_spend=2000,
            status=status,
            approved_amount=approved,
            decided_at=decided,
            decision_reason="" if status != "rejected" else "No budget",
        )

    request(usd, status="approved", approved=1500, decided=utc(2026, 1, 31, 23, 30))  # Feb
    request(usd, status="claimed", approved=2000, decided=utc(2026, 3, 1, 9))  # March
    request(usd, status="rejected", decided=utc(2026, 2, 5, 9))
    request(eur, status="approved", approved=900, decided=utc(2026, 2, 5, 9))
    return {"a": org, "b": other}


@pytest.mark.django_db
def test_mdf_and_earnings_per_month_in_the_tenants_currency(incentives):
    rollups.rollup_rebuild(today=TODAY)
    a = incentives["a"]
    feb, mar = _row(a, FEB), _row(a, MAR)
    assert feb.earnings_posted == Decimal("400")  # 500 − 100; the euros left out
    assert mar.earnings_posted == Decimal("250")  # the payout is not an earning
    assert feb.mdf_claimed == Decimal("800") and feb.mdf_paid == 0
    assert mar.mdf_claimed == 0 and mar.mdf_paid == Decimal("800")
    assert feb.mdf_approved == Decimal("1500")  # decided 00:30 on 1 February in Berlin
    assert mar.mdf_approved == Decimal("2000")
    assert _row(a, JAN).mdf_approved == 0
    assert _program(FEB).earnings_posted == Decimal("440")
    figures = selectors.partners_trailing(organization_ids=[a.pk], end=MAR)[a.pk]
    assert figures["earnings_posted"] == Decimal("650")
    assert figures["mdf_approved"] == Decimal("3500")


# --- per motion ---------------------------------------------------------------------


@pytest.mark.django_db
def test_won_revenue_and_open_pipeline_per_motion(fixture):  # noqa: F811
    other = motion_with_stages(name="Resale")
    d = fixture["deals"]
    Deal.objects.filter(pk__in=[d["d1"].pk, d["d6"].pk]).update(motion=other)
    base = str(d["d2"].motion_id)
    resale = str(other.pk)
    rollups.rollup_rebuild(today=TODAY)
    a = fixture["a"]
    feb, mar, jan = _row(a, FEB), _row(a, MAR), _row(a, JAN)
    assert feb.won_revenue_by_motion == {base: Decimal("400")}  # d4
    assert feb.open_pipeline_by_motion == {base: Decimal("500"), resale: Decimal("3000")}
    assert mar.won_revenue_by_motion == {resale: Decimal("1200")}  # d1
    assert mar.open_pipeline_by_motion == {base: Decimal("500"), resale: Decimal("2000")}
    assert jan.won_revenue_by_motion == {}
    assert jan.open_pipeline_by_motion == {base: Decimal("300"), resale: Decimal("2000")}
    program = _program(FEB)
    assert program.won_revenue_by_motion == {base: Decimal("1400")}  # d4 and Beta's d8
    # The per-motion figures add up to the row's own.
    for row in MonthlyMetrics.objects.all():
        assert sum(row.won_revenue_by_motion.values(), Decimal(0)) == row.won_revenue
        assert sum(row.open_pipeline_by_motion.values(), Decimal(0)) == row.open_pipeline


@pytest.mark.django_db
def test_a_rebuild_over_unchanged_data_writes_nothing_and_keeps_the_figures(fixture):  # noqa: F811
    assert rollups.rollup_rebuild(today=TODAY) == 39
    before = {(r["organization_id"], r["month"]): r for r in MonthlyMetrics.objects.values()}
    assert rollups.rollup_rebuild(today=TODAY) == 0
    Deal.objects.filter(pk=fixture["deals"]["d5"].pk).update(status="won", final_amount=700)
    # February of the partner and of the program change; the open pipeline of every later
    # month too (d5 now leaves the pipeline as won, at the same amount: no change there).
    assert rollups.rollup_rebuild(today=TODAY) == 2
    after = {(r["organization_id"], r["month"]): r for r in MonthlyMetrics.objects.values()}
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {(fixture["a"].pk, FEB), (None, FEB)}


@pytest.mark.django_db
def test_the_month_before_the_window_is_not_written(fixture):  # noqa: F811
    rollups.rollup_rebuild(today=TODAY)
    # 13 months: March 2025 to March 2026; February 2025 only carries the pipeline in.
    assert MonthlyMetrics.objects.order_by("month").first().month == date(2025, 3, 1)


@pytest.mark.django_db
def test_figures_are_as_of_the_last_rebuild_even_where_no_row_changed(fixture):  # noqa: F811
    from analytics.models import RollupRun

    rollups.rollup_rebuild(today=TODAY)
    written = _row(fixture["a"], FEB).computed_at
    rollups.rollup_rebuild(today=TODAY)  # nothing changed: nothing rewritten
    run = RollupRun.objects.get()
    assert run.rebuilt_at > written and run.rows_written == 0
    assert _row(fixture["a"], FEB).computed_at == written
    figures = selectors.partners_trailing(organization_ids=[fixture["a"].pk], end=MAR)
    assert figures[fixture["a"].pk]["as_of"] == run.rebuilt_at
    assert selectors.program_as_of() == run.rebuilt_at
    assert selectors.program_trailing(end=MAR)["as_of"] == run.rebuilt_at
