"""Partner organizations and their program: types, tiers and benefits, applications,
agreements, onboarding, lifecycle, engagement (touchpoints, cadences, business plans)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django_fsm import transition

from prm.audit.history import track
from prm.core.fields import StateField
from prm.tenancy.managers import ALL_PARTNERS
from prm.tenancy.models import TenantOwned, hex_colour, tenant_upload_to

from .choices import (
    ApplicationStatus,
    BenefitKind,
    LifecycleStage,
    OnboardingEvent,
    PlanMetric,
    PlanStatus,
    TouchpointKind,
)

S = LifecycleStage


def partner_logo_upload_to(instance, filename: str) -> str:
    return tenant_upload_to(instance, filename, folder="partner-logos")


@track()
class ProgramSettings(TenantOwned):
    """The tenant's program-wide knobs: when a quiet partner is at risk or inactive, etc."""

    at_risk_after_days = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1)], help_text="Days without activity."
    )
    inactive_after_days = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(1)], help_text="Days without activity."
    )
    onboarding_stall_days = models.PositiveIntegerField(
        default=14,
        validators=[MinValueValidator(1)],
        help_text="Remind when onboarding has not advanced for this many days.",
    )
    agreement_expiry_warning_days = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("tenant",), name="programsettings_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(inactive_after_days__gt=models.F("at_risk_after_days")),
                name="programsettings_inactive_after_at_risk",
            ),
        ]

    def __str__(self) -> str:
        return "Program settings"


@track()
class PartnerType(TenantOwned):
    """A kind of partner in the program: reseller, referral, distributor, OEM, ..."""

    key = models.SlugField(max_length=40, help_text="Stable identifier, e.g. reseller.")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    # Partners may read the program's catalogue of types.
    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "key"), name="partnertype_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


