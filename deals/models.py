"""Products, motions and stages, deal registrations, conflicts, co-selling and leads."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models.functions import Lower
from django_fsm import transition

from prm.audit.history import track
from prm.core.fields import StateField
from prm.tenancy.context import require_current_tenant
from prm.tenancy.managers import ALL_PARTNERS, TenantManager, TenantQuerySet
from prm.tenancy.models import TenantOwned, tenant_upload_to

from .choices import (
    OPEN_STATUSES,
    PENDING_STATUSES,
    ConflictDecision,
    ConflictReasonCode,
    ConflictStatus,
    DealPartnerRole,
    DealStatus,
    ExtensionStatus,
    LeadImportStatus,
    LeadStatus,
    OfferStatus,
    RejectionCode,
    RoutingMethod,
    StageOwner,
    TransitionKind,
)

money = {"max_digits": 14, "decimal_places": 2}


@track()
class DealSettings(TenantOwned):
    """The tenant's deal-registration settings: one row per tenant, created on demand."""

    name_similarity_threshold = models.FloatField(
        default=0.45,
        validators=[MinValueValidator(0.1), MaxValueValidator(1.0)],
        help_text="How similar two company names must be (0.1–1.0) to be flagged a conflict.",
    )
    lead_acceptance_hours = models.PositiveIntegerField(
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="How long a partner has to accept or decline a lead offered to it.",
    )

    class Meta:
        verbose_name_plural = "deal settings"
        constraints = [
            models.UniqueConstraint(fields=("tenant",), name="dealsettings_one_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(name_similarity_threshold__gte=0.1)
                & models.Q(name_similarity_threshold__lte=1.0),
                name="dealsettings_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Deal settings of {self.tenant}"


class DealNumberSequence(TenantOwned):
    """The tenant's last deal number, advanced under a row lock (DR-000123)."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("tenant",), name="dealnumber_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"DR-{self.last_number:06d}"


@track()
class Product(TenantOwned):
    """An item of the vendor's catalogue that partners register deals for."""

    name = models.CharField(max_length=200)
    sku = models.CharField("SKU", max_length=60)
    family = models.CharField(max_length=100, blank=True)
    list_price = models.DecimalField(**money, validators=[MinValueValidator(Decimal("0"))])
    is_active = models.BooleanField(default=True)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("family", "name")
        constraints = [
            models.UniqueConstraint("tenant", Lower("sku"), name="product_sku_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="product_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


@track()
class Motion(TenantOwned):
    """A named workflow of ordered stages that a deal follows (resell, referral, co-sell)."""

    key = models.SlugField(max_length=40, help_text="Stable identifier, e.g. co-sell.")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    default_partner_role = models.CharField(
        max_length=20, choices=DealPartnerRole.choices, default=DealPartnerRole.RESELLER
    )
    partner_types = models.ManyToManyField(
        "partners.PartnerType",
        through="MotionPartnerType",
        blank=True,
        related_name="motions",
        help_text="Partner types that may use this motion; none selected means all.",
    )
    # Retired motions take no new deals; their deals keep following them.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "key"), name="motion_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class MotionPartnerType(TenantOwned):
    """Which partner types may use a motion (a through table that carries its tenant)."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="type_links")
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.CASCADE, related_name="+"
    )

    partner_scope = ALL_PARTNERS

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "motion", "partner_type"), name="motionpartnertype_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.motion} · {self.partner_type}"


@track()
class MotionStage(TenantOwned):
    """One step of a motion, owned by the partner, the vendor or both, with an SLA."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    owner = models.CharField(max_length=10, choices=StageOwner.choices)
    sla_days = models.PositiveSmallIntegerField(default=14)
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)

    partner_scope = ALL_PARTNERS

    class Meta:
        ordering = ("motion", "position")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "motion", "position"), name="motionstage_position_unique"
            ),
            models.CheckConstraint(
                condition=~(models.Q(is_won=True) & models.Q(is_lost=True)),
                name="motionstage_not_won_and_lost",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closing(self) -> bool:
        return self.is_won or self.is_lost


class CoPartnerReadableQuerySet(TenantQuerySet):
    """The one place deal reading widens beyond the owner: the partners taking part in a
    multi-partner deal (a DealPartner row of theirs) read the deal and these rows of it.

    `readable_by` is for reads only (pages, API list and retrieve); `visible_to` stays
    the scope of every action, so a co-partner acts on nothing (404, as for a stranger).
    """

    deal_field = "deal"  # this model's path to its deal's id

    @staticmethod
    def _reads_as_partner(membership) -> bool:
        return not (
            membership is None
            or not membership.is_active
            or membership.is_staff_role
            or membership.partner_organization_id is None
        )

    def readable_by(self, membership) -> CoPartnerReadableQuerySet:
        if not self._reads_as_partner(membership):
            return self.visible_to(membership)
        organization_id = membership.partner_organization_id
        takes_part = DealPartner.objects.filter(
            deal_id=models.OuterRef(self.deal_field), organization_id=organization_id
        )
        return self.filter(
            models.Q(**{self.model.partner_scope: organization_id}) | models.Exists(takes_part)
        )


class DealQuerySet(CoPartnerReadableQuerySet):
    deal_field = "pk"

    def readable_by(self, membership, *, shared: list | None = None) -> DealQuerySet:
        """The partner's own deals, and the few it takes part in by id.

        Not `own OR EXISTS(...)` as for the other models: on the deals table that OR
        cannot use the (tenant, organization, number) index, so every partner list and
        its count read all of the tenant's deals (50,000 at 1M; bench/RESULTS.md). The
        ids of the deals it takes part in come first (`co_partnered_ids`, or `shared`
        when the caller has read them already). Without any, these are exactly the rows
        of `visible_to`.
        """
        if not self._reads_as_partner(membership):
            return self.visible_to(membership)
        organization_id = membership.partner_organization_id
        if shared is None:
            shared = self.co_partnered_ids(membership)
        own = models.Q(organization_id=organization_id)
        return self.filter(own | models.Q(pk__in=shared) if shared else own)

    def co_partnered_ids(self, membership) -> list:
        """Ids of the other partners' deals the member's organization takes part in, in
        one small query by the organization (its own deals, where it is the registering
        partner, left out); none for staff."""
        if not self._reads_as_partner(membership):
            return []
        return list(self._co_partnered(membership).values_list("deal_id", flat=True))

    def readable_with_count(self, membership) -> tuple[DealQuerySet, int | None]:
        """`readable_by`, and the number of its rows when that costs no query of its own.

        For a partner, the ids of the deals it takes part in are read in the same query
        as the number of its own deals; the two sets are apart (a co-partnered deal is
        another partner's), so the rows number the one plus the length of the other.
        Staff: `visible_to`, and None (the paginator counts).
        """
        if not self._reads_as_partner(membership):
            return self.visible_to(membership), None
        own_sql, own_params = (
            self.filter(organization_id=membership.partner_organization_id)
            .order_by()
            .values("pk")
            .query.sql_with_params()
        )
        shared_sql, shared_params = (
            self._co_partnered(membership).values("deal_id").query.sql_with_params()
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM ({own_sql}) own), ARRAY({shared_sql})",  # noqa: S608 - the ORM's SQL; values are parameters
                [*own_params, *shared_params],
            )
            own_count, shared = cursor.fetchone()
        return self.readable_by(membership, shared=shared), own_count + len(shared)

    @staticmethod
    def _co_partnered(membership) -> models.QuerySet:
        organization_id = membership.partner_organization_id
        return (
            DealPartner.objects.filter(organization_id=organization_id)
            .exclude(deal__organization_id=organization_id)
            .order_by()  # a set of ids: no sort by split
        )

    def open(self) -> DealQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def pending_review(self) -> DealQuerySet:
        return self.filter(status__in=PENDING_STATUSES)

    def with_list_relations(self) -> DealQuerySet:
        """What a list row shows, fetched by primary key after the page is chosen.

        Prefetching instead of joining is deliberate: under row-level security every
        joined table carries its own tenant condition, the planner multiplies their
        selectivities as if independent (it expected 124 rows of 50,000), and so it
        joined the tenant's every deal and sorted them instead of walking
        (tenant_id, number) backwards for 50 rows: 236 ms against 1 ms at 1M deals
        (bench/RESULTS.md). A constant three more queries, each by primary key: what
        every list shows (the review queue adds the partner's tier).
        """
        return self.prefetch_related("organization", "motion", "stage")


@track()
class Deal(TenantOwned):
    """A partner's registration of an opportunity, and then the deal it becomes.

    The status machine: draft → submitted → approved | rejected | info_requested →
    submitted again; approved → won | lost | expired. Once approved the deal also has a
    stage of its motion.
    """

    number = models.PositiveIntegerField(editable=False)
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="deals"
    )
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(
        MotionStage, on_delete=models.PROTECT, null=True, blank=True, related_name="deals"
    )
    status = StateField(default=DealStatus.DRAFT, choices=DealStatus.choices, protected=False)

    customer_name = models.CharField("customer company", max_length=200)
    # lower-cased, punctuation and legal suffixes removed: what the trigram index holds
    customer_name_normalized = models.CharField(max_length=200, editable=False)
    customer_domain = models.CharField(
        "customer website or domain", max_length=253, help_text="e.g. example.com"
    )
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. US.")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    expected_close_date = models.DateField()
    notes = models.TextField(blank=True)
    amount = models.DecimalField(**money, default=Decimal("0"), editable=False)

    # A double click, a retried POST or a second tab carries the same key: one deal.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    protection_expires_on = models.DateField(null=True, blank=True)
    rejection_code = models.CharField(max_length=20, choices=RejectionCode.choices, blank=True)
    rejection_reason = models.TextField(blank=True)
    info_request = models.TextField(blank=True)
    vendor_sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    final_amount = models.DecimalField(**money, null=True, blank=True)
    stage_entered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager.from_queryset(DealQuerySet)()

    partner_scope = "organization"

    class Meta:
        ordering = ("-number",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "number"), name="deal_number_unique"),
            models.UniqueConstraint(
                fields=("tenant", "organization", "idempotency_key"),
                name="deal_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_ok"),
            models.CheckConstraint(
                condition=~models.Q(status=DealStatus.APPROVED)
                | models.Q(protection_expires_on__isnull=False),
                name="deal_approved_has_protection",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DealStatus.REJECTED) | ~models.Q(rejection_reason=""),
                name="deal_rejected_has_reason",
            ),
        ]
        indexes = [
            # Conflict check by customer domain.
            models.Index(fields=("tenant", "customer_domain"), name="deal_customer_domain_idx"),
            # Conflict check by similar company name: a GiST index (btree_gist lets the
            # tenant id lead it) over trigrams of the normalised name, partial on the
            # open registrations, which are the only ones a new registration is matched
            # against. GiST rather than GIN because with btree_gist the tenant equality
            # prunes whole subtrees inside the same index, and it also serves nearest
            # neighbour ordering (<->) should we rank candidates in SQL.
            GistIndex(
                fields=("tenant", "customer_name_normalized"),
                opclasses=("gist_int8_ops", "gist_trgm_ops"),
                condition=models.Q(status__in=OPEN_STATUSES),
                name="deal_open_name_trgm_idx",
            ),
            models.Index(fields=("tenant", "status", "submitted_at"), name="deal_status_idx"),
            models.Index(fields=("tenant", "organization", "-number"), name="deal_org_number_idx"),
            models.Index(
                fields=("tenant", "protection_expires_on"),
                condition=models.Q(status=DealStatus.APPROVED),
                name="deal_protection_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.customer_name}"

    @property
    def reference(self) -> str:
        return f"DR-{self.number:06d}"

    # The machine itself; services (deals.services) check rules, record and notify.
    @transition(
        field=status,
        source=(DealStatus.DRAFT, DealStatus.INFO_REQUESTED),
        target=DealStatus.SUBMITTED,
    )
    def submit(self):
        pass

    @transition(field=status, source=DealStatus.SUBMITTED, target=DealStatus.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=PENDING_STATUSES, target=DealStatus.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=DealStatus.SUBMITTED, target=DealStatus.INFO_REQUESTED)
    def request_info(self):
        pass

    @transition(field=status, source=DealStatus.APPROVED, target=DealStatus.WON)
    def win(self):
        pass

    @transition(field=status, source=DealStatus.APPROVED, target=DealStatus.LOST)
    def lose(self):
        pass

    @transition(field=status, source=DealStatus.APPROVED, target=DealStatus.EXPIRED)
    def expire(self):
        pass

    @transition(field=status, source=(DealStatus.WON, DealStatus.LOST), target=DealStatus.APPROVED)
    def reopen(self):
        pass

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def is_editable_by_partner(self) -> bool:
        return self.status in (DealStatus.DRAFT, DealStatus.INFO_REQUESTED)


class DealLine(TenantOwned):
    """A product on a deal, with its quantity and amount."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    amount = models.DecimalField(**money, validators=[MinValueValidator(Decimal("0"))])

    partner_scope = "deal__organization"
    objects = TenantManager.from_queryset(CoPartnerReadableQuerySet)()

    class Meta:
        ordering = ("product__name",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "deal", "product"), name="dealline_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="dealline_qty_ok"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="dealline_amount_ok"),
        ]
        indexes = [models.Index(fields=("tenant", "product"), name="dealline_product_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"


class DealTransition(TenantOwned):
    """A recorded change of a deal: status, stage, protection, people (who, when, why)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField(max_length=20, choices=TransitionKind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "deal__organization"
    objects = TenantManager.from_queryset(CoPartnerReadableQuerySet)()

    class Meta:
        ordering = ("created_at",)
        indexes = [
            models.Index(fields=("tenant", "deal", "created_at"), name="dealtransition_deal_idx"),
            # The analytics rollups read a window of months of a tenant's transitions
            # (rejections, active users): a range of this index, without the table.
            models.Index(
                fields=("tenant", "created_at"),
                include=("deal", "actor", "kind", "to_value"),
                name="dealtransition_time_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_value} → {self.to_value}"


class DealCommentQuerySet(CoPartnerReadableQuerySet):
    def visible_to(self, membership) -> DealCommentQuerySet:
        # Vendor-internal notes never reach partner users, whatever the deal.
        queryset = super().visible_to(membership)
        if membership is not None and not membership.is_staff_role:
            queryset = queryset.filter(is_internal=False)
        return queryset

    def readable_by(self, membership) -> DealCommentQuerySet:
        queryset = super().readable_by(membership)
        if membership is not None and not membership.is_staff_role:
            queryset = queryset.filter(is_internal=False)
        return queryset


class DealComment(TenantOwned):
    """A message on a deal's thread; internal ones are for the vendor's eyes only."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    is_internal = models.BooleanField(
        "internal note", default=False, help_text="Only the vendor's staff see internal notes."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(DealCommentQuerySet)()

    partner_scope = "deal__organization"

    class Meta:
        ordering = ("created_at",)
        indexes = [
            models.Index(fields=("tenant", "deal", "created_at"), name="dealcomment_deal_idx")
        ]

    def __str__(self) -> str:
        return f"Comment on {self.deal_id}"


@track()
class DealPartner(TenantOwned):
    """A partner taking part in a deal, with its role and share (shares total 100)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="participants")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20, choices=DealPartnerRole.choices)
    split_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    partner_scope = "deal__organization"
    objects = TenantManager.from_queryset(CoPartnerReadableQuerySet)()

    class Meta:
        ordering = ("-split_percent",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "deal", "organization"), name="dealpartner_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(split_percent__gt=0) & models.Q(split_percent__lte=100),
                name="dealpartner_split_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.split_percent}%)"


class DealConflictQuerySet(TenantQuerySet):
    def involving(self, deal) -> DealConflictQuerySet:
        """Conflicts in which `deal` (a deal or an OuterRef to one) is on either side."""
        return self.filter(models.Q(deal=deal) | models.Q(other_deal=deal))

    def open(self) -> DealConflictQuerySet:
        return self.filter(status=ConflictStatus.OPEN)


@track()
class DealConflict(TenantOwned):
    """Two open registrations that look like the same customer, and what was decided.

    `deal` is the registration whose submission found the match; `other_deal` the one it
    matched. Partners never see conflicts.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="conflicts")
    other_deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="0–1: how strongly the two registrations match.")
    domain_match = models.BooleanField(default=False)
    name_similarity = models.FloatField(default=0)
    overlapping_products = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    decision = models.CharField(max_length=20, choices=ConflictDecision.choices, blank=True)
    reason_code = models.CharField(max_length=30, choices=ConflictReasonCode.choices, blank=True)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(DealConflictQuerySet)()

    partner_scope = None

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "deal", "other_deal"), name="dealconflict_pair_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(deal=models.F("other_deal")), name="dealconflict_two_deals"
            ),
            models.CheckConstraint(
                condition=models.Q(status=ConflictStatus.OPEN)
                | (~models.Q(decision="") & ~models.Q(reason_code="")),
                name="dealconflict_resolved_has_decision",
            ),
        ]
        indexes = [
            models.Index(fields=("tenant", "status", "created_at"), name="dealconflict_status_idx"),
            models.Index(fields=("tenant", "other_deal"), name="dealconflict_other_idx"),
        ]

    def __str__(self) -> str:
        return f"Conflict {self.deal_id} / {self.other_deal_id}"


@track()
class ProtectionExtension(TenantOwned):
    """A partner's request for more protection days on an approved deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "deal__organization"

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            # One open request per deal at a time.
            models.UniqueConstraint(
                fields=("tenant", "deal"),
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_deal",
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=1) & models.Q(days__lte=365),
                name="extension_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.days} days for {self.deal_id}"


@track()
class RoutingRule(TenantOwned):
    """Which partners a lead may go to, tried in priority order (lowest number first)."""

    name = models.CharField(max_length=100)
    priority = models.PositiveIntegerField(default=100)
    countries = ArrayField(
        models.CharField(max_length=2),
        blank=True,
        default=list,
        help_text="ISO country codes of the region this rule covers; empty means anywhere.",
    )
    partner_type = models.ForeignKey(
        "partners.PartnerType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    min_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(
        max_length=20, choices=RoutingMethod.choices, default=RoutingMethod.ROUND_ROBIN
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("priority", "name")
        indexes = [models.Index(fields=("tenant", "priority"), name="routingrule_priority_idx")]

    def __str__(self) -> str:
        return self.name


@track()
class Lead(TenantOwned):
    """An opportunity the vendor hands to a partner, through routing rules or by hand."""

    customer_name = models.CharField("customer company", max_length=200)
    customer_domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="leads")
    estimated_amount = models.DecimalField(**money, default=Decimal("0"))
    expected_close_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    status = StateField(default=LeadStatus.UNASSIGNED, choices=LeadStatus.choices, protected=False)
    # The partner the lead is offered to or was accepted by: who may see it.
    assigned_organization = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    deal = models.OneToOneField(
        Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="source_lead"
    )
    # Captured by the partner's own marketing (a co-branded campaign's landing page),
    # not handed over by the vendor: it stays with that partner and counts as its own.
    partner_sourced = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    partner_scope = "assigned_organization"

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("tenant", "status", "created_at"), name="lead_status_idx"),
            models.Index(fields=("tenant", "assigned_organization"), name="lead_org_idx"),
        ]

    def __str__(self) -> str:
        return self.customer_name

    @transition(
        field=status, source=(LeadStatus.UNASSIGNED, LeadStatus.OFFERED), target=LeadStatus.OFFERED
    )
    def offer(self):
        pass

    @transition(field=status, source=LeadStatus.OFFERED, target=LeadStatus.ACCEPTED)
    def accept(self):
        pass

    @transition(
        field=status,
        source=(LeadStatus.UNASSIGNED, LeadStatus.OFFERED),
        target=LeadStatus.UNASSIGNED,
    )
    def release(self):
        pass

    @transition(
        field=status, source=(LeadStatus.UNASSIGNED, LeadStatus.OFFERED), target=LeadStatus.CLOSED
    )
    def close(self):
        pass


class LeadOffer(TenantOwned):
    """One offer of a lead to one partner, and its answer: the lead's history."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    organization = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, related_name="lead_offers"
    )
    rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)

    partner_scope = "organization"

    class Meta:
        ordering = ("offered_at",)
        constraints = [
            # A lead is offered to one partner at a time.
            models.UniqueConstraint(
                fields=("tenant", "lead"),
                condition=models.Q(status="pending"),
                name="leadoffer_one_pending",
            ),
        ]
        indexes = [
            models.Index(
                fields=("tenant", "expires_at"),
                condition=models.Q(status="pending"),
                name="leadoffer_pending_idx",
            ),
            models.Index(fields=("tenant", "rule", "offered_at"), name="leadoffer_rule_idx"),
            models.Index(fields=("tenant", "organization"), name="leadoffer_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead} → {self.organization}"


def lead_import_upload_to(instance, filename: str) -> str:
    if instance.tenant_id is None:  # the file is saved before the row: its tenant is current
        instance.tenant = require_current_tenant()
    return tenant_upload_to(instance, filename, folder="lead-imports")


class LeadImport(TenantOwned):
    """One CSV file of leads imported by a Celery job, all or nothing (progress in the
    cache while it runs); every refused row is kept with its reasons."""

    file = models.FileField(upload_to=lead_import_upload_to)
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=LeadImportStatus.choices, default=LeadImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    # Rows handled (imported or refused), stored when the import finishes.
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    # [{"row": 3, "errors": ["..."]}, ...] in file order.
    row_errors = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    # Who started it: the leads are created in their name, row by row, by the job.
    requested_by = models.ForeignKey(
        "tenancy.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.file_name or "Lead import"

    @property
    def is_finished(self) -> bool:
        return self.status in (LeadImportStatus.DONE, LeadImportStatus.FAILED)
