"""Serializers of the deals API. Ids in input resolve through the tenant's scoped
managers, so another tenant's id is "does not exist"."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from rest_framework import serializers

from deals.choices import ConflictDecision, ConflictReasonCode, RejectionCode
from deals.models import (
    Deal,
    DealComment,
    DealConflict,
    DealLine,
    DealPartner,
    Lead,
    LeadOffer,
    Motion,
    MotionStage,
    Product,
    RoutingRule,
)
from partners.models import PartnerOrganization, PartnerType, Tier
from prm.tenancy.models import Membership


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ("id", "name", "sku", "family", "list_price", "is_active")
        validators: list = []  # the SKU's case-insensitive uniqueness is product_save's


class MotionStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = MotionStage
        fields = ("id", "name", "position", "owner", "sla_days", "is_won", "is_lost")
        read_only_fields = fields


class MotionSerializer(serializers.ModelSerializer):
    stages = MotionStageSerializer(many=True, read_only=True)

    class Meta:
        model = Motion
        fields = ("id", "key", "name", "description", "default_partner_role", "is_active", "stages")
        validators: list = []


class DealLineSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = DealLine
        fields = ("product", "product_name", "quantity", "amount")


class DealParticipantSerializer(serializers.ModelSerializer):
    """A partner taking part in a multi-partner deal, its role and its split."""

    organization = serializers.PrimaryKeyRelatedField(queryset=PartnerOrganization.objects)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    split_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100")
    )

    class Meta:
        model = DealPartner
        fields = ("organization", "organization_name", "role", "split_percent")
        # Validated by the service (deal_partners_set), not per row by the model.
        validators: list = []


# DRF's formatting of the deal's dates, times and decimals (what the ModelSerializer
# builds for these model fields), made once rather than per request.
_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()
_MONEY = serializers.DecimalField(max_digits=14, decimal_places=2)
_SPLIT = serializers.DecimalField(max_digits=5, decimal_places=2)


class DealListSerializer(serializers.ListSerializer):
    """A page of deals: the rows' names, lines and participants in one flat query (by the
    page's ids, in the models' own orders), no related model instances."""

    def _known_names(self) -> dict:
        """{id: name} the request holds already: a partner's own organization, which
        the middleware loaded with the membership (most of a partner's rows are its
        own deals), so that the query reads only the other names."""
        membership = getattr(self.context.get("view"), "membership", None)
        if membership is None or membership.partner_organization_id is None:
            return {}
        if not Membership.partner_organization.is_cached(membership):
            return {}
        organization = membership.partner_organization
        return {str(organization.pk): organization.name}

    def to_representation(self, data):
        deals = list(data.all() if hasattr(data, "all") else data)
        if not deals:
            return []
        names, lines, participants = _page_parts(deals, known=self._known_names())
        child = self.child
        formats = child.formats()
        return [
            child.row(
                deal,
                organization_name=names.get(str(deal.organization_id)),
                motion_name=names.get(str(deal.motion_id)),
                stage_name=names.get(_id(deal.stage_id)),
                lines=lines.get(str(deal.pk), []),
                participants=participants.get(str(deal.pk), []),
                formats=formats,
            )
            for deal in deals
        ]


class DealSerializer(serializers.ModelSerializer):
    """A deal as both sides read it: partners get their own, and read-only the deals they
    take part in as a co-partner (`participants` says with what role and split)."""

    reference = serializers.CharField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    motion_name = serializers.CharField(source="motion.name", read_only=True)
    # Null without a stage. allow_null, not default=None: a default is skipped on partial
    # updates, which would drop the key from a PATCH response.
    stage_name = serializers.CharField(source="stage.name", read_only=True, allow_null=True)
    # Read-only fields lose the model's blank=True unless declared: say "" is an answer.
    contact_email = serializers.EmailField(read_only=True, allow_blank=True)
    rejection_code = serializers.ChoiceField(
        choices=RejectionCode.choices, allow_blank=True, read_only=True
    )
    lines = DealLineSerializer(many=True, read_only=True)
    participants = DealParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Deal
        fields = (
            "id", "number", "reference", "organization", "organization_name", "motion",
            "motion_name", "stage", "stage_name", "status", "customer_name", "customer_domain",
            "country", "contact_name", "contact_email", "contact_phone", "expected_close_date",
            "notes", "amount", "lines", "participants", "submitted_at", "approved_at",
            "protection_expires_on", "rejection_code", "rejection_reason", "info_request",
            "closed_on", "final_amount", "created_at",
        )  # fmt: skip
        read_only_fields = fields
        list_serializer_class = DealListSerializer

    # Rows are built directly instead of through DRF's per-field machinery and two
    # nested ListSerializers, and a list page fetches its rows' nested parts (names,
    # lines, participants) in one flat query each (DealListSerializer): at 50 rows that
    # machinery and the prefetch's per-row querysets and model instances were most of
    # the API lists' time against the DRF floor (bench/RESULTS.md). The output is the
    # same, field for field (tests/deals/test_lists.py compares it with the generic
    # path); the declarations above still describe it to the schema. Dates, times and
    # decimals go through DRF fields like the ones it builds for them (_DATE, ...); ids
    # are written as the JSON encoder would write them (str), which spares it a call
    # back to Python per id.
    _TEXT = (
        "status", "customer_name", "customer_domain", "country", "contact_name",
        "contact_email", "contact_phone", "notes", "rejection_code", "rejection_reason",
        "info_request",
    )  # fmt: skip
    _FORMATTED = (
        ("expected_close_date", _DATE), ("amount", _MONEY), ("submitted_at", _DATETIME),
        ("approved_at", _DATETIME), ("protection_expires_on", _DATE), ("closed_on", _DATE),
        ("final_amount", _MONEY), ("created_at", _DATETIME),
    )  # fmt: skip

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The deal's fields a row reads (for `.only()`): the rest are not read at all."""
        return (
            "number", "organization", "motion", "stage", *cls._TEXT,
            *(name for name, _field in cls._FORMATTED),
        )  # fmt: skip

    @classmethod
    def formats(cls) -> tuple:
        """`_FORMATTED` for this request: the date-times' field is told the current time
        zone once, as DRF's DateTimeField would look it up for every value (the same
        zone, so the same text)."""
        zone = _DATETIME.default_timezone()
        if zone is None:
            return cls._FORMATTED
        moment = serializers.DateTimeField(default_timezone=zone)
        return tuple(
            (name, moment if field is _DATETIME else field) for name, field in cls._FORMATTED
        )

    def to_representation(self, instance):
        stage = instance.stage
        return self.row(
            instance,
            organization_name=instance.organization.name,
            motion_name=instance.motion.name,
            stage_name=None if stage is None else stage.name,
            lines=[
                (line.product_id, line.product.name, line.quantity, line.amount)
                for line in instance.lines.all()
            ],
            participants=[
                (part.organization_id, part.organization.name, part.role, part.split_percent)
                for part in instance.participants.all()
            ],
        )

    def row(
        self,
        instance,
        *,
        organization_name: str,
        motion_name: str,
        stage_name: str | None,
        lines: list[tuple],
        participants: list[tuple],
        formats: tuple | None = None,
    ) -> dict:
        formatted = {}
        for name, field in formats or self.formats():
            value = getattr(instance, name)
            formatted[name] = None if value is None else field.to_representation(value)
        text = {name: _text(getattr(instance, name)) for name in self._TEXT}
        line_amount = _MONEY
        split = _SPLIT
        return {
            "id": str(instance.pk),
            "number": instance.number,
            "reference": instance.reference,
            "organization": _id(instance.organization_id),
            "organization_name": organization_name,
            "motion": _id(instance.motion_id),
            "motion_name": motion_name,
            "stage": _id(instance.stage_id),
            "stage_name": stage_name,
            "status": text["status"],
            "customer_name": text["customer_name"],
            "customer_domain": text["customer_domain"],
            "country": text["country"],
            "contact_name": text["contact_name"],
            "contact_email": text["contact_email"],
            "contact_phone": text["contact_phone"],
            "expected_close_date": formatted["expected_close_date"],
            "notes": text["notes"],
            "amount": formatted["amount"],
            "lines": [
                {
                    "product": _id(product_id),
                    "product_name": product_name,
                    "quantity": quantity,
                    "amount": line_amount.to_representation(amount),
                }
                for product_id, product_name, quantity, amount in lines
            ],
            "participants": [
                {
                    "organization": _id(organization_id),
                    "organization_name": name,
                    "role": role,
                    "split_percent": split.to_representation(split_percent),
                }
                for organization_id, name, role, split_percent in participants
            ],
            "submitted_at": formatted["submitted_at"],
            "approved_at": formatted["approved_at"],
            "protection_expires_on": formatted["protection_expires_on"],
            "rejection_code": text["rejection_code"],
            "rejection_reason": text["rejection_reason"],
            "info_request": text["info_request"],
            "closed_on": formatted["closed_on"],
            "final_amount": formatted["final_amount"],
            "created_at": formatted["created_at"],
        }


