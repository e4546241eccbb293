"""Health scores explain themselves; a low or falling score flags the partner once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from analytics import scorecards, services
from analytics.models import HealthScore
from analytics.rollups import current_month, month_start
from partners.models import BusinessPlan, BusinessPlanGoal, EngagementCadence, Touchpoint
from prm.notifications.models import Notification
from tests.analytics.factories import month_row
from tests.conftest import client_for
from tests.factories import PartnerOrganizationFactory
from tests.partners.factories import TierFactory


def test_weights_must_total_100():
    with pytest.raises(ValidationError, match="add up to 90"):
        services.health_weights_validate({"recency": 90})
    with pytest.raises(ValidationError):
        services.health_weights_validate({"recency": 120, "win_rate": -20})
    weights = {"recency": 40, "pipeline_trend": 20, "win_rate": 20, "cadence": 10, "agreement": 10}
    assert services.health_weights_validate(weights)["certification"] == 0


@pytest.fixture
def partner(in_tenant, cm_membership):
    gold = TierFactory(name="Gold", rank=3)
    EngagementCadence.objects.create(tier=gold, kind="business_review", interval_days=90)
    org = PartnerOrganizationFactory(name="Healthy", tier=gold, channel_manager=cm_membership.user)
    org.last_activity_at = timezone.now() - timedelta(days=6)  # 10% of the 60 at-risk days
    org.save()
    Touchpoint.objects.create(
        organization=org,
        kind="business_review",
        occurred_on=timezone.localdate() - timedelta(days=10),
        subject="QBR",
    )
    month_row(org, open_pipeline=Decimal("1500"), won_count=3, lost_count=1)
    month_row(org, month=month_start(current_month(), -3), open_pipeline=Decimal("1000"))
    return org


@pytest.mark.django_db
def test_each_component_is_kept_with_its_value(partner):
    services.health_score_all()
    health = HealthScore.objects.get(organization=partner)
    parts = {c["key"]: c for c in health.components}
    assert parts["recency"]["value"] == 90
    assert parts["pipeline_trend"]["value"] == 75  # +50 % in three months
    assert "+50%" in parts["pipeline_trend"]["detail"]
    assert parts["win_rate"]["value"] == 75
    assert parts["cadence"]["value"] == 100
    assert parts["agreement"]["value"] == 100  # no agreement required for its type
    assert parts["certification"]["value"] is None  # nobody provides it: left out
    # 90·25 + 75·20 + 75·15 + 100·15 + 100·15, over the 90 points measured
    assert health.score == round((90 * 25 + 75 * 20 + 75 * 15 + 100 * 15 + 100 * 15) / 90)
    assert not health.at_risk


@pytest.mark.django_db
def test_a_low_score_flags_once_and_offers_the_at_risk_move(partner, cm_membership):
    cfg = services.analytics_settings()
    cfg.churn_threshold = 95
    cfg.save()
    services.health_score_all()
    services.health_score_all()
    health = HealthScore.objects.get(organization=partner)
    assert health.at_risk and health.flagged_on == timezone.now().date()
    notes = Notification.objects.filter(recipient=cm_membership.user, kind="analytics.churn_risk")
    assert notes.count() == 1 and "Move" not in notes.get().title
    client = client_for(cm_membership)
    page = client.get(reverse("analytics:scorecard", args=[partner.pk])).content.decode()
    assert "Move to At risk" in page and "Recency of activity" in page
    client.post(reverse("analytics:mark_at_risk", args=[partner.pk]))
    partner.refresh_from_db()
    assert partner.lifecycle_stage == "at_risk"
    assert partner.transitions.get().changed_by == cm_membership.user


@pytest.mark.django_db
def test_a_sharp_fall_flags_even_above_the_threshold(partner):
    services.health_score_all()
    health = HealthScore.objects.get(organization=partner)
    HealthScore.objects.filter(pk=health.pk).update(
        score=100, computed_at=timezone.now() - timedelta(days=1)
    )
    partner.last_activity_at = timezone.now() - timedelta(days=59)
    partner.save()
    services.health_score_all()
    health.refresh_from_db()
    assert health.previous_score == 100 and health.score >= 40 and health.at_risk


@pytest.mark.django_db
def test_goals_tied_to_a_metric_take_their_actuals_from_rollups(partner, cm_membership):
    today = timezone.localdate()
    plan = BusinessPlan.objects.create(
        organization=partner,
        period="FY",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
    )
    tied = BusinessPlanGoal.objects.create(plan=plan, metric="won_deals", target=5)
    typed = BusinessPlanGoal.objects.create(
        plan=plan, metric="custom", target=10, actual=4, description="Case studies"
    )
    assert scorecards.goals_fill_actuals() == 1
    tied.refresh_from_db()
    typed.refresh_from_db()
    assert tied.actual == 3 and typed.actual == 4
    page = client_for(cm_membership).get(reverse("analytics:scorecard", args=[partner.pk]))
    text = page.content.decode()
    assert "monthly figures" in text and "typed by hand" in text and "Case studies" in text
