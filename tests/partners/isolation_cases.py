"""Isolation cases for the partners app's URLs (pages and API)."""

from datetime import timedelta

from django.utils import timezone

from partners import models
from tests.isolation.registry import Target, register


def _type(world, key="iso-type"):
    return models.PartnerType.objects.get_or_create(key=key, defaults={"name": "Iso Type A"})[0]


def _tier(world):
    return models.Tier.objects.get_or_create(rank=7, defaults={"name": "Iso Tier A"})[0]


def _plan(world):
    return models.BusinessPlan.objects.get_or_create(
        organization=world.org_a1,
        period="Plan-A1-secret",
        defaults={
            "starts_on": timezone.localdate().replace(month=1, day=1),
            "ends_on": timezone.localdate().replace(month=12, day=31),
        },
    )[0]


def _onboarding_plan(world):
    return models.OnboardingPlan.objects.get_or_create(
        partner_type=_type(world), defaults={"name": "Iso onboarding plan A"}
    )[0]


def _task(world):
    return models.OnboardingTask.objects.get_or_create(
        plan=_onboarding_plan(world), position=1, defaults={"title": "Iso manual task A"}
    )[0]


def _agreement(world):
    return models.Agreement.objects.get_or_create(
        partner_type=_type(world),
        version=1,
        defaults={"title": "Iso agreement A", "body": "Terms", "published_at": None},
    )[0]


# --- pages: partner-owned -------------------------------------------------------------


@register("partners:portal_plan_detail")
def _portal_plan(world):
    plan = _plan(world)
    return Target(kwargs={"pk": plan.pk}, obj=plan, marker=plan.period)


@register("partners:onboarding_item_complete")
def _onboarding_item(world):
    item = models.OnboardingItem.objects.get_or_create(
        organization=world.org_a1, task=_task(world)
    )[0]
    return Target(kwargs={"pk": item.pk}, obj=item)


# --- pages: staff -----------------------------------------------------------------------


@register(
    "partners:partner_detail",
    "partners:partner_edit",
    "partners:partner_tier_change",
    "partners:partner_transition",
    "partners:touchpoint_create",
    "partners:plan_create",
    owner="staff",
)
def _organization(world):
    return Target(kwargs={"pk": world.org_a1.pk}, obj=world.org_a1)


@register("partners:plan_detail", owner="staff")
def _staff_plan(world):
    plan = _plan(world)
    return Target(kwargs={"pk": plan.pk}, obj=plan)


@register("partners:goal_edit", owner="staff")
def _goal(world):
    goal = models.BusinessPlanGoal.objects.get_or_create(
        plan=_plan(world),
        metric="won_deals",
        defaults={"target": 10, "description": "Iso goal A1"},
    )[0]
    return Target(kwargs={"pk": goal.pk}, obj=goal)


@register(
    "partners:application_detail",
    "partners:application_approve",
    "partners:application_reject",
    owner="staff",
)
def _application(world):
    application = models.PartnerApplication.objects.get_or_create(
        domain="iso-applicant-a.test",
        defaults={
            "company_name": "Iso Applicant A",
            "website": "https://iso-applicant-a.test",
            "country": "DE",
            "contact_name": "Iso Contact",
            "contact_email": "iso@iso-applicant-a.test",
        },
    )[0]
    return Target(kwargs={"pk": application.pk}, obj=application, marker="Iso Applicant A")


@register("partners:type_edit", owner="staff")
def _type_case(world):
    partner_type = _type(world)
    return Target(kwargs={"pk": partner_type.pk}, obj=partner_type, marker="Iso Type A")


@register("partners:tier_edit", owner="staff")
def _tier_case(world):
    tier = _tier(world)
    return Target(kwargs={"pk": tier.pk}, obj=tier, marker="Iso Tier A")


def _benefit(world):
    return models.Benefit.objects.get_or_create(
        key="iso_benefit", defaults={"name": "Iso Benefit A", "kind": "count"}
    )[0]


@register("partners:benefit_edit", owner="staff")
def _benefit_case(world):
    benefit = _benefit(world)
    return Target(kwargs={"pk": benefit.pk}, obj=benefit, marker="Iso Benefit A")