@track()
class Tier(TenantOwned):
    """A level of the program (e.g. Registered < Silver < Gold); a higher rank is better.

    The requirements are trailing-twelve-month minimums; a tier's requirements are never
    lower than those of the tier below it (checked by partners.services.tier_validate).
    """

    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(help_text="1 is the entry tier; higher is better.")
    color = models.CharField(max_length=7, default="#6e7781", validators=[hex_colour])
    description = models.TextField(blank=True)
    min_won_revenue = models.DecimalField(
        "won revenue (12 months)",
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_won_deals = models.PositiveIntegerField("won deals (12 months)", default=0)
    min_approved_registrations = models.PositiveIntegerField(
        "approved registrations (12 months)", default=0
    )
    min_certified_people = models.PositiveIntegerField("certified people", default=0)
    manual_criterion = models.CharField(
        max_length=200, blank=True, help_text="A requirement a channel manager checks by hand."
    )

    partner_scope = ALL_PARTNERS

    REQUIREMENT_FIELDS = (
        "min_won_revenue",
        "min_won_deals",
        "min_approved_registrations",
        "min_certified_people",
    )

    class Meta:
        ordering = ("rank",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "rank"), name="tier_rank_unique"),
            models.UniqueConstraint("tenant", Lower("name"), name="tier_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


@track()
class Benefit(TenantOwned):
    """A benefit of the program's catalogue (discount %, deal protection days, ...)."""

    key = models.SlugField(max_length=60, help_text="Stable identifier, e.g. discount_percent.")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=BenefitKind.choices)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("position", "name")
        constraints = [
            models.UniqueConstraint(fields=("tenant", "key"), name="benefit_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


@track()
class TierBenefit(TenantOwned):
    """What one tier gets of one benefit; the value is read according to the benefit's kind."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="benefit_values")
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="tier_values")
    value = models.CharField(max_length=200)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("tier__rank", "benefit__position")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "tier", "benefit"), name="tierbenefit_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier}: {self.benefit} = {self.value}"

    @property
    def display(self) -> str:
        from .services import benefit_display

        return benefit_display(kind=self.benefit.kind, raw=self.value)


@track()
class EngagementCadence(TenantOwned):
    """How often a channel manager meets the partners of a tier (e.g. QBR every 90 days)."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="cadences")
    kind = models.CharField(
        max_length=20, choices=TouchpointKind.choices, default=TouchpointKind.BUSINESS_REVIEW
    )
    interval_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ("tier__rank", "kind")
        constraints = [
            models.UniqueConstraint(fields=("tenant", "tier", "kind"), name="cadence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} every {self.interval_days} days ({self.tier})"


@track()
class PartnerOrganization(TenantOwned):
    """A company in the vendor's partner program (a reseller, a referral partner, ...).

    `lifecycle_stage` is a state machine: prospect → applied → onboarding → active ⇄ at
    risk → inactive → offboarded (and back); every move goes through
    partners.services.partner_transition, which records a LifecycleTransition.
    """

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    # The company's normalised web domain (e.g. northwind.example), for matching.
    domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    description = models.TextField(blank=True, help_text="What the company does, for buyers.")
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    logo = models.ImageField(upload_to=partner_logo_upload_to, blank=True)
    listed_in_locator = models.BooleanField(
        default=False, help_text="Show this partner in the public partner locator."
    )
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.PROTECT, null=True, blank=True, related_name="partners"
    )
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="partners"
    )
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The vendor's channel manager who owns this partner.",
    )
    lifecycle_stage = StateField(
        max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.ACTIVE
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A partner user sees only its own organization.
    partner_scope = "id"

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="partnerorg_name_unique_ci"),
        ]
        indexes = [
            models.Index(fields=("tenant", "lifecycle_stage"), name="partnerorg_stage_idx"),
            models.Index(fields=("tenant", "tier"), name="partnerorg_tier_idx"),
            models.Index(fields=("tenant", "channel_manager"), name="partnerorg_cm_idx"),
            models.Index(fields=("tenant", "domain"), name="partnerorg_domain_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allows_sign_in(self) -> bool:
        return self.is_active and self.lifecycle_stage != LifecycleStage.OFFBOARDED

    @property
    def profile_is_complete(self) -> bool:
        return bool(self.name and self.website and self.country and self.description)

    # --- the lifecycle (call through partners.services.partner_transition) -------------
    @transition(field=lifecycle_stage, source=S.PROSPECT, target=S.APPLIED)
    def apply(self):
        """The company applied to the program."""

    @transition(field=lifecycle_stage, source=[S.PROSPECT, S.APPLIED], target=S.ONBOARDING)
    def start_onboarding(self):
        """Approved: the partner works through its onboarding plan."""

    @transition(field=lifecycle_stage, source=S.ONBOARDING, target=S.ACTIVE)
    def activate(self):
        """The onboarding plan's required tasks are done."""

    @transition(field=lifecycle_stage, source=S.ACTIVE, target=S.AT_RISK)
    def mark_at_risk(self):
        """No activity for a while."""

    @transition(field=lifecycle_stage, source=[S.ACTIVE, S.AT_RISK], target=S.INACTIVE)
    def mark_inactive(self):
        """No activity for longer still."""

    @transition(field=lifecycle_stage, source=[S.AT_RISK, S.INACTIVE], target=S.ACTIVE)
    def reactivate(self):
        """Activity again (or a channel manager's decision)."""

    @transition(
        field=lifecycle_stage,
        source=[S.PROSPECT, S.APPLIED, S.ONBOARDING, S.ACTIVE, S.AT_RISK, S.INACTIVE],
        target=S.OFFBOARDED,
    )
    def offboard(self):
        """Leaves the program: users deactivated, data kept."""

    @transition(field=lifecycle_stage, source=S.OFFBOARDED, target=S.ACTIVE)
    def reinstate(self):
        """Offboarding reversed."""


# Transition method per target stage, so services and forms can name a target.
TRANSITION_TO = {
    S.APPLIED: "apply",
    S.ONBOARDING: "start_onboarding",
    S.ACTIVE: "activate",
    S.AT_RISK: "mark_at_risk",
    S.INACTIVE: "mark_inactive",
    S.OFFBOARDED: "offboard",
}


class LifecycleTransition(TenantOwned):
    """One recorded move of a partner between lifecycle stages: who, when, from, to, why."""

    organization = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="transitions"
    )
    from_stage = models.CharField(max_length=20, choices=LifecycleStage.choices)
    to_stage = models.CharField(max_length=20, choices=LifecycleStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    # Offboarding switches off the memberships that were active; reinstating switches on
    # exactly those, not people the partner admin had removed on purpose.
    deactivated_memberships = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(
                fields=("tenant", "organization", "created_at"), name="lifecycletrans_org_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.from_stage} → {self.to_stage}"


class TierChange(TenantOwned):
    """One recorded change of a partner's tier, with its reason."""

    organization = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="tier_changes"
    )
    from_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(
                fields=("tenant", "organization", "created_at"), name="tierchange_org_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.from_tier} → {self.to_tier}"


@track()
class PartnerApplication(TenantOwned):
    """A company's application to join the program, sent from the public form at /apply/."""

    company_name = models.CharField(max_length=200)
    website = models.URLField()
    # Normalised from the website (lower case, no www.): duplicates are found by it.
    domain = models.CharField(max_length=253)
    country = models.CharField(max_length=2)
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    organization = models.ForeignKey(
        PartnerOrganization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            # At most one open application per company domain.
            models.UniqueConstraint(
                fields=("tenant", "domain"),
                condition=models.Q(status="pending"),
                name="application_one_pending_per_domain",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status", "created_at"), name="application_status_idx"),
        ]

    def __str__(self) -> str:
        return self.company_name


@track()
class Agreement(TenantOwned):
    """One version of the program agreement of a partner type.

    The current agreement of a type is its published version with the highest number;
    publishing a new one makes every partner of that type accept again.
    """

    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.PROTECT, related_name="agreements"
    )
    version = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200)
    body = models.TextField()
    valid_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1)],
        help_text="An acceptance expires after this many months.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Every partner may read the program's agreements (they are not secret).
    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("partner_type__name", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "partner_type", "version"), name="agreement_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


