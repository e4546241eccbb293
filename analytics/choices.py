from django.db import models


class ProposalDirection(models.TextChoices):
    UPGRADE = "upgrade", "Upgrade"
    DOWNGRADE = "downgrade", "Downgrade"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    APPLIED = "applied", "Applied automatically"
    WITHDRAWN = "withdrawn", "Withdrawn (no longer true)"


OPEN_PROPOSAL_STATUSES = (ProposalStatus.PENDING,)


class HealthComponent(models.TextChoices):
    """The parts of a partner's health score; the admin weighs each (weights total 100)."""

    RECENCY = "recency", "Recency of activity"
    PIPELINE_TREND = "pipeline_trend", "Pipeline trend"
    WIN_RATE = "win_rate", "Win rate"
    CERTIFICATION = "certification", "Certification coverage"
    CADENCE = "cadence", "Cadence adherence"
    AGREEMENT = "agreement", "Agreement status"
