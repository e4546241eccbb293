from django.db import models


class LifecycleStage(models.TextChoices):
    """Where a partner stands in the program (see partners.services for transitions)."""

    PROSPECT = "prospect", "Prospect"
    APPLIED = "applied", "Applied"
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    AT_RISK = "at_risk", "At risk"
    INACTIVE = "inactive", "Inactive"
    OFFBOARDED = "offboarded", "Offboarded"


# Stages in which a partner may do business (register deals, claim funds).
TRANSACTING_STAGES = frozenset({LifecycleStage.ACTIVE, LifecycleStage.AT_RISK})


class BenefitKind(models.TextChoices):
    """How a benefit's value is read: a percentage, an amount of money, a count, yes/no, text."""

    PERCENTAGE = "percentage", "Percentage"
    AMOUNT = "amount", "Amount"
    COUNT = "count", "Count"
    FLAG = "flag", "Yes / no"
    TEXT = "text", "Text"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class OnboardingEvent(models.TextChoices):
    """Events that complete onboarding tasks automatically (empty: completed by hand)."""

    AGREEMENT_ACCEPTED = "agreement_accepted", "Agreement accepted"
    PROFILE_COMPLETED = "profile_completed", "Profile completed"
    FIRST_DEAL_REGISTERED = "first_deal_registered", "First deal registered"
    FIRST_CERTIFICATION_EARNED = "first_certification_earned", "First certification earned"


class TouchpointKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    BUSINESS_REVIEW = "business_review", "Business review"


class PlanMetric(models.TextChoices):
    WON_REVENUE = "won_revenue", "Won revenue"
    WON_DEALS = "won_deals", "Won deals"
    APPROVED_REGISTRATIONS = "approved_registrations", "Approved registrations"
    CERTIFIED_PEOPLE = "certified_people", "Certified people"
    CUSTOM = "custom", "Custom"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
