"""Serializers of the incentives API. Amounts are strings of Decimals (never floats);
ids in input resolve through the tenant's scoped managers."""

from __future__ import annotations

import uuid
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incentives.models import (
    ClaimProof,
    Fund,
    FundAllocation,
    FundClaim,
    FundRequest,
    IncentiveProgram,
    LedgerAccount,
    LedgerEntry,
    PayoutBatch,
    PayoutLine,
    RebateBand,
    Statement,
)
from incentives.providers import fund_request_links
from incentives.selectors import fund_request_link_items
from partners.models import PartnerOrganization

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


class RebateBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = RebateBand
        fields = ("from_amount", "rate_percent")


class ProgramSerializer(serializers.ModelSerializer):
    bands = RebateBandSerializer(many=True, required=False)

    class Meta:
        model = IncentiveProgram
        fields = (
            "id",
            "name",
            "kind",
            "description",
            "currency",
            "starts_on",
            "ends_on",
            "period_unit",
            "partner_type_ids",
            "motion_ids",
            "product_ids",
            "min_tier",
            "requires_agreement",
            "amount_per_deal",
            "cap_per_period",
            "rate_percent",
            "is_active",
            "bands",
        )
        validators: list = []  # the name's uniqueness is checked by the database


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerAccount
        fields = ("id", "organization", "kind", "currency", "balance", "entry_count")
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = (
            "id",
            "organization",
            "kind",
            "currency",
            "amount",
            "running_balance",
            "cause",
            "description",
            "program",
            "deal",
            "claim",
            "statement",
            "batch",
            "period_start",
            "reverses",
            "created_at",
        )
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Statement
        fields = (
            "id",
            "organization",
            "organization_name",
            "currency",
            "period_unit",
            "period_start",
            "period_end",
            "opening_balance",
            "credits",
            "debits",
            "closing_balance",
            "amount_due",
            "entry_count",
            "status",
            "approved_at",
        )
        read_only_fields = fields


class PayoutLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = PayoutLine
        fields = ("id", "organization", "statement", "claim", "amount", "currency")
        read_only_fields = fields


class PayoutBatchSerializer(serializers.ModelSerializer):
    lines = PayoutLineSerializer(many=True, read_only=True)

    class Meta:
        model = PayoutBatch
        fields = (
            "id",
            "reference",
            "currency",
            "total",
            "status",
            "created_at",
            "paid_at",
            "payment_reference",
            "lines",
        )
        read_only_fields = fields


class PayoutBatchCreateSerializer(serializers.Serializer):
    statements = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    claims = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)


class MarkPaidSerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=100, required=False, default="")


class FundBudgetSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = Fund
        fields = ("id", "name", "currency", "amount", "starts_on", "ends_on", "allocated")
        read_only_fields = ("allocated",)
        validators: list = []


class AllocationSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY)
    fund = serializers.PrimaryKeyRelatedField(queryset=Fund.objects.none())
    organization = serializers.PrimaryKeyRelatedField(queryset=PartnerOrganization.objects.none())
    available = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = FundAllocation
        fields = ("id", "fund", "organization", "amount", "committed", "available", "source")
        read_only_fields = ("committed", "source")
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context and not getattr(
            self.context.get("view"), "swagger_fake_view", False
        ):
            self.fields["fund"].queryset = Fund.objects.all()
            self.fields["organization"].queryset = PartnerOrganization.objects.all()


@extend_schema_field({"type": "string", "nullable": True})
class FundRequestLinkField(serializers.Field):
    """A registered link of a fund request (incentives.providers.fund_request_links): the
    id of the row it names, written on create (checked by the submit service: another
    partner's or tenant's id is a 400 on this field), read back (null: none)."""

    def __init__(self, link, **kwargs):
        self.link = link
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(label=link.label, help_text=link.help_text, **kwargs)

    def get_attribute(self, instance):
        return instance  # what it names comes from the link, not from a column

    def to_representation(self, value):
        item = self.parent.link_items(value).get(self.link.name)
        return item.value if item else None

    def to_internal_value(self, data):
        if not isinstance(data, str | uuid.UUID):
            raise serializers.ValidationError("Give the id as a string.")
        return str(data).strip()


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class FundRequestLinkLabelField(FundRequestLinkField):
    """What the link names, in words (e.g. the campaign's name)."""

    def __init__(self, link, **kwargs):
        super().__init__(link, read_only=True, **kwargs)

    def to_representation(self, value):
        item = self.parent.link_items(value).get(self.link.name)
        return item.label if item else None


class FundRequestSerializer(serializers.ModelSerializer):
    planned_spend = serializers.DecimalField(**MONEY)
    allocation = serializers.PrimaryKeyRelatedField(queryset=FundAllocation.objects.none())

    class Meta:
        model = FundRequest
        fields = (
            "id",
            "allocation",
            "organization",
            "title",
            "activity_type",
            "description",
            "starts_on",
            "ends_on",
            "planned_spend",
            "expected_leads",
            "expected_pipeline",
            "status",
            "approved_amount",
            "decision_reason",
            "decided_at",
            "claim_due_on",
            "created_at",
        )
        read_only_fields = (
            "organization",
            "status",
            "approved_amount",
            "decision_reason",
            "decided_at",
            "claim_due_on",
            "created_at",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        view = self.context.get("view")
        if view is not None and not getattr(view, "swagger_fake_view", False):
            self.fields["allocation"].queryset = FundAllocation.objects.visible_to(view.membership)
        for link in fund_request_links:  # e.g. "campaign" and "campaign_name" (marketing)
            self.fields[link.name] = FundRequestLinkField(link)
            self.fields[f"{link.name}_name"] = FundRequestLinkLabelField(link)

    def link_items(self, instance) -> dict:
        """What `instance` names, by link; computed once for the whole page of a list."""
        cache = self.context.setdefault("fund_request_links", {}) if self.context else {}
        if instance.pk not in cache:
            batch = [instance]
            parent = self.parent
            if isinstance(parent, serializers.ListSerializer) and parent.instance is not None:
                batch = list(parent.instance)
            cache.update(fund_request_link_items(batch))
            if instance.pk not in cache:
                return fund_request_link_items([instance]).get(instance.pk, {})
        return cache[instance.pk]


class DecisionSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ProofSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimProof
        fields = ("id", "original_name", "content_type", "size", "created_at")
        read_only_fields = fields


class FundClaimSerializer(serializers.ModelSerializer):
    proofs = ProofSerializer(many=True, read_only=True)

    class Meta:
        model = FundClaim
        fields = (
            "id",
            "request",
            "organization",
            "amount",
            "currency",
            "notes",
            "leads_generated",
            "status",
            "approved_amount",
            "decision_reason",
            "created_at",
            "proofs",
        )
        read_only_fields = fields


class FundClaimCreateSerializer(serializers.Serializer):
    request = serializers.UUIDField()
    amount = serializers.DecimalField(**MONEY)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    leads_generated = serializers.IntegerField(min_value=0, required=False, default=0)
    proofs = serializers.ListField(child=serializers.FileField(), allow_empty=False)
