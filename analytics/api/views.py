"""Rollups, health scores, tier proposals and scorecards over the API.

Monthly figures: staff read every partner's and the program's; a partner reads its own.
Health, proposals and scorecards are for staff; deciding a proposal calls the same
service as the page.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from analytics import filtersets, scorecards, services
from analytics.models import HealthScore, MonthlyMetrics, TierProposal
from partners.models import PartnerOrganization
from prm.api.permissions import IsTenantMember, RolesPerAction
from prm.api.views import STAFF_ROLES, TenantScopedReadOnlyViewSet

from . import serializers


class MonthlyMetricsViewSet(TenantScopedReadOnlyViewSet):
    model = MonthlyMetrics
    serializer_class = serializers.MonthlyMetricsSerializer
    filterset_class = filtersets.MonthlyMetricsFilterSet
    ordering_fields = ("month", "won_revenue", "open_pipeline")

    def get_queryset(self):
        return super().get_queryset().order_by("-month", "organization_id")


class HealthScoreViewSet(TenantScopedReadOnlyViewSet):
    model = HealthScore
    allowed_roles = STAFF_ROLES
    serializer_class = serializers.HealthScoreSerializer
    filterset_class = filtersets.HealthScoreFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("organization").order_by("score")


class TierProposalViewSet(TenantScopedReadOnlyViewSet):
    model = TierProposal
    allowed_roles = STAFF_ROLES
    permission_classes = [IsTenantMember, RolesPerAction]
    action_roles = {"approve": STAFF_ROLES, "reject": STAFF_ROLES}
    serializer_class = serializers.TierProposalSerializer
    filterset_class = filtersets.TierProposalFilterSet

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("organization", "from_tier", "to_tier")
            .order_by("-created_at")
        )

    def _decide(self, request, approve: bool):
        proposal = self.get_object()
        body = serializers.TierProposalDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data.get("reason", "")
        membership = self.membership
        if approve:
            services.tier_proposal_approve(
                proposal=proposal, acting_membership=membership, reason=reason
            )
        else:
            services.tier_proposal_reject(
                proposal=proposal, acting_membership=membership, reason=reason
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(
        request=serializers.TierProposalDecisionSerializer,
        responses=serializers.TierProposalSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(
        request=serializers.TierProposalDecisionSerializer,
        responses=serializers.TierProposalSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, approve=False)


class ScorecardViewSet(TenantScopedReadOnlyViewSet):
    """`GET /scorecards/<partner id>/`: KPIs against the previous 12 months and health."""

    model = PartnerOrganization
    allowed_roles = STAFF_ROLES
    serializer_class = serializers.ScorecardSerializer
    http_method_names = ["get", "head", "options"]

    def list(self, request, *args, **kwargs):
        from rest_framework.exceptions import NotFound

        raise NotFound("Ask for one partner's scorecard: /scorecards/<partner id>/.")

    def retrieve(self, request, *args, **kwargs):
        organization = self.get_object()
        card = scorecards.scorecard(organization=organization)
        data = {
            "organization": organization.pk,
            "as_of": card["as_of"],
            "kpis": [
                {"label": k.label, "now": k.now, "before": k.before, "trend": k.trend}
                for k in card["kpis"]
            ],
            "health": HealthScore.objects.filter(organization=organization)
            .select_related("organization")
            .first(),
        }
        return Response(self.get_serializer(data).data)
