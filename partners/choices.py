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
