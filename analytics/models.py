"""Monthly rollups of partner performance, health scores and tier proposals.

`MonthlyMetrics` is written only by set-based SQL (analytics.rollups); its columns are
the metrics of analytics.metrics.METRICS.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from prm.audit.history import track
from prm.tenancy.models import TenantOwned

from .choices import HealthComponent, ProposalDirection, ProposalStatus

money = {"max_digits": 16, "decimal_places": 2, "default": Decimal("0")}


class DecimalDecoder(json.JSONDecoder):
    """JSON numbers with a fraction as Decimal: money stays exact in per-motion figures."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        super().__init__(*args, **kwargs)


class MonthlyMetrics(TenantOwned):
    """One partner's figures for one month (in the tenant's time zone); a row without an
    organization holds the whole program's figures for that month.

    Kept by analytics.rollups (nightly for the last 13 months, and the current month of
    one partner shortly after its deals change). A rebuild rewrites only the rows whose
    figures changed: `computed_at` is when the row's figures were last written, and the
    figures are as of the later of it and the tenant's last full rebuild (`RollupRun`).
    """

    organization = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monthly_metrics",
    )
    month = models.DateField(help_text="First day of the month.")
    registrations_submitted = models.PositiveIntegerField(default=0)
    registrations_approved = models.PositiveIntegerField(default=0)
    registrations_rejected = models.PositiveIntegerField(default=0)
    median_decision_hours = models.FloatField(null=True, blank=True)
    won_count = models.PositiveIntegerField(default=0)
    won_revenue = models.DecimalField(**money)
    lost_count = models.PositiveIntegerField(default=0)
    partner_sourced_revenue = models.DecimalField(**money)
    lead_sourced_revenue = models.DecimalField(**money)
    pipeline_change = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    active_users = models.PositiveIntegerField(default=0)
    touchpoints = models.PositiveIntegerField(default=0)
    win_rate = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    open_pipeline = models.DecimalField(**money)
    # Enablement: people of the partner holding a valid certification on the month's last
    # day (today for the current month).
    certified_people = models.PositiveIntegerField(default=0)
    # Incentives, in the tenant's currency (other currencies are never summed into them).
    mdf_approved = models.DecimalField(**money)
    mdf_claimed = models.DecimalField(**money)
    mdf_paid = models.DecimalField(**money)
    earnings_posted = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # Per deal motion ({motion id: amount}, zero amounts left out): won revenue of the
    # month and open pipeline at its end. The sums over motions equal the columns above.
    won_revenue_by_motion = models.JSONField(default=dict, blank=True, decoder=DecimalDecoder)
    open_pipeline_by_motion = models.JSONField(default=dict, blank=True, decoder=DecimalDecoder)
    computed_at = models.DateTimeField()

    partner_scope = "organization"

    class Meta:
        ordering = ("month",)
        verbose_name_plural = "monthly metrics"
        constraints = [
            # NULLS NOT DISTINCT: the program row (no organization) is unique per month too,
            # so ON CONFLICT finds it.
            models.UniqueConstraint(
                fields=("tenant", "organization", "month"),
                name="monthlymetrics_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(
                fields=("tenant", "month"),
                name="monthlymetrics_program_idx",
                condition=models.Q(organization__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization or 'Program'} · {self.month:%Y-%m}"


class RollupRun(TenantOwned):
    """When the tenant's rollups were last rebuilt in full (one row per tenant): every
    row was checked then, though only those whose figures changed were rewritten."""

    rebuilt_at = models.DateTimeField()
    rows_written = models.PositiveIntegerField(default=0)

    partner_scope = None

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("tenant",), name="rolluprun_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"Rollups rebuilt {self.rebuilt_at:%Y-%m-%d %H:%M}"


def default_weights() -> dict[str, int]:
    return {
        HealthComponent.RECENCY: 25,
        HealthComponent.PIPELINE_TREND: 20,
        HealthComponent.WIN_RATE: 15,
        HealthComponent.CERTIFICATION: 10,
        HealthComponent.CADENCE: 15,
        HealthComponent.AGREEMENT: 15,
    }


@track()
class AnalyticsSettings(TenantOwned):
    """The tenant's analytics knobs: health weights, churn threshold, tier evaluation."""

    health_weights = models.JSONField(
        default=default_weights, help_text="Weight per health component; they total 100."
    )
    churn_threshold = models.PositiveSmallIntegerField(
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="A partner whose health score falls below this is flagged at risk.",
    )
    churn_drop_points = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A fall of this many points since the last score also flags the partner.",
    )
    auto_upgrade = models.BooleanField(
        default=False, help_text="Apply upgrades at once instead of proposing them."
    )
    downgrade_grace_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="A downgrade takes effect no sooner than this many days after the notice.",
    )
    show_rank_to_partners = models.BooleanField(
        default=False, help_text="Partners see their rank by won revenue in the program."
    )

    class Meta:
        verbose_name_plural = "analytics settings"
        constraints = [
            models.UniqueConstraint(fields=("tenant",), name="analyticssettings_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(churn_threshold__gte=1, churn_threshold__lte=99),
                name="analyticssettings_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return "Analytics settings"


class HealthScore(TenantOwned):
    """A partner's latest health score (0–100) and the components it is made of."""

    organization = models.OneToOneField(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="health"
    )
    score = models.PositiveSmallIntegerField()
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # [{"key", "label", "weight", "value" (0–100), "detail" (in words)}]
    components = models.JSONField(default=list)
    at_risk = models.BooleanField(default=False)
    # The day the current at-risk episode began (one notice per episode).
    flagged_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    partner_scope = None

    class Meta:
        ordering = ("score",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "organization"), name="healthscore_unique"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="healthscore_range"),
        ]
        indexes = [models.Index(fields=("tenant", "score"), name="healthscore_score_idx")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.score}"

    @property
    def trend(self) -> int | None:
        return None if self.previous_score is None else self.score - self.previous_score


@track()
class TierProposal(TenantOwned):
    """A proposed tier change from the periodic evaluation, with its evidence.

    A channel manager or admin approves (through partners.services.partner_tier_change)
    or rejects it with a reason; a downgrade cannot be applied before `effective_on`.
    """

    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="tier_proposals"
    )
    from_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(max_length=10, choices=ProposalDirection.choices)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    # {"metrics": {field: value}, "requirements": {field: required}, "months": [first, last]}
    evidence = models.JSONField(default=dict)
    effective_on = models.DateField(
        help_text="The earliest day the change may take effect (grace for downgrades)."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = None

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            # One open proposal per partner: a new evaluation updates or withdraws it.
            models.UniqueConstraint(
                fields=("tenant", "organization"),
                condition=models.Q(status="pending"),
                name="tierproposal_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | models.Q(status="withdrawn")
                | models.Q(decided_at__isnull=False),
                name="tierproposal_decided_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status", "created_at"), name="tierproposal_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.from_tier} → {self.to_tier}"
