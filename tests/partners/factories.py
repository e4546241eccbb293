"""Factories for the partner program's models."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from partners import models
from tests.factories import PartnerOrganizationFactory, TenantOwnedFactory, UserFactory

__all__ = ["PartnerOrganizationFactory", "UserFactory"]


class PartnerTypeFactory(TenantOwnedFactory):
    class Meta:
        model = models.PartnerType

    key = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Type {n}")


class TierFactory(TenantOwnedFactory):
    class Meta:
        model = models.Tier

    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: n + 1)


class BenefitFactory(TenantOwnedFactory):
    class Meta:
        model = models.Benefit

    key = factory.Sequence(lambda n: f"benefit_{n}")
    name = factory.Sequence(lambda n: f"Benefit {n}")
    kind = "count"


class TierBenefitFactory(TenantOwnedFactory):
    class Meta:
        model = models.TierBenefit

    tier = factory.SubFactory(TierFactory)
    benefit = factory.SubFactory(BenefitFactory)
    value = "10"


class AgreementFactory(TenantOwnedFactory):
    class Meta:
        model = models.Agreement

    partner_type = factory.SubFactory(PartnerTypeFactory)
    version = 1
    title = "Partner agreement"
    body = "The terms."
    valid_months = 12
    published_at = factory.LazyFunction(timezone.now)


class OnboardingPlanFactory(TenantOwnedFactory):
    class Meta:
        model = models.OnboardingPlan

    partner_type = factory.SubFactory(PartnerTypeFactory)
    name = "Onboarding"


class OnboardingTaskFactory(TenantOwnedFactory):
    class Meta:
        model = models.OnboardingTask

    plan = factory.SubFactory(OnboardingPlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Task {n}")
    completion_event = ""
    is_required = True


class ApplicationFactory(TenantOwnedFactory):
    class Meta:
        model = models.PartnerApplication

    company_name = factory.Sequence(lambda n: f"Applicant {n}")
    website = factory.Sequence(lambda n: f"https://applicant{n}.test")
    domain = factory.Sequence(lambda n: f"applicant{n}.test")
    country = "DE"
    contact_name = "Pat Applicant"
    contact_email = factory.Sequence(lambda n: f"pat{n}@applicant.test")


class TouchpointFactory(TenantOwnedFactory):
    class Meta:
        model = models.Touchpoint

    organization = factory.SubFactory(PartnerOrganizationFactory)
    kind = "meeting"
    occurred_on = factory.LazyFunction(timezone.localdate)
    subject = factory.Sequence(lambda n: f"Touchpoint {n}")


class BusinessPlanFactory(TenantOwnedFactory):
    class Meta:
        model = models.BusinessPlan

    organization = factory.SubFactory(PartnerOrganizationFactory)
    period = factory.Sequence(lambda n: f"FY{2030 + n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))
    ends_on = factory.LazyFunction(lambda: timezone.localdate().replace(month=12, day=31))


class BusinessPlanGoalFactory(TenantOwnedFactory):
    class Meta:
        model = models.BusinessPlanGoal

    plan = factory.SubFactory(BusinessPlanFactory)
    metric = "won_deals"
    target = Decimal("10")
    actual = Decimal("5")
    weight = 1