@track()
class AgreementAcceptance(TenantOwned):
    """A partner organization's acceptance of one agreement version, by its partner admin."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    organization = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    partner_scope = "organization"

    class Meta:
        ordering = ("-accepted_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "agreement", "organization"), name="acceptance_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("accepted_at")),
                name="acceptance_expires_after_accepted",
            ),
        ]
        indexes = [
            models.Index(
                fields=("tenant", "organization", "expires_at"), name="acceptance_org_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} accepted {self.agreement}"


@track()
class OnboardingPlan(TenantOwned):
    """The onboarding checklist of a partner type."""

    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.CASCADE, related_name="onboarding_plans"
    )
    name = models.CharField(max_length=200)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("partner_type__name",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "partner_type"), name="onboardingplan_one_per_type"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@track()
class OnboardingTask(TenantOwned):
    """A step of an onboarding plan; completed by an event or by hand."""

    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    completion_event = models.CharField(
        max_length=40,
        choices=OnboardingEvent.choices,
        blank=True,
        help_text="Completed automatically by this event; empty means completed by hand.",
    )
    is_required = models.BooleanField(default=True)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("plan", "position", "title")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "plan", "position"), name="onboardingtask_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OnboardingItem(TenantOwned):
    """One partner's copy of an onboarding task, open until completed."""

    organization = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="onboarding_items"
    )
    task = models.ForeignKey(OnboardingTask, on_delete=models.CASCADE, related_name="items")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("task__position",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "organization", "task"), name="onboardingitem_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.task}"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


class Touchpoint(TenantOwned):
    """A meeting, call or business review between the vendor and a partner."""

    organization = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="touchpoints"
    )
    kind = models.CharField(max_length=20, choices=TouchpointKind.choices)
    occurred_on = models.DateField()
    subject = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The vendor's own notes about a partner: staff only.
    partner_scope = None

    class Meta:
        ordering = ("-occurred_on", "-created_at")
        indexes = [
            models.Index(
                fields=("tenant", "organization", "occurred_on"), name="touchpoint_org_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


@track()
class BusinessPlan(TenantOwned):
    """A joint business plan of the vendor and one partner for one period."""

    organization = models.ForeignKey(
        PartnerOrganization, on_delete=models.CASCADE, related_name="business_plans"
    )
    period = models.CharField(max_length=40, help_text="e.g. FY2027 or 2027-H1.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-starts_on",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "organization", "period"), name="businessplan_period_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="businessplan_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.period}"

    @property
    def progress(self) -> int:
        """Weighted progress of the goals, 0-100 (uses prefetched goals when present)."""
        goals = list(self.goals.all())
        total_weight = sum(g.weight for g in goals)
        if not total_weight:
            return 0
        return round(sum(g.progress * g.weight for g in goals) / total_weight)


@track()
class BusinessPlanGoal(TenantOwned):
    """A goal of a business plan: a metric, a target, how much it weighs, where it stands."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(max_length=30, choices=PlanMetric.choices)
    description = models.CharField(max_length=200, blank=True)
    target = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    actual = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    partner_scope = "plan__organization"

    class Meta:
        ordering = ("-weight", "metric")
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gt=0), name="goal_target_positive"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="goal_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.description or self.get_metric_display()

    @property
    def progress(self) -> int:
        if not self.target:
            return 0
        return min(100, round(self.actual / self.target * 100))


class BusinessPlanComment(TenantOwned):
    """A comment on a business plan, by the partner or the vendor."""

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "plan__organization"

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return self.body[:50]
