"""The partner program over the API. Reads are scoped by role (partners see their own
organization and the program's catalogue); writes are for staff, and the program's
set-up for admins. Actions call the same services as the pages."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from partners import filtersets, models, selectors, services
from prm.api.permissions import IsTenantMember, RolesPerAction
from prm.api.views import STAFF_ROLES, TenantScopedModelViewSet, TenantScopedReadOnlyViewSet
from prm.tenancy.choices import PARTNER_ADMIN_ONLY, Role

from . import serializers


class ProgramViewSet(TenantScopedModelViewSet):
    """The program's set-up: staff read it, admins change it. Partners read their own
    tier and benefits through their organization and the portal."""

    allowed_roles = STAFF_ROLES
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = frozenset({Role.ADMIN})


class PartnerTypeViewSet(ProgramViewSet):
    model = models.PartnerType
    serializer_class = serializers.PartnerTypeSerializer
    search_fields = ("name", "key")


class TierViewSet(ProgramViewSet):
    model = models.Tier
    serializer_class = serializers.TierSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_queryset()
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "benefit_values", queryset=models.TierBenefit.objects.select_related("benefit")
                )
            )
        )


class BenefitViewSet(ProgramViewSet):
    model = models.Benefit
    serializer_class = serializers.BenefitSerializer


class PartnerOrganizationViewSet(TenantScopedModelViewSet):
    """Partners read their own organization; staff read and write all of them."""

    model = models.PartnerOrganization
    serializer_class = serializers.PartnerOrganizationSerializer
    filterset_class = filtersets.PartnerOrganizationFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering_fields = ("name", "created_at", "last_activity_at")

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return selectors.organizations_with_gate(
            queryset=queryset.select_related("tier", "partner_type", "channel_manager")
        )

    def perform_update(self, serializer):
        # Through the same service as the profile page, so an update that completes the
        # profile also completes its onboarding task.
        serializer.instance = services.partner_profile_update(
            organization=serializer.instance,
            acting_membership=self.membership,
            data=serializer.validated_data,
        )

    @extend_schema(
        request=serializers.TransitionSerializer,
        responses=serializers.PartnerOrganizationSerializer,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the partner along its lifecycle (offboarding needs a reason)."""
        organization = self.get_object()
        body = serializers.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.partner_transition(
            organization=organization,
            target=body.validated_data["lifecycle_stage"],
            acting_membership=self.membership,
            reason=body.validated_data["reason"],
        )
        return Response(self.get_serializer(self.get_object()).data)  # fresh annotations

    @extend_schema(
        request=serializers.TierChangeSerializer,
        responses=serializers.PartnerOrganizationSerializer,
    )
    @action(detail=True, methods=["post"], url_path="change-tier")
    def change_tier(self, request, pk=None):
        """Change the partner's tier by hand, with a reason."""
        organization = self.get_object()
        body = serializers.TierChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.partner_tier_change(
            organization=organization,
            tier=body.validated_data["tier"],
            acting_membership=self.membership,
            reason=body.validated_data["reason"],
        )
        return Response(self.get_serializer(self.get_object()).data)  # fresh annotations


