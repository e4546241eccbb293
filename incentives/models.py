"""Incentive programs, the append-only ledger, statements, payouts and market development funds.

Money is `Decimal` in NUMERIC(14, 2) columns with an explicit currency, rounded half-up to
cents when computed (see incentives.money), and never summed across currencies: every
account holds one currency and every sum groups by it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django_fsm import FSMField, transition

from prm.audit.history import track
from prm.tenancy.managers import ALL_PARTNERS
from prm.tenancy.models import TenantOwned, tenant_upload_to

from .choices import (
    AccountKind,
    ActivityType,
    AllocationSource,
    BatchStatus,
    ClaimStatus,
    EntryCause,
    PeriodUnit,
    ProgramKind,
    RequestStatus,
    StatementStatus,
)

money = {"max_digits": 14, "decimal_places": 2}
currency_code = RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 code such as USD.")
positive = [MinValueValidator(Decimal("0.01"))]


@track()
class IncentiveSettings(TenantOwned):
    """The tenant's incentive and fund settings: one row per tenant, created on demand."""

    clawback_days = models.PositiveIntegerField(
        default=90,
        help_text="A won deal that leaves 'won' within this many days of closing is reversed.",
    )
    points_deal_registered = models.PositiveIntegerField(default=10)
    points_deal_won = models.PositiveIntegerField(default=50)
    points_certification = models.PositiveIntegerField(default=100)
    leaderboard_shows_names = models.BooleanField(
        default=False,
        help_text="Partners see other partners' names on the leaderboard (else only ranks).",
    )
    admin_approval_above = models.DecimalField(
        **money,
        default=Decimal("10000.00"),
        help_text="Fund requests above this amount are approved by program admins only.",
    )
    claim_due_days = models.PositiveIntegerField(
        default=30, help_text="A claim is due this many days after the activity ends."
    )
    claim_reminder_days = models.PositiveIntegerField(
        default=7, help_text="Remind the partner this many days before a claim is due."
    )
    request_sla_days = models.PositiveIntegerField(
        default=5, help_text="Fund requests waiting longer than this are escalated."
    )

    class Meta:
        verbose_name_plural = "incentive settings"
        constraints = [
            models.UniqueConstraint(fields=("tenant",), name="incentivesettings_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"Incentive settings of {self.tenant}"


class LedgerAccount(TenantOwned):
    """One partner organization's account of one kind in one currency.

    `balance` and `entry_count` are the running total of the account's entries, kept by
    incentives.services.ledger under a row lock on this account, so concurrent postings
    serialise here and the total always equals the sum of the entries.
    """

    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    currency = models.CharField(max_length=3, validators=[currency_code])
    balance = models.DecimalField(**money, default=Decimal("0"))
    entry_count = models.PositiveIntegerField(default=0)

    partner_scope = "organization"

    class Meta:
        ordering = ("kind", "currency")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "organization", "kind", "currency"), name="ledgeraccount_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()} ({self.currency})"


class LedgerEntry(TenantOwned):
    """One posting on an account. Never updated, never deleted (Postgres refuses both).

    A correction is a new entry that `reverses` the wrong one. `key` makes each posting
    happen at most once (a program, its source and its period; a payout line; a reversal).
    `running_balance` is the account's balance after this entry.
    """

    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**money)
    running_balance = models.DecimalField(**money)
    cause = models.CharField(max_length=30, choices=EntryCause.choices)
    description = models.CharField(max_length=300)
    key = models.CharField(max_length=200)
    # What the entry is about (any may be empty): the program, the deal, the claim.
    program = models.ForeignKey(
        "IncentiveProgram", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deal = models.ForeignKey("deals.Deal", on_delete=models.PROTECT, null=True, blank=True)
    claim = models.ForeignKey(
        "FundClaim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement = models.ForeignKey(
        "Statement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        "PayoutBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The first day of the program period the entry belongs to (rebates, caps).
    period_start = models.DateField(null=True, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=("tenant", "key"), name="ledgerentry_key_unique"),
            models.CheckConstraint(
                condition=~models.Q(amount=0), name="ledgerentry_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=~models.Q(cause=EntryCause.REVERSAL) | models.Q(reverses__isnull=False),
                name="ledgerentry_reversal_names_entry",
            ),
        ]
        indexes = [
            models.Index(
                fields=("tenant", "account", "created_at"), name="ledgerentry_account_idx"
            ),
            models.Index(fields=("tenant", "organization", "kind"), name="ledgerentry_org_idx"),
            models.Index(fields=("tenant", "deal"), name="ledgerentry_deal_idx"),
            models.Index(
                fields=("tenant", "program", "organization", "period_start"),
                name="ledgerentry_program_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} · {self.description}"


@track()
class IncentiveProgram(TenantOwned):
    """A way partners earn: a SPIFF, a rebate or a referral fee, with who qualifies and when.

    Eligibility: empty id lists mean "any"; `min_tier` compares tier ranks;
    `requires_agreement` applies the partner's agreement gate
    (partners.services.partner_can_transact).
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ProgramKind.choices)
    description = models.TextField(blank=True)
    currency = models.CharField(max_length=3, validators=[currency_code])
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: no end date.")
    period_unit = models.CharField(
        max_length=10,
        choices=PeriodUnit.choices,
        default=PeriodUnit.QUARTER,
        help_text="The period of caps and of rebates.",
    )
    # Eligibility
    partner_type_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    motion_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    product_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    min_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requires_agreement = models.BooleanField(default=True)
    # SPIFF
    amount_per_deal = models.DecimalField(
        **money, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    cap_per_period = models.DecimalField(
        **money,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Most a partner earns from this program in one period; empty: no cap.",
    )
    # Referral fee
    rate_percent = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "name"), name="incentiveprogram_name_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="incentiveprogram_dates_ok",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=ProgramKind.SPIFF) | models.Q(amount_per_deal__gt=0),
                name="incentiveprogram_spiff_has_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=ProgramKind.REFERRAL) | models.Q(rate_percent__gt=0),
                name="incentiveprogram_referral_has_rate",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@track()
class RebateBand(TenantOwned):
    """A marginal band of a rebate: `rate_percent` of won revenue above `from_amount`.

    With bands from 0 at 2 % and from 100,000 at 4 %, revenue of 150,000 earns
    2 % of 100,000 plus 4 % of 50,000.
    """

    program = models.ForeignKey(IncentiveProgram, on_delete=models.CASCADE, related_name="bands")
    from_amount = models.DecimalField(**money, validators=[MinValueValidator(Decimal("0"))])
    rate_percent = models.DecimalField(
        max_digits=6, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("program", "from_amount")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "program", "from_amount"), name="rebateband_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rate_percent} % from {self.from_amount}"


@track()
class TierMultiplier(TenantOwned):
    """A fixed multiplier of per-deal earnings for the partners of a tier (e.g. 1.25)."""

    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, related_name="+")
    multiplier = models.DecimalField(
        max_digits=5, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )

    partner_scope = ALL_PARTNERS

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("tenant", "tier"), name="tiermultiplier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} × {self.multiplier}"


@track()
class Statement(TenantOwned):
    """A partner's statement of one account for one month or quarter.

    Its figures are taken from the entries posted in the period when it is drawn up;
    entries never change, so the figures stay true. draft → approved → payable → paid
    (paid through a payout batch).
    """

    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    period_unit = models.CharField(max_length=10, choices=PeriodUnit.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="The last day of the period.")
    opening_balance = models.DecimalField(**money)
    credits = models.DecimalField(**money)
    debits = models.DecimalField(**money)
    closing_balance = models.DecimalField(**money)
    # What this statement asks to be paid: the period's postings other than payouts.
    amount_due = models.DecimalField(**money)
    entry_count = models.PositiveIntegerField()
    status = FSMField(max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-period_start", "organization__name")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "account", "period_unit", "period_start"),
                name="statement_unique",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status"), name="statement_status_idx"),
            models.Index(
                fields=("tenant", "organization", "-period_start"), name="statement_org_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.period_start:%b %Y} ({self.currency})"

    @transition(field=status, source=StatementStatus.DRAFT, target=StatementStatus.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=StatementStatus.APPROVED, target=StatementStatus.PAYABLE)
    def release(self):
        pass

    @transition(field=status, source=StatementStatus.PAYABLE, target=StatementStatus.PAID)
    def pay(self):
        pass


@track()
class PayoutBatch(TenantOwned):
    """Approved payables (statements, fund claims) gathered for one payment run."""

    reference = models.CharField(max_length=40)
    currency = models.CharField(max_length=3, validators=[currency_code])
    total = models.DecimalField(**money, default=Decimal("0"))
    status = FSMField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "reference"), name="payoutbatch_ref_unique"),
        ]

    def __str__(self) -> str:
        return self.reference

    @transition(field=status, source=BatchStatus.DRAFT, target=BatchStatus.PAID)
    def pay(self):
        pass


class PayoutLine(TenantOwned):
    """One payable in a batch: a statement or an approved fund claim."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="lines")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    statement = models.OneToOneField(
        Statement, on_delete=models.PROTECT, null=True, blank=True, related_name="payout_line"
    )
    claim = models.OneToOneField(
        "FundClaim", on_delete=models.PROTECT, null=True, blank=True, related_name="payout_line"
    )
    amount = models.DecimalField(**money, validators=positive)
    currency = models.CharField(max_length=3)

    partner_scope = "organization"

    class Meta:
        ordering = ("organization__name",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statement__isnull=False, claim__isnull=True)
                | models.Q(statement__isnull=True, claim__isnull=False),
                name="payoutline_one_payable",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payoutline_positive"),
        ]
        indexes = [models.Index(fields=("tenant", "batch"), name="payoutline_batch_idx")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.amount} {self.currency}"


# ---------------------------------------------------------------------------------------
# Market development funds
# ---------------------------------------------------------------------------------------


@track()
class Fund(TenantOwned):
    """A budget of market development funds for one period, in one currency."""

    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, validators=[currency_code])
    amount = models.DecimalField(**money, validators=positive)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Sum of the allocations, kept under a row lock on this fund (never above amount).
    allocated = models.DecimalField(**money, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-starts_on", "name")
        constraints = [
            models.UniqueConstraint(fields=("tenant", "name"), name="fund_name_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="fund_dates_ok"
            ),
            models.CheckConstraint(
                condition=models.Q(allocated__lte=models.F("amount")),
                name="fund_allocated_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


@track()
class FundAllocation(TenantOwned):
    """The part of a fund set aside for one partner organization.

    `committed` is what the partner's open and approved requests hold of it (the planned
    spend while waiting, the approved amount once approved), kept under a row lock on
    this allocation, so it never exceeds `amount`.
    """

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="allocations")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(**money, validators=positive)
    committed = models.DecimalField(**money, default=Decimal("0"))
    source = models.CharField(
        max_length=20, choices=AllocationSource.choices, default=AllocationSource.MANUAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("fund", "organization__name")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "fund", "organization"), name="fundallocation_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(committed__gte=0) & models.Q(committed__lte=models.F("amount")),
                name="fundallocation_committed_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.fund}"

    @property
    def available(self) -> Decimal:
        return self.amount - self.committed


@track()
class FundRequest(TenantOwned):
    """A partner's request to spend part of its allocation on a marketing activity."""

    allocation = models.ForeignKey(
        FundAllocation, on_delete=models.PROTECT, related_name="requests"
    )
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    description = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    planned_spend = models.DecimalField(**money, validators=positive)
    expected_leads = models.PositiveIntegerField(default=0)
    expected_pipeline = models.DecimalField(
        **money, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    status = FSMField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    approved_amount = models.DecimalField(**money, null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    claim_due_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="fundrequest_dates_ok",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | (
                    models.Q(approved_amount__gt=0)
                    & models.Q(approved_amount__lte=models.F("planned_spend"))
                ),
                name="fundrequest_approved_within_planned",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RequestStatus.REJECTED) | ~models.Q(decision_reason=""),
                name="fundrequest_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status", "created_at"), name="fundrequest_status_idx"),
            models.Index(
                fields=("tenant", "organization", "-created_at"), name="fundrequest_org_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_partial(self) -> bool:
        return self.approved_amount is not None and self.approved_amount < self.planned_spend

    @transition(field=status, source=RequestStatus.SUBMITTED, target=RequestStatus.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=RequestStatus.SUBMITTED, target=RequestStatus.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=RequestStatus.APPROVED, target=RequestStatus.CLAIMED)
    def mark_claimed(self):
        pass

    @transition(field=status, source=RequestStatus.APPROVED, target=RequestStatus.EXPIRED)
    def expire(self):
        pass


@track()
class FundClaim(TenantOwned):
    """What a partner spent on an approved request, with proof of performance."""

    request = models.OneToOneField(FundRequest, on_delete=models.PROTECT, related_name="claim")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(**money, validators=positive)
    currency = models.CharField(max_length=3)
    notes = models.TextField(blank=True)
    leads_generated = models.PositiveIntegerField(default=0)
    status = FSMField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    approved_amount = models.DecimalField(**money, null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fundclaim_positive"),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | (
                    models.Q(approved_amount__gt=0)
                    & models.Q(approved_amount__lte=models.F("amount"))
                ),
                name="fundclaim_approved_within_claimed",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status", "created_at"), name="fundclaim_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Claim for {self.request}"

    @transition(field=status, source=ClaimStatus.SUBMITTED, target=ClaimStatus.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=ClaimStatus.SUBMITTED, target=ClaimStatus.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=ClaimStatus.APPROVED, target=ClaimStatus.PAID)
    def pay(self):
        pass


def proof_upload_to(instance, filename: str) -> str:
    return tenant_upload_to(instance, filename, folder=f"fund-proofs/{instance.claim_id}")


class ClaimProof(TenantOwned):
    """A proof of performance of a claim (invoice, photo, attendee list): a stored file."""

    claim = models.ForeignKey(FundClaim, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(upload_to=proof_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "claim__organization"

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return self.original_name


__all__ = [
    "ActivityType",
    "ClaimProof",
    "Fund",
    "FundAllocation",
    "FundClaim",
    "FundRequest",
    "IncentiveProgram",
    "IncentiveSettings",
    "LedgerAccount",
    "LedgerEntry",
    "PayoutBatch",
    "PayoutLine",
    "RebateBand",
    "Statement",
    "TierMultiplier",
]
