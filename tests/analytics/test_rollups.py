"""The monthly rollups against a hand-computed fixture, in the tenant's time zone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analytics import rollups, selectors, tasks
from analytics.models import MonthlyMetrics
from deals.models import Deal, DealTransition
from partners.models import Touchpoint
from tests.analytics.factories import lead_for, placed_deal, transition_at, utc
from tests.factories import MembershipFactory, PartnerOrganizationFactory

TODAY = date(2026, 3, 15)
FEB, JAN, MAR, DEC = date(2026, 2, 1), date(2026, 1, 1), date(2026, 3, 1), date(2025, 12, 1)


@pytest.fixture
def berlin(tenant):
    tenant.time_zone = "Europe/Berlin"
    tenant.save(update_fields=["time_zone"])
    return tenant


@pytest.fixture
def fixture(berlin, in_tenant):
    """Two partners; the expected figures are worked out by hand in each test."""
    org_a = PartnerOrganizationFactory(name="Alpha")
    org_b = PartnerOrganizationFactory(name="Beta")
    pa = MembershipFactory(role="partner", partner_organization=org_a, partner_role="partner_admin")
    pb = MembershipFactory(role="partner", partner_organization=org_b, partner_role="partner_admin")
    cm = MembershipFactory(role="channel_manager")
    # The services stamp "now" on their own transitions; the fixture's months are in the
    # past, so only the transitions placed below fall inside the window.
    deals = {
        # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin: a February submission.
        "d1": placed_deal(
            pa,
            submitted=utc(2026, 1, 31, 23, 30),
            approved=utc(2026, 2, 2, 0, 30),
            status="won",
            amount="1000",
            closed_on=date(2026, 3, 10),
            final_amount="1200",
        ),
        # 22:30 UTC on 31 January is still January in Berlin.
        "d2": placed_deal(
            pa,
            submitted=utc(2026, 1, 31, 22, 30),
            approved=utc(2026, 2, 1, 10, 30),
            status="approved",
            amount="500",
        ),
        "d3": placed_deal(pa, submitted=utc(2026, 2, 10, 9), status="rejected", amount="50"),
        "d4": placed_deal(
            pa,
            submitted=utc(2025, 12, 1, 12),
            approved=utc(2025, 12, 2, 12),
            status="won",
            amount="300",
            closed_on=date(2026, 2, 20),
            final_amount="400",
        ),
        "d5": placed_deal(
            pa,
            submitted=utc(2026, 2, 1, 12),
            approved=utc(2026, 2, 1, 14),
            status="lost",
            amount="700",
            closed_on=date(2026, 2, 25),
            final_amount="0",
        ),
        # Approved long before the window and still open: the pipeline's baseline.
        "d6": placed_deal(
            pa,
            submitted=utc(2024, 5, 30, 12),
            approved=utc(2024, 6, 1, 12),
            status="approved",
            amount="2000",
        ),
        "d7": placed_deal(
            pa,
            submitted=utc(2025, 11, 4, 12),
            approved=utc(2025, 11, 5, 12),
            status="expired",
            amount="100",
            expires_on=date(2026, 1, 15),
        ),
        "d8": placed_deal(
            pb,
            submitted=utc(2026, 1, 20, 10),
            approved=utc(2026, 1, 20, 12),
            status="won",
            amount="900",
            closed_on=date(2026, 2, 5),
            final_amount="1000",
        ),
    }
    lead_for(deals["d4"])
    transition_at(deals["d3"], to_value="rejected", actor=cm.user, at=utc(2026, 2, 11, 15))
    # Active users: a partner person moving a deal counts, a channel manager does not.
    transition_at(deals["d2"], to_value="approved", actor=pa.user, at=utc(2026, 2, 10, 9))
    transition_at(deals["d1"], to_value="approved", actor=cm.user, at=utc(2026, 2, 10, 9))
    for day in (date(2026, 2, 28), date(2026, 3, 1)):
        Touchpoint.objects.create(organization=org_a, kind="call", occurred_on=day, subject="x")
    return {"a": org_a, "b": org_b, "deals": deals}


def _row(organization, month):
    return MonthlyMetrics.objects.get(organization=organization, month=month)


@pytest.mark.django_db
def test_each_metric_of_a_partner_month_matches_the_hand_computed_figures(fixture):
    rollups.rollup_rebuild(today=TODAY)
    feb = _row(fixture["a"], FEB)
    assert feb.registrations_submitted == 3  # d1 (Berlin February), d3, d5
    assert feb.registrations_approved == 3  # d1, d2, d5
    assert feb.registrations_rejected == 1  # d3
    assert feb.median_decision_hours == pytest.approx(18.5)  # of 2, 12, 25, 30 hours
    assert feb.won_count == 1 and feb.won_revenue == Decimal("400")
    assert feb.lead_sourced_revenue == Decimal("400")
    assert feb.partner_sourced_revenue == Decimal("0")
    assert feb.lost_count == 1
    assert feb.win_rate == Decimal("50.0")
    assert feb.pipeline_change == Decimal("1200")  # +1000 +500 +700 −300 −700
    assert feb.open_pipeline == Decimal("3500")  # d6 2000 + d1 1000 + d2 500
    assert feb.active_users == 1
    assert feb.touchpoints == 1

    jan = _row(fixture["a"], JAN)
    assert jan.registrations_submitted == 1  # d2: 23:30 on 31 January in Berlin
    assert jan.registrations_approved == 0
    assert jan.median_decision_hours is None and jan.win_rate is None
    assert jan.open_pipeline == Decimal("2300")  # d6 2000 + d4 300 (d7 expired)

    mar = _row(fixture["a"], MAR)
    assert mar.won_count == 1 and mar.partner_sourced_revenue == Decimal("1200")
    assert mar.open_pipeline == Decimal("2500")
    assert mar.touchpoints == 1 and mar.win_rate == Decimal("100.0")

    dec = _row(fixture["a"], DEC)
    assert dec.registrations_approved == 1 and dec.median_decision_hours == pytest.approx(24)
    assert dec.open_pipeline == Decimal("2400")


@pytest.mark.django_db
def test_the_program_row_totals_every_partner(fixture):
    rollups.rollup_rebuild(today=TODAY)
    feb = MonthlyMetrics.objects.get(organization__isnull=True, month=FEB)
    assert feb.won_count == 2 and feb.won_revenue == Decimal("1400")
    assert feb.partner_sourced_revenue == Decimal("1000")
    assert feb.lost_count == 1
    assert feb.open_pipeline == Decimal("3500")  # Beta's deal was won in February
    jan = MonthlyMetrics.objects.get(organization__isnull=True, month=JAN)
    assert jan.registrations_submitted == 2 and jan.registrations_approved == 1
    assert jan.median_decision_hours == pytest.approx(2)
    assert jan.open_pipeline == Decimal("3200")


@pytest.mark.django_db
def test_a_rebuild_covers_13_months_for_every_partner_and_is_idempotent(fixture):
    written = rollups.rollup_rebuild(today=TODAY)
    assert written == 3 * 13  # two partners and the program, 13 months each
    first = {(r["organization_id"], r["month"]): r for r in MonthlyMetrics.objects.values()}
    rollups.rollup_rebuild(today=TODAY)
    again = {(r["organization_id"], r["month"]): r for r in MonthlyMetrics.objects.values()}
    assert MonthlyMetrics.objects.count() == 39
    strip = ("computed_at",)
    assert {k: {f: v for f, v in r.items() if f not in strip} for k, r in first.items()} == {
        k: {f: v for f, v in r.items() if f not in strip} for k, r in again.items()
    }
    months = sorted({m for _, m in first})
    assert months[0] == date(2025, 3, 1) and months[-1] == MAR


@pytest.mark.django_db
def test_a_rebuild_corrects_a_row_after_the_data_changed(fixture):
    rollups.rollup_rebuild(today=TODAY)
    Deal.objects.filter(pk=fixture["deals"]["d5"].pk).update(status="won", final_amount=700)
    rollups.rollup_rebuild(today=TODAY)
    feb = _row(fixture["a"], FEB)
    assert feb.won_count == 2 and feb.lost_count == 0 and feb.win_rate == Decimal("100.0")


@pytest.mark.django_db
def test_trailing_figures_sum_twelve_months(fixture):
    rollups.rollup_rebuild(today=TODAY)
    figures = selectors.partners_trailing(organization_ids=[fixture["a"].pk], end=MAR)[
        fixture["a"].pk
    ]
    assert figures["won_count"] == 2 and figures["won_revenue"] == Decimal("1600")
    assert figures["registrations_approved"] == 5  # d7 Nov, d4 Dec, d1 d2 d5 Feb
    assert figures["win_rate"] == Decimal("66.7")
    assert figures["open_pipeline"] == Decimal("2500")


@pytest.mark.django_db
def test_refreshing_one_partner_touches_only_its_current_month(fixture):
    rollups.rollup_rebuild(today=TODAY)
    before_b = _row(fixture["b"], MAR).computed_at
    d2 = fixture["deals"]["d2"]
    Deal.objects.filter(pk=d2.pk).update(
        status="won", closed_on=date(2026, 3, 12), final_amount=600
    )
    rollups.rollup_refresh_partner(organization_id=fixture["a"].pk, today=TODAY)
    mar = _row(fixture["a"], MAR)
    assert mar.won_count == 2 and mar.won_revenue == Decimal("1800")
    assert mar.open_pipeline == Decimal("2000")
    assert _row(fixture["b"], MAR).computed_at == before_b
    program = MonthlyMetrics.objects.get(organization__isnull=True, month=MAR)
    assert program.won_count == 2


@pytest.mark.django_db
def test_a_deal_event_schedules_one_refresh_however_many_arrive(in_tenant, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.refresh_partner_month, "apply_async", lambda **kw: sent.append(kw))
    org = PartnerOrganizationFactory()
    assert tasks.schedule_partner_refresh(tenant_id=in_tenant.pk, organization_id=org.pk)
    assert not tasks.schedule_partner_refresh(tenant_id=in_tenant.pk, organization_id=org.pk)
    assert len(sent) == 1 and sent[0]["countdown"] == tasks.REFRESH_DELAY_SECONDS
    # The task clears the debounce key and writes the current month; run twice, same rows.
    tasks.refresh_partner_month(tenant_id=in_tenant.pk, organization_id=str(org.pk))
    tasks.refresh_partner_month(tenant_id=in_tenant.pk, organization_id=str(org.pk))
    assert MonthlyMetrics.objects.filter(organization=org).count() == 1
    assert MonthlyMetrics.objects.filter(organization__isnull=True).count() == 1
    assert tasks.schedule_partner_refresh(tenant_id=in_tenant.pk, organization_id=org.pk)
    assert len(sent) == 2


@pytest.mark.django_db
def test_a_deal_status_change_refreshes_its_partner_after_commit(
    in_tenant, partner_admin_membership, cm_membership, django_capture_on_commit_callbacks
):
    from deals import services
    from tests.deals.factories import make_deal

    # Eager Celery in tests: the refresh runs as soon as the change commits.
    with django_capture_on_commit_callbacks(execute=True):
        deal = make_deal(partner_admin_membership)
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_approve(deal=deal, acting_membership=cm_membership)
    row = MonthlyMetrics.objects.get(
        organization=partner_admin_membership.partner_organization,
        month=rollups.current_month(),
    )
    assert row.registrations_submitted == 1 and row.registrations_approved == 1
    assert row.open_pipeline == deal.amount
    assert DealTransition.objects.filter(deal=deal).exists()


@pytest.mark.django_db
def test_the_nightly_job_is_scheduled_per_tenant():
    from prm.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["analytics-rebuild-rollups"]
    assert entry["task"] == "prm.fan_out" and entry["args"] == ("analytics.rebuild_rollups",)