class ApplicationViewSet(TenantScopedReadOnlyViewSet):
    """Applications to review (staff). New applications come from the public form."""

    model = models.PartnerApplication
    serializer_class = serializers.ApplicationSerializer
    filterset_class = filtersets.ApplicationFilterSet
    allowed_roles = STAFF_ROLES

    @extend_schema(
        request=serializers.ApproveSerializer, responses=serializers.PartnerOrganizationSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        application = self.get_object()
        body = serializers.ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organization = services.application_approve(
            application=application, acting_membership=self.membership, **body.validated_data
        )
        return Response(
            serializers.PartnerOrganizationSerializer(organization).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=serializers.ReasonSerializer, responses=serializers.ApplicationSerializer
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        application = self.get_object()
        body = serializers.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.application_reject(
            application=application,
            acting_membership=self.membership,
            reason=body.validated_data["reason"],
        )
        return Response(self.get_serializer(application).data)


class AgreementViewSet(TenantScopedModelViewSet):
    """Agreement versions: partners read them (and accept); admins draft and publish."""

    model = models.Agreement
    serializer_class = serializers.AgreementSerializer
    filterset_class = filtersets.AgreementFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = frozenset({Role.ADMIN})
    # Accepting is checked after the lookup, so a foreign id answers 404 before any 403.
    action_roles = {"accept": PARTNER_ADMIN_ONLY}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        queryset = selectors.agreements_with_current(queryset=queryset)
        membership = self.membership
        if membership.is_partner:
            # Partners see the published versions of their own partner type.
            queryset = queryset.filter(
                published_at__isnull=False,
                partner_type_id=membership.partner_organization.partner_type_id,
            )
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.agreement_create(**serializer.validated_data)

    @extend_schema(request=None, responses=serializers.AgreementSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        agreement = self.get_object()
        services.agreement_publish(agreement=agreement, acting_membership=self.membership)
        return Response(self.get_serializer(self.get_object()).data)  # fresh annotations

    @extend_schema(request=None, responses=serializers.AgreementAcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The partner admin accepts this (current) version for its organization."""
        agreement = self.get_object()
        membership = self.membership
        acceptance = services.agreement_accept(
            organization=membership.partner_organization,
            acting_membership=membership,
            agreement=agreement,
        )
        return Response(
            serializers.AgreementAcceptanceSerializer(acceptance).data,
            status=status.HTTP_201_CREATED,
        )


class AgreementAcceptanceViewSet(TenantScopedReadOnlyViewSet):
    model = models.AgreementAcceptance
    serializer_class = serializers.AgreementAcceptanceSerializer


class TouchpointViewSet(TenantScopedModelViewSet):
    """The vendor's touchpoints with partners (staff only)."""

    model = models.Touchpoint
    serializer_class = serializers.TouchpointSerializer
    filterset_class = filtersets.TouchpointFilterSet
    allowed_roles = STAFF_ROLES

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.touchpoint_create(
            organization=data.pop("organization"), acting_membership=self.membership, **data
        )


class BusinessPlanViewSet(TenantScopedModelViewSet):
    """Joint business plans: the partner reads its own; staff write."""

    model = models.BusinessPlan
    serializer_class = serializers.BusinessPlanSerializer
    filterset_class = filtersets.BusinessPlanFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES

    def get_queryset(self):
        return super().get_queryset().prefetch_related("goals")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.business_plan_create(
            organization=data.pop("organization"), acting_membership=self.membership, **data
        )


class BusinessPlanGoalViewSet(TenantScopedModelViewSet):
    model = models.BusinessPlanGoal
    serializer_class = serializers.GoalSerializer
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = STAFF_ROLES

    def _save(self, serializer):
        # The goal's rules live in the service, as on the plan page.
        goal = serializer.instance or models.BusinessPlanGoal()
        for field, value in serializer.validated_data.items():
            setattr(goal, field, value)
        serializer.instance = services.business_plan_goal_save(goal=goal)

    perform_create = _save
    perform_update = _save


class ServiceSavedProgramViewSet(ProgramViewSet):
    """Program set-up whose writes go through services (the console's forms use them
    too): `save_service(<service_arg>=..., acting_membership=...)`, `delete_service`."""

    service_arg = ""
    save_service = None
    delete_service = None

    def _save(self, serializer):
        row = serializer.instance or self.model()
        for field, value in serializer.validated_data.items():
            setattr(row, field, value)
        serializer.instance = type(self).save_service(
            **{self.service_arg: row}, acting_membership=self.request._request.membership
        )

    perform_create = _save
    perform_update = _save

    def perform_destroy(self, instance):
        type(self).delete_service(
            **{self.service_arg: instance}, acting_membership=self.request._request.membership
        )


class OnboardingPlanViewSet(ServiceSavedProgramViewSet):
    """Onboarding plans (one per partner type) with their tasks in order. Deleting a plan
    partners are already working through answers 409."""

    model = models.OnboardingPlan
    serializer_class = serializers.OnboardingPlanSerializer
    service_arg = "plan"
    save_service = services.onboarding_plan_save
    delete_service = services.onboarding_plan_delete

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("partner_type")
            .prefetch_related(
                Prefetch("tasks", queryset=models.OnboardingTask.objects.order_by("position"))
            )
            .order_by("partner_type__name", "id")
        )


class OnboardingTaskViewSet(ServiceSavedProgramViewSet):
    """The steps of onboarding plans (`?plan=` for one plan's). Deleting a step partners
    already have on their checklist answers 409."""

    model = models.OnboardingTask
    serializer_class = serializers.OnboardingTaskSerializer
    filterset_fields = ("plan",)
    service_arg = "task"
    save_service = services.onboarding_task_save
    delete_service = services.onboarding_task_delete

    def get_queryset(self):
        return super().get_queryset().order_by("plan_id", "position", "id")


class EngagementCadenceViewSet(ServiceSavedProgramViewSet):
    """How often each tier's partners get each kind of touchpoint."""

    model = models.EngagementCadence
    serializer_class = serializers.EngagementCadenceSerializer
    filterset_fields = ("tier", "kind")
    service_arg = "cadence"
    save_service = services.cadence_save
    delete_service = services.cadence_delete

    def get_queryset(self):
        return super().get_queryset().select_related("tier").order_by("tier__rank", "kind", "id")
