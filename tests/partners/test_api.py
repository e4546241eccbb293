"""The partner program's API: scoping by role, staff-only writes, actions, error shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners import models
from partners.choices import LifecycleStage
from partners.models import AgreementAcceptance, PartnerOrganization, Tier
from tests.conftest import client_for
from tests.partners.factories import (
    AgreementFactory,
    ApplicationFactory,
    BusinessPlanFactory,
    BusinessPlanGoalFactory,
    OnboardingPlanFactory,
    OnboardingTaskFactory,
    PartnerOrganizationFactory,
    PartnerTypeFactory,
    TierBenefitFactory,
    TierFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_partner_sees_only_its_organization(partner_admin_membership):
    PartnerOrganizationFactory(name="Someone Else")
    response = client_for(partner_admin_membership).get(reverse("api:partnerorganization-list"))
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert names == [partner_admin_membership.partner_organization.name]


def test_partner_cannot_write_its_organization(partner_admin_membership):
    org = partner_admin_membership.partner_organization
    response = client_for(partner_admin_membership).patch(
        reverse("api:partnerorganization-detail", args=[org.pk]),
        {"name": "Hacked"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert PartnerOrganization.objects.get(pk=org.pk).name == org.name


def test_staff_filters_organizations(cm_membership):
    gold = TierFactory(name="Gold")
    PartnerOrganizationFactory(name="Goldie", tier=gold)
    PartnerOrganizationFactory(name="Plain")
    response = client_for(cm_membership).get(
        reverse("api:partnerorganization-list"), {"tier": gold.pk}
    )
    assert [r["name"] for r in response.json()["results"]] == ["Goldie"]


def test_transition_action_refuses_forbidden_move(cm_membership, partner_org):
    url = reverse("api:partnerorganization-transition", args=[partner_org.pk])
    response = _post(client_for(cm_membership), url, {"lifecycle_stage": "applied"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert "cannot move from Active to Applied" in body["errors"]["lifecycle_stage"][0]
    ok = _post(client_for(cm_membership), url, {"lifecycle_stage": "at_risk", "reason": "Quiet"})
    assert ok.status_code == 200 and ok.json()["lifecycle_stage"] == "at_risk"


def test_change_tier_action(cm_membership, partner_org):
    gold = TierFactory(name="Gold")
    response = _post(
        client_for(cm_membership),
        reverse("api:partnerorganization-change-tier", args=[partner_org.pk]),
        {"tier": str(gold.pk), "reason": "Targets met"},
    )
    assert response.status_code == 200 and response.json()["tier_name"] == "Gold"


def test_tier_undercutting_the_tier_below_is_400(admin_membership):
    TierFactory(name="Silver", rank=2, min_won_deals=10)
    response = _post(
        client_for(admin_membership),
        reverse("api:tier-list"),
        {"name": "Gold", "rank": 3, "min_won_deals": 2},
    )
    assert response.status_code == 400
    assert "lower than Silver" in response.json()["errors"]["min_won_deals"][0]
    assert not Tier.objects.filter(name="Gold").exists()


def test_channel_manager_cannot_change_program_setup(cm_membership):
    response = _post(client_for(cm_membership), reverse("api:tier-list"), {"name": "X", "rank": 9})
    assert response.status_code == 403


def test_tier_lists_benefits(cm_membership):
    row = TierBenefitFactory(value="90")
    response = client_for(cm_membership).get(reverse("api:tier-detail", args=[row.tier.pk]))
    assert response.json()["benefits"][0]["value"] == "90"


def test_application_approve_and_reject_actions(cm_membership):
    first, second = ApplicationFactory(), ApplicationFactory()
    client = client_for(cm_membership)
    approved = _post(client, reverse("api:partnerapplication-approve", args=[first.pk]), {})
    assert approved.status_code == 201
    assert approved.json()["lifecycle_stage"] == LifecycleStage.ONBOARDING
    again = _post(client, reverse("api:partnerapplication-approve", args=[first.pk]), {})
    assert again.status_code == 400
    no_reason = _post(client, reverse("api:partnerapplication-reject", args=[second.pk]), {})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]


def test_applications_are_staff_only(partner_admin_membership):
    client = client_for(partner_admin_membership)
    assert client.get(reverse("api:partnerapplication-list")).status_code == 403


def test_agreement_accept_by_partner_admin_not_member(
    partner_admin_membership, partner_member_membership
):
    org = partner_admin_membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()
    url = reverse("api:agreement-accept", args=[agreement.pk])
    refused = _post(client_for(partner_member_membership), url, {})
    assert refused.status_code == 403
    assert not AgreementAcceptance.objects.exists()
    accepted = _post(client_for(partner_admin_membership), url, {})
    assert accepted.status_code == 201
    acceptances = client_for(partner_admin_membership).get(reverse("api:agreementacceptance-list"))
    assert acceptances.json()["count"] == 1


def test_agreement_create_and_publish(admin_membership):
    ptype = PartnerTypeFactory()
    client = client_for(admin_membership)
    created = _post(
        client,
        reverse("api:agreement-list"),
        {"partner_type": str(ptype.pk), "title": "Terms", "body": "Text", "valid_months": 24},
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    published = _post(client, reverse("api:agreement-publish", args=[created.json()["id"]]), {})
    assert published.status_code == 200 and published.json()["is_current"] is True


def test_touchpoints_are_staff_only(partner_admin_membership, cm_membership):
    org = partner_admin_membership.partner_organization
    assert (
        client_for(partner_admin_membership).get(reverse("api:touchpoint-list")).status_code == 403
    )
    response = _post(
        client_for(cm_membership),
        reverse("api:touchpoint-list"),
        {"organization": str(org.pk), "kind": "call", "occurred_on": "2026-11-02", "subject": "Hi"},
    )
    assert response.status_code == 201
    assert org.touchpoints.get().created_by == cm_membership.user


def test_partner_reads_its_plans(partner_admin_membership):
    mine = BusinessPlanFactory(organization=partner_admin_membership.partner_organization)
    BusinessPlanGoalFactory(plan=mine)
    BusinessPlanFactory()
    body = client_for(partner_admin_membership).get(reverse("api:businessplan-list")).json()
    assert [row["id"] for row in body["results"]] == [str(mine.pk)]
    assert body["results"][0]["progress"] == 50


LISTS = {
    "api:partnerorganization-list": lambda: PartnerOrganizationFactory(
        tier=Tier.objects.first(), partner_type=PartnerTypeFactory()
    ),
    "api:partnerapplication-list": ApplicationFactory,
    "api:touchpoint-list": TouchpointFactory,
    "api:businessplan-list": lambda: BusinessPlanGoalFactory().plan,
    "api:tier-list": lambda: TierBenefitFactory(),
    "api:partnertype-list": PartnerTypeFactory,
    "api:agreement-list": AgreementFactory,
    "api:businessplangoal-list": BusinessPlanGoalFactory,
    "api:onboardingplan-list": lambda: OnboardingTaskFactory().plan,
    "api:onboardingtask-list": OnboardingTaskFactory,
    "api:engagementcadence-list": lambda: models.EngagementCadence.objects.create(
        tier=TierFactory(), kind="call", interval_days=30
    ),
}


@pytest.mark.parametrize("url_name", sorted(LISTS))
@pytest.mark.parametrize("rows", [1, 50])
def test_api_list_queries_bounded(admin_membership, django_assert_max_num_queries, url_name, rows):
    TierFactory()
    for _ in range(rows):
        LISTS[url_name]()
    client = client_for(admin_membership)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response.json()["count"] >= rows


@pytest.mark.django_db
def test_moving_a_plan_onto_a_taken_period_is_a_400(cm_membership, partner_org):
    from datetime import date

    from partners import services

    plans = [
        services.business_plan_create(
            organization=partner_org,
            acting_membership=cm_membership,
            period=period,
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 12, 31),
        )
        for period in ("2027", "2027-H2")
    ]
    response = client_for(cm_membership).patch(
        f"/api/v1/business-plans/{plans[1].pk}/",
        {"period": "2027"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


@pytest.mark.django_db
def test_completing_a_profile_over_the_api_completes_its_onboarding_task(
    cm_membership, partner_org
):
    from partners.choices import LifecycleStage as Stage
    from tests.partners.factories import OnboardingPlanFactory, OnboardingTaskFactory

    plan = OnboardingPlanFactory()
    PartnerOrganization.objects.filter(pk=partner_org.pk).update(
        partner_type=plan.partner_type, lifecycle_stage=Stage.ONBOARDING
    )
    OnboardingTaskFactory(plan=plan, completion_event="profile_completed")
    response = client_for(cm_membership).patch(
        f"/api/v1/partner-organizations/{partner_org.pk}/",
        {"description": "We resell", "website": "https://x.test", "country": "us"},
        content_type="application/json",
    )
    assert response.status_code == 200
    organization = PartnerOrganization.objects.get(pk=partner_org.pk)
    assert organization.lifecycle_stage == Stage.ACTIVE
    assert (organization.domain, organization.country) == ("x.test", "US")


@pytest.mark.django_db
def test_goal_rules_apply_over_the_api_as_on_the_page(cm_membership, partner_org):
    from datetime import date

    from partners import services

    plan = services.business_plan_create(
        organization=partner_org,
        acting_membership=cm_membership,
        period="2027",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    response = client_for(cm_membership).post(
        "/api/v1/business-plan-goals/",
        {"plan": str(plan.pk), "metric": "won_revenue", "target": "1000", "weight": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "weight" in response.json()["errors"]
    assert not plan.goals.exists()


def _send(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


def test_onboarding_plans_and_tasks_are_set_up_by_admins(
    admin_membership, cm_membership, partner_admin_membership, partner_org
):
    admin = client_for(admin_membership)
    partner_type = PartnerTypeFactory(name="Reseller")
    plans = reverse("api:onboardingplan-list")
    created = _post(admin, plans, {"partner_type": str(partner_type.pk), "name": " Resellers "})
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["name"] == "Resellers" and plan["tasks"] == []
    again = _post(admin, plans, {"partner_type": str(partner_type.pk), "name": "Twice"})
    assert again.status_code == 400 and "partner_type" in again.json()["errors"]
    assert _post(admin, plans, {"name": ""}).status_code == 400

    tasks = reverse("api:onboardingtask-list")
    task = _post(
        admin,
        tasks,
        {
            "plan": plan["id"],
            "position": 1,
            "title": "Sign",
            "completion_event": "agreement_accepted",
        },
    )
    assert task.status_code == 201, task.content
    clash = _post(admin, tasks, {"plan": plan["id"], "position": 1, "title": "Other"})
    assert clash.status_code == 400 and "position" in clash.json()["errors"]
    bad_event = _post(
        admin, tasks, {"plan": plan["id"], "position": 2, "title": "X", "completion_event": "no"}
    )
    assert bad_event.status_code == 400 and "completion_event" in bad_event.json()["errors"]
    task_url = reverse("api:onboardingtask-detail", kwargs={"pk": task.json()["id"]})
    assert _send(admin, "patch", task_url, {"title": "Sign the agreement"}).status_code == 200
    detail = reverse("api:onboardingplan-detail", kwargs={"pk": plan["id"]})
    assert [t["title"] for t in admin.get(detail).json()["tasks"]] == ["Sign the agreement"]

    # Channel managers read the set-up; partners do not get it at all.
    cm = client_for(cm_membership)
    assert cm.get(plans).json()["count"] == 1
    assert _send(cm, "patch", detail, {"name": "No"}).status_code == 403
    assert cm.delete(task_url).status_code == 403
    partner = client_for(partner_admin_membership)
    assert partner.get(plans).status_code == 403
    assert partner.get(tasks).status_code == 403
    assert partner.get(detail).status_code in (403, 404)

    # A partner already working through the plan protects it and its tasks: 409.
    models.OnboardingItem.objects.create(
        organization=partner_org, task=models.OnboardingTask.objects.get(pk=task.json()["id"])
    )
    refused = admin.delete(task_url)
    assert refused.status_code == 409
    assert "used_by" in refused.json()["errors"]
    assert admin.delete(detail).status_code == 409
    assert models.OnboardingTask.objects.filter(pk=task.json()["id"]).exists()

    models.OnboardingItem.objects.all().delete()
    assert admin.delete(task_url).status_code == 204
    assert admin.delete(detail).status_code == 204
    assert not models.OnboardingPlan.objects.filter(pk=plan["id"]).exists()


def test_engagement_cadences_are_set_by_admins(admin_membership, cm_membership):
    tier = TierFactory(name="Gold")
    admin = client_for(admin_membership)
    url = reverse("api:engagementcadence-list")
    body = {"tier": str(tier.pk), "kind": "business_review", "interval_days": 90}
    created = _post(admin, url, body)
    assert created.status_code == 201, created.content
    assert created.json()["tier_name"] == "Gold"
    twice = _post(admin, url, body)
    assert twice.status_code == 400 and "kind" in twice.json()["errors"]
    zero = _post(admin, url, {**body, "kind": "call", "interval_days": 0})
    assert zero.status_code == 400 and "interval_days" in zero.json()["errors"]
    detail = reverse("api:engagementcadence-detail", kwargs={"pk": created.json()["id"]})
    assert _send(admin, "patch", detail, {"interval_days": 60}).status_code == 200
    assert models.EngagementCadence.objects.get().interval_days == 60
    assert (
        _send(client_for(cm_membership), "patch", detail, {"interval_days": 1}).status_code == 403
    )
    assert admin.delete(detail).status_code == 204
    assert not models.EngagementCadence.objects.exists()


def test_the_console_saves_cadences_and_tasks_through_the_services(admin_membership):
    tier = TierFactory()
    client = client_for(admin_membership)
    form = {"tier": str(tier.pk), "kind": "call", "interval_days": 30}
    assert client.post(reverse("partners:cadence_create"), form).status_code == 302
    again = client.post(reverse("partners:cadence_create"), form)
    assert again.status_code == 200 and models.EngagementCadence.objects.count() == 1
    plan = OnboardingPlanFactory()
    page = reverse("partners:onboarding_plan_detail", kwargs={"pk": plan.pk})
    added = client.post(page, {"position": 1, "title": " Kick-off ", "completion_event": ""})
    assert added.status_code == 302
    assert models.OnboardingTask.objects.get(plan=plan).title == "Kick-off"