@register("partners:agreement_detail", owner="staff")
def _agreement_case(world):
    agreement = _agreement(world)
    return Target(kwargs={"pk": agreement.pk}, obj=agreement, marker="Iso agreement A")


@register("partners:onboarding_plan_detail", owner="staff")
def _onboarding_plan_case(world):
    plan = _onboarding_plan(world)
    return Target(kwargs={"pk": plan.pk}, obj=plan, marker="Iso onboarding plan A")


@register("partners:onboarding_task_edit", owner="staff")
def _task_case(world):
    task = _task(world)
    return Target(kwargs={"pk": task.pk}, obj=task, marker="Iso manual task A")


@register("partners:cadence_edit", owner="staff")
def _cadence(world):
    cadence = models.EngagementCadence.objects.get_or_create(
        tier=_tier(world), kind="call", defaults={"interval_days": 45}
    )[0]
    return Target(kwargs={"pk": cadence.pk}, obj=cadence)


# --- API --------------------------------------------------------------------------------


@register("api:partnertype-detail", owner="staff")
def _api_type(world):
    return _type_case(world)


@register("api:tier-detail", owner="staff")
def _api_tier(world):
    return _tier_case(world)


@register("api:benefit-detail", owner="staff")
def _api_benefit(world):
    return _benefit_case(world)


@register("api:partnerorganization-detail", existence_not_secret=True)
def _api_organization(world):
    # Writes are refused by role (403) before any lookup, so the 403 tells nothing.
    return Target(kwargs={"pk": world.org_a1.pk}, obj=world.org_a1)


@register(
    "api:partnerorganization-transition",
    "api:partnerorganization-change-tier",
    owner="staff",
    methods=("POST",),
)
def _api_organization_actions(world):
    return Target(kwargs={"pk": world.org_a1.pk}, obj=world.org_a1)


@register("api:partnerapplication-detail", owner="staff")
def _api_application(world):
    return _application(world)


@register(
    "api:partnerapplication-approve",
    "api:partnerapplication-reject",
    owner="staff",
    methods=("POST",),
)
def _api_application_actions(world):
    return _application(world)


@register("api:agreement-detail", owner="staff")
def _api_agreement(world):
    return _agreement_case(world)


@register("api:agreement-publish", "api:agreement-accept", owner="staff", methods=("POST",))
def _api_agreement_actions(world):
    return _agreement_case(world)


@register("api:agreementacceptance-detail")
def _api_acceptance(world):
    agreement = models.Agreement.objects.get_or_create(
        partner_type=_type(world, "iso-type-2"),
        version=1,
        defaults={"title": "Iso agreement 2", "body": "Terms", "published_at": timezone.now()},
    )[0]
    now = timezone.now()
    acceptance = models.AgreementAcceptance.objects.get_or_create(
        agreement=agreement,
        organization=world.org_a1,
        defaults={
            "accepted_by": world.partner_a1.user,
            "accepted_at": now,
            "expires_at": now + timedelta(days=365),
        },
    )[0]
    return Target(kwargs={"pk": acceptance.pk}, obj=acceptance)


@register("api:touchpoint-detail", owner="staff")
def _api_touchpoint(world):
    touchpoint = models.Touchpoint.objects.get_or_create(
        organization=world.org_a1,
        subject="Iso touchpoint A1",
        defaults={"kind": "call", "occurred_on": timezone.localdate()},
    )[0]
    return Target(kwargs={"pk": touchpoint.pk}, obj=touchpoint, marker="Iso touchpoint A1")


@register("api:businessplan-detail", existence_not_secret=True)
def _api_plan(world):
    plan = _plan(world)
    return Target(kwargs={"pk": plan.pk}, obj=plan)


@register("api:businessplangoal-detail", existence_not_secret=True)
def _api_goal(world):
    return _goal(world)


@register("api:onboardingplan-detail", owner="staff")
def _api_onboarding_plan(world):
    return _onboarding_plan_case(world)


@register("api:onboardingtask-detail", owner="staff")
def _api_onboarding_task(world):
    return _task_case(world)


@register("api:engagementcadence-detail", owner="staff")
def _api_cadence(world):
    return _cadence(world)
