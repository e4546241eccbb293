"""Serializers of the analytics API."""

from __future__ import annotations

from rest_framework import serializers

from analytics.metrics import METRIC_NAMES
from analytics.models import HealthScore, MonthlyMetrics, TierProposal


class MonthlyMetricsSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="organization_id", allow_null=True)

    class Meta:
        model = MonthlyMetrics
        fields = ("id", "organization", "month", *METRIC_NAMES, "computed_at")


class HealthScoreSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")

    class Meta:
        model = HealthScore
        fields = (
            "id",
            "organization",
            "organization_name",
            "score",
            "previous_score",
            "at_risk",
            "flagged_on",
            "components",
            "computed_at",
        )


class TierProposalSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    from_tier = serializers.CharField(source="from_tier.name", allow_null=True, default=None)
    to_tier = serializers.CharField(source="to_tier.name", allow_null=True, default=None)

    class Meta:
        model = TierProposal
        fields = (
            "id",
            "organization",
            "organization_name",
            "from_tier",
            "to_tier",
            "direction",
            "status",
            "evidence",
            "effective_on",
            "decision_reason",
            "decided_at",
            "created_at",
        )


class TierProposalDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class KpiSerializer(serializers.Serializer):
    label = serializers.CharField()
    now = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    before = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    trend = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    organization = serializers.UUIDField()
    as_of = serializers.DateTimeField(allow_null=True)
    kpis = KpiSerializer(many=True)
    health = HealthScoreSerializer(allow_null=True)
