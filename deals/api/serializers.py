"""Serializers of the deals API. Ids in input resolve through the tenant's scoped
managers, so another tenant's id is "does not exist"."""

from __future__ import annotations

from decimal import Decimal

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
