"""Pages that read the rollups: partner list, homes, tier page, dashboards, proposals."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics import services
from analytics.models import MonthlyMetrics, TierProposal
from analytics.rollups import current_month, month_start
from tests.analytics.factories import month_row
from tests.conftest import client_for
from tests.factories import PartnerOrganizationFactory
from tests.partners.factories import TierFactory


@pytest.fixture
def rolled(in_tenant, partner_admin_membership):
    org = partner_admin_membership.partner_organization
    month_row(org, won_revenue=Decimal("12345"), won_count=3, lost_count=1, open_pipeline=900)
    month_row(org, month=month_start(current_month(), -1), won_revenue=Decimal("100"), won_count=1)
    month_row(None, won_revenue=Decimal("12445"), won_count=4, lost_count=1, open_pipeline=900)
    return org


@pytest.mark.django_db
def test_partner_list_shows_rollup_figures_with_as_of(rolled, admin_membership):
    response = client_for(admin_membership).get(reverse("partners:partner_list"))
    text = response.content.decode()
    assert "$12,445" in text  # 12 months of won revenue, summed from the rollups
    assert "80.0%" in text  # 4 won of 5 closed
    assert "Performance figures as of" in text


@pytest.mark.django_db
def test_rollup_money_is_written_in_the_tenant_locale(rolled, admin_membership, cm_membership):
    tenant = admin_membership.tenant
    tenant.locale, tenant.currency = "de_DE", "EUR"
    tenant.save()
    text = client_for(admin_membership).get(reverse("partners:partner_list")).content.decode()
    assert "12.445\xa0€" in text and "$12,445" not in text
    page = client_for(cm_membership).get(reverse("analytics:console_dashboard")).content.decode()
    assert "12.445\xa0€" in page and "USD" not in page


@pytest.mark.django_db
def test_partner_list_says_when_figures_are_not_computed_yet(in_tenant, admin_membership):
    PartnerOrganizationFactory(name="Fresh Partner")
    text = client_for(admin_membership).get(reverse("partners:partner_list")).content.decode()
    assert "Fresh Partner" in text and "not computed yet" in text


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_partner_list_queries_do_not_grow_with_rows(
    in_tenant, admin_membership, django_assert_max_num_queries, rows
):
    for n in range(rows):
        org = PartnerOrganizationFactory(name=f"Row Partner {n:02d}")
        month_row(org, won_revenue=Decimal("10"), won_count=1)
    client = client_for(admin_membership)
    client.get(reverse("partners:partner_list"))  # warm the session and caches
    with django_assert_max_num_queries(8):
        response = client.get(reverse("partners:partner_list"))
    assert response.content.decode().count("$10<") >= rows


@pytest.mark.django_db
def test_homes_show_kpis_from_rollups(rolled, admin_membership, partner_admin_membership):
    text = client_for(admin_membership).get(reverse("console_home")).content.decode()
    assert "$12,445" in text and "As of" in text
    text = client_for(partner_admin_membership).get(reverse("portal_home")).content.decode()
    assert "$12,445" in text and "Your performance" in text


@pytest.mark.django_db
def test_homes_say_not_computed_yet_before_the_first_rollup(in_tenant, admin_membership):
    text = client_for(admin_membership).get(reverse("console_home")).content.decode()
    assert "Not computed yet" in text


@pytest.mark.django_db
def test_tier_page_measures_requirements_from_rollups(rolled, partner_admin_membership):
    TierFactory(name="Gold", rank=5, min_won_deals=10)
    text = client_for(partner_admin_membership).get(reverse("partners:portal_tier")).content
    text = text.decode()
    # Four deals won in the trailing 12 months, read from the rollups, not the deals.
    assert "<td>4</td><td>10</td>" in text.replace("\n", "")
    assert "as of" in text


@pytest.mark.django_db
def test_console_dashboard_renders_each_chart_with_its_table(rolled, cm_membership):
    response = client_for(cm_membership).get(reverse("analytics:console_dashboard"))
    assert response.status_code == 200
    text = response.content.decode()
    for key in (
        "stages",
        "tiers",
        "registrations",
        "review_sla",
        "revenue",
        "by_tier",
        "by_motion",
        "top_partners",
        "falling_partners",
        "health",
    ):
        assert f'data-chart="chart-{key}"' in text
        assert f'id="chart-{key}"' in text  # json_script data
    assert "<script>" not in text.replace('<script id="', "")  # no inline code
    spec = json.loads(text.split('id="chart-revenue" type="application/json">')[1].split("<")[0])
    assert spec["datasets"][0]["data"][-1] == 12445.0


@pytest.mark.django_db
def test_dashboard_filters_by_tier_and_exports_csv(rolled, cm_membership):
    gold = TierFactory(name="Gold", rank=5)
    other = PartnerOrganizationFactory(name="Gold Partner", tier=gold)
    month_row(other, won_revenue=Decimal("777"), won_count=1)
    client = client_for(cm_membership)
    url = reverse("analytics:console_dashboard")
    response = client.get(url, {"tier": gold.pk, "export": "top_partners"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Label", "Won revenue"]
    assert rows[1:] == [["Gold Partner", "777.00"]]
    page = client.get(url, {"tier": gold.pk}).content.decode()
    tiles = page.split('data-testid="dashboard-kpis"')[1].split("</div>\n</div>")[0]
    assert "$777" in tiles and "filtered partners" in tiles and "12,445" not in tiles
    assert client.get(url, {"export": "nope"}).status_code == 404
    assert client.get(url, {"period": "bogus"}).status_code == 200


@pytest.mark.django_db
def test_partners_cannot_open_the_console_dashboard(rolled, partner_admin_membership):
    response = client_for(partner_admin_membership).get(reverse("analytics:console_dashboard"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_portal_dashboard_shows_own_figures_and_rank_only_when_allowed(
    rolled, partner_admin_membership
):
    other = PartnerOrganizationFactory(name="Competitor Secret")
    month_row(other, won_revenue=Decimal("99999"), won_count=9)
    client = client_for(partner_admin_membership)
    text = client.get(reverse("analytics:portal_dashboard")).content.decode()
    assert "$12,445" in text and "Competitor Secret" not in text
    assert 'data-testid="rank"' not in text
    cfg = services.analytics_settings()
    cfg.show_rank_to_partners = True
    cfg.save()
    text = client.get(reverse("analytics:portal_dashboard")).content.decode()
    assert "#2" in text and "of 2 partners" in text
    csv_text = client.get(reverse("analytics:portal_dashboard"), {"export": "my_revenue"})
    assert "12345.00" in csv_text.content.decode()


@pytest.mark.django_db
def test_proposals_are_approved_from_the_page(in_tenant, cm_membership, partner_admin_membership):
    TierFactory(name="Registered", rank=1)
    silver = TierFactory(name="Silver", rank=2, min_won_deals=2)
    org = partner_admin_membership.partner_organization
    month_row(org, won_count=3)
    services.tiers_evaluate()
    proposal = TierProposal.objects.get(organization=org, to_tier=silver)
    client = client_for(cm_membership)
    page = client.get(reverse("analytics:proposal_list")).content.decode()
    assert org.name in page and "Won deals: 3 (needs 2)" in page
    response = client.post(reverse("analytics:proposal_approve", args=[proposal.pk]), {})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.tier == silver
    tier_page = client_for(partner_admin_membership).get(reverse("partners:portal_tier"))
    assert "Your tier: Silver" in tier_page.content.decode()


@pytest.mark.django_db
def test_settings_refuse_weights_that_do_not_total_100(in_tenant, admin_membership):
    data = {
        "churn_threshold": 40,
        "churn_drop_points": 20,
        "downgrade_grace_days": 30,
        "weight_recency": 50,
        "weight_pipeline_trend": 30,
        "weight_win_rate": 30,
        "weight_certification": 0,
        "weight_cadence": 0,
        "weight_agreement": 0,
    }
    client = client_for(admin_membership)
    response = client.post(reverse("analytics:settings"), data)
    assert response.status_code == 400
    assert "add up to 110; they must add up to 100" in response.content.decode()
    data["churn_threshold"] = 150
    response = client.post(reverse("analytics:settings"), data)
    assert response.status_code == 400
    data.update(churn_threshold=40, weight_win_rate=20)
    assert client.post(reverse("analytics:settings"), data).status_code == 302
    assert services.analytics_settings().health_weights["recency"] == 50


@pytest.mark.django_db
def test_tier_requirements_preview_then_save(in_tenant, admin_membership):
    TierFactory(name="Registered", rank=1)
    silver = TierFactory(name="Silver", rank=2, min_won_deals=1)
    gold = TierFactory(name="Gold", rank=3, min_won_deals=5)
    org = PartnerOrganizationFactory(name="Mover", tier=silver)
    month_row(org, won_count=2)
    client = client_for(admin_membership)
    url = reverse("analytics:tier_requirements", args=[silver.pk])
    data = {
        "min_won_revenue": "0",
        "min_won_deals": "3",
        "min_approved_registrations": "0",
        "min_certified_people": "0",
        "preview": "1",
    }
    text = client.post(url, data).content.decode()
    assert "0 up, 1 down" in text and "Mover" in text
    silver.refresh_from_db()
    assert silver.min_won_deals == 1
    bad = client.post(url, {**data, "min_won_deals": "9"})
    assert bad.status_code == 400 and "higher than Gold" in bad.content.decode()
    del data["preview"]
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    assert TierProposal.objects.filter(organization=org, status="pending").count() == 1
    assert gold.pk  # unchanged


@pytest.mark.django_db
def test_channel_manager_cannot_change_requirements(in_tenant, cm_membership):
    tier = TierFactory(name="Silver", rank=2)
    url = reverse("analytics:tier_requirements", args=[tier.pk])
    assert client_for(cm_membership).get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_proposal_list_queries_do_not_grow(
    in_tenant, cm_membership, django_assert_max_num_queries, rows
):
    from datetime import date

    tier = TierFactory(name="Silver", rank=2)
    for n in range(rows):
        org = PartnerOrganizationFactory(name=f"Prop {n:02d}")
        TierProposal.objects.create(
            organization=org, to_tier=tier, direction="upgrade", effective_on=date(2026, 1, 1)
        )
    client = client_for(cm_membership)
    client.get(reverse("analytics:proposal_list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("analytics:proposal_list"))
    assert response.content.decode().count("Approve</button>") == rows


@pytest.mark.django_db
def test_rollup_rows_exist_per_partner_only_for_the_tenant(rolled):
    assert MonthlyMetrics.objects.filter(organization=rolled).count() == 2


@pytest.mark.django_db
def test_tier_figures_fall_back_to_live_deals_before_the_first_rollup(
    in_tenant, partner_admin_membership
):
    from django.utils import timezone

    from analytics.providers import tier_metrics
    from tests.analytics.factories import placed_deal

    org = partner_admin_membership.partner_organization
    placed_deal(
        partner_admin_membership,
        submitted=timezone.now(),
        approved=timezone.now(),
        status="won",
        closed_on=timezone.localdate(),
        final_amount="700",
    )
    assert not MonthlyMetrics.objects.filter(organization=org).exists()
    assert tier_metrics(org)["min_won_deals"] == 1
    assert tier_metrics(org)["min_won_revenue"] == Decimal("700")


def _chart_spec(text: str, key: str) -> dict:
    return json.loads(text.split(f'id="chart-{key}" type="application/json">')[1].split("<")[0])


@pytest.mark.django_db
def test_dashboard_splits_by_motion_from_the_rollups(in_tenant, cm_membership):
    from tests.deals.factories import motion_with_stages

    cosell, resale = motion_with_stages(name="Co-sell"), motion_with_stages(name="Resale")
    gold = TierFactory(name="Gold", rank=5)
    org = PartnerOrganizationFactory(name="Gold One", tier=gold)
    plain = PartnerOrganizationFactory(name="Plain")
    before = month_start(current_month(), -1)
    month_row(org, month=before, won_revenue_by_motion={str(cosell.pk): 100})
    month_row(
        org,
        won_revenue_by_motion={str(resale.pk): 40},
        open_pipeline_by_motion={str(cosell.pk): 7, str(resale.pk): 3},
    )
    month_row(plain, won_revenue_by_motion={str(cosell.pk): 1000})
    month_row(None, month=before, won_revenue_by_motion={str(cosell.pk): 100})
    month_row(
        None,
        won_revenue_by_motion={str(resale.pk): 40, str(cosell.pk): 1000},
        open_pipeline_by_motion={str(cosell.pk): 7, str(resale.pk): 3},
    )
    client = client_for(cm_membership)
    url = reverse("analytics:console_dashboard")
    spec = _chart_spec(client.get(url).content.decode(), "by_motion")
    assert spec["labels"] == ["Co-sell", "Resale"]
    assert spec["datasets"][0]["data"] == [1100.0, 40.0]
    assert spec["datasets"][1]["data"] == [7.0, 3.0]
    # Narrowed to the Gold tier: the partner's rows only, summed in SQL.
    spec = _chart_spec(client.get(url, {"tier": gold.pk}).content.decode(), "by_motion")
    assert spec["datasets"][0]["data"] == [100.0, 40.0]
    assert spec["datasets"][1]["data"] == [7.0, 3.0]
    rows = list(csv.reader(io.StringIO(client.get(url, {"export": "by_motion"}).content.decode())))
    assert rows[1:] == [["Co-sell", "1100", "7"], ["Resale", "40", "3"]]


@pytest.mark.django_db
def test_dashboard_shows_mdf_spend_against_sourced_revenue(in_tenant, cm_membership):
    month_row(None, mdf_claimed=Decimal("250"), partner_sourced_revenue=Decimal("9000"))
    text = client_for(cm_membership).get(reverse("analytics:console_dashboard")).content.decode()
    spec = _chart_spec(text, "mdf")
    assert spec["datasets"][0]["data"][-1] == 250.0
    assert spec["datasets"][1]["data"][-1] == 9000.0


@pytest.mark.django_db
@pytest.mark.parametrize("narrowed", [False, True])
def test_dashboard_reads_no_deals_and_its_queries_do_not_grow_with_partners(
    in_tenant, cm_membership, narrowed
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gold = TierFactory(name="Gold", rank=5)
    client = client_for(cm_membership)
    url = reverse("analytics:console_dashboard")
    params = {"tier": gold.pk} if narrowed else {}
    counts = []
    for partners in (1, 30):
        for n in range(partners - len(counts) * 1):
            org = PartnerOrganizationFactory(name=f"P {partners} {n:02d}", tier=gold)
            month_row(org, won_revenue=Decimal(n + 1), won_count=1)
            month_row(org, month=month_start(current_month(), -13), won_revenue=Decimal(50))
        month_row(None, month=month_start(current_month(), -2 - len(counts)), won_count=1)
        client.get(url, params)  # warm the session and caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        counts.append(len(captured.captured_queries))
        assert not [q for q in captured.captured_queries if "deals_deal" in q["sql"]]
    assert counts[0] == counts[1]
    text = response.content.decode()
    assert len(_chart_spec(text, "top_partners")["labels"]) == 10
    assert len(_chart_spec(text, "falling_partners")["labels"]) == 10


@pytest.mark.django_db
def test_chart_table_view_has_one_row_per_label_with_escaped_text(in_tenant):
    from analytics.dashboards import Chart

    chart = Chart(
        "top_partners",
        "Top partners",
        "bar",
        ["<b>Acme</b> & Co", "Globex"],
        [{"label": "Won <revenue>", "data": [Decimal("1250"), None]}],
        money=True,
    )
    html = str(chart.table_html())

    assert html.startswith('<table class="compact" data-testid="table-top_partners"><thead>')
    assert (
        '<thead><tr><th scope="col"></th><th scope="col" class="num">Won &lt;revenue&gt;</th>'
        in html
    )
    assert (
        '<tr><th scope="row">&lt;b&gt;Acme&lt;/b&gt; &amp; Co</th><td class="num">$1,250</td></tr>'
        in html
    )
    assert html.count('<tr><th scope="row">') == 2
    assert "<b>" not in html


@pytest.mark.django_db
def test_dashboard_counts_partners_by_stage_and_by_tier(in_tenant, cm_membership):
    from partners.choices import LifecycleStage

    gold, silver = TierFactory(name="Gold", rank=5), TierFactory(name="Silver", rank=3)
    for stage, tier in [
        (LifecycleStage.ACTIVE, gold),
        (LifecycleStage.ACTIVE, gold),
        (LifecycleStage.ACTIVE, silver),
        (LifecycleStage.AT_RISK, gold),
        (LifecycleStage.AT_RISK, None),
    ]:
        PartnerOrganizationFactory(lifecycle_stage=stage, tier=tier)
    text = client_for(cm_membership).get(reverse("analytics:console_dashboard")).content.decode()

    stages = _chart_spec(text, "stages")
    by_stage = dict(zip(stages["labels"], stages["datasets"][0]["data"], strict=True))
    assert by_stage[LifecycleStage.ACTIVE.label] == 3
    assert by_stage[LifecycleStage.AT_RISK.label] == 2
    assert sum(by_stage.values()) == 5
    tiers = _chart_spec(text, "tiers")
    assert dict(zip(tiers["labels"], tiers["datasets"][0]["data"], strict=True)) == {
        "Silver": 1,
        "Gold": 3,
        "No tier": 1,
    }