# One branch of `_page_parts`' UNION per read: (kind, deal, key, name, role, quantity,
# amount, sort), typed NULLs where a read has no such column (in a chain of UNIONs an
# untyped NULL would be taken for text). Ids come as text: what the JSON has, without
# the driver making a UUID of each (a third of the query's time).
_NAME_ROW = (
    "SELECT 'name', NULL::text, t.pk::text, t.name, NULL::varchar, NULL::integer,"
    " NULL::numeric, NULL::varchar FROM ({}) t(pk, name)"
)
_LINE_ROW = (
    "SELECT 'line', t.deal::text, t.product::text, t.name, NULL::varchar, t.quantity,"
    " t.amount, t.name FROM ({}) t(deal, product, name, quantity, amount)"
)
_PARTNER_ROW = (
    "SELECT 'partner', t.deal::text, t.organization::text, t.name, t.role, NULL::integer,"
    " t.split, NULL::varchar FROM ({}) t(deal, organization, name, role, split)"
)


def _page_parts(deals: list, known: dict | None = None) -> tuple[dict, dict, dict]:
    """A page's names ({pk: name} of its partners, motions and stages), lines and
    participants ({deal id: [tuples]}), keyed and with ids as text (str of the UUID), in
    one round trip: the five reads by the page's
    ids, each written by its scoped manager, as the branches of one UNION ALL. Lines
    come by product name, participants by split, largest first (the models' orders, as
    the nested serializers read them): sorted by kind, the lines' product name, then
    the split. One query instead of three saved about a millisecond a page; the same
    union built with the ORM's annotations cost more to compile than it saved. Names
    the caller knows already (`known`, {id text: name}) are not read."""
    known = known or {}
    ids = [deal.pk for deal in deals]
    branches = []
    for model, keys in (
        (PartnerOrganization, {deal.organization_id for deal in deals}),
        (Motion, {deal.motion_id for deal in deals}),
        (MotionStage, {deal.stage_id for deal in deals} - {None}),
    ):
        wanted = [key for key in keys if str(key) not in known]
        if wanted:
            branches.append(
                (_NAME_ROW, model.objects.filter(pk__in=wanted).values_list("pk", "name"))
            )
    branches.append(
        (
            _LINE_ROW,
            DealLine.objects.filter(deal_id__in=ids).values_list(
                "deal_id", "product_id", "product__name", "quantity", "amount"
            ),
        )
    )
    branches.append(
        (
            _PARTNER_ROW,
            DealPartner.objects.filter(deal_id__in=ids).values_list(
                "deal_id", "organization_id", "organization__name", "role", "split_percent"
            ),
        )
    )
    parts, params = [], []
    for template, queryset in branches:
        sql, branch_params = queryset.order_by().query.sql_with_params()
        parts.append("(" + template.replace("{}", sql, 1) + ")")
        params.extend(branch_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 8, 7 DESC", params)
        rows = cursor.fetchall()
    names: dict = dict(known)
    lines: dict = {}
    participants: dict = {}
    for kind, deal_id, key, name, role, quantity, amount, _sort in rows:
        if kind == "name":
            names[key] = name
        elif kind == "line":
            lines.setdefault(deal_id, []).append((key, name, quantity, amount))
        else:
            participants.setdefault(deal_id, []).append((key, name, role, amount))
    return names, lines, participants


def _id(value):
    """A primary key as the JSON encoder writes a UUID (str); None kept."""
    return None if value is None else str(value)


def _text(value):
    """What a DRF CharField or ChoiceField gives for a model's text: str, None kept."""
    return None if value is None else str(value)


class DealLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects)
    quantity = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class DealCreateSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(max_length=253)
    country = serializers.CharField(max_length=2, min_length=2)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    expected_close_date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)
    motion = serializers.PrimaryKeyRelatedField(queryset=Motion.objects)
    lines = DealLineInputSerializer(many=True, allow_empty=False)
    submit = serializers.BooleanField(default=False, help_text="Submit at once (else a draft).")


class DealRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    code = serializers.ChoiceField(
        choices=[c for c in RejectionCode.choices if c[0] != RejectionCode.CONFLICT],
        default=RejectionCode.OTHER,
    )


class DealInfoRequestSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000)


class DealExtendSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365)
    reason = serializers.CharField(max_length=1000)


class DealStageChangeSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=MotionStage.objects)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DealReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DealCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("won", "Won"), ("lost", "Lost")])
    closed_on = serializers.DateField()
    final_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class DealCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True, default="")

    class Meta:
        model = DealComment
        fields = ("id", "body", "is_internal", "author_name", "created_at")
        read_only_fields = ("id", "author_name", "created_at")


class ConflictSerializer(serializers.ModelSerializer):
    deal_reference = serializers.CharField(source="deal.reference", read_only=True)
    other_deal_reference = serializers.CharField(source="other_deal.reference", read_only=True)
    # Empty until a channel manager decides.
    decision = serializers.ChoiceField(
        choices=ConflictDecision.choices, allow_blank=True, read_only=True
    )
    reason_code = serializers.ChoiceField(
        choices=ConflictReasonCode.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = DealConflict
        fields = (
            "id", "deal", "deal_reference", "other_deal", "other_deal_reference", "score",
            "domain_match", "name_similarity", "overlapping_products", "reasons", "status",
            "decision", "reason_code", "decision_note", "decided_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class ConflictResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ConflictDecision.choices)
    reason_code = serializers.ChoiceField(choices=ConflictReasonCode.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class LeadOfferSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadOffer
        fields = ("id", "status", "offered_at", "expires_at", "answered_at", "reason")
        read_only_fields = fields


class LeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = (
            "id", "customer_name", "customer_domain", "country", "contact_name",
            "contact_email", "product", "motion", "estimated_amount", "expected_close_date",
            "notes", "status", "assigned_organization", "deal", "created_at",
        )  # fmt: skip
        read_only_fields = ("id", "status", "assigned_organization", "deal", "created_at")


class LeadDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class LeadAssignSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=PartnerOrganization.objects.filter(is_active=True)
    )


class RoutingRuleSerializer(serializers.ModelSerializer):
    """A lead routing rule: the leads it covers (countries, product) and the partners it
    offers them to (type, minimum tier), tried by priority, lowest first."""

    countries = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        help_text="ISO two-letter country codes of the region; empty means anywhere.",
    )
    partner_type = serializers.PrimaryKeyRelatedField(
        queryset=PartnerType.objects, allow_null=True, required=False
    )
    min_tier = serializers.PrimaryKeyRelatedField(
        queryset=Tier.objects, allow_null=True, required=False
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects, allow_null=True, required=False
    )

    class Meta:
        model = RoutingRule
        fields = (
            "id",
            "name",
            "priority",
            "countries",
            "partner_type",
            "min_tier",
            "product",
            "method",
            "is_active",
        )
