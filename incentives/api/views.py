"""The incentives API: the same services as the pages, one error shape, roles per action."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from incentives import services
from incentives.models import (
    Fund,
    FundAllocation,
    FundClaim,
    FundRequest,
    IncentiveProgram,
    LedgerAccount,
    LedgerEntry,
    PayoutBatch,
    Statement,
)
from incentives.providers import fund_request_links
from prm.api.permissions import IsTenantMember, RolesPerAction
from prm.api.views import STAFF_ROLES, TenantScopedViewSetMixin
from prm.tenancy.choices import Role

from . import serializers

PARTNER = frozenset({Role.PARTNER})
ADMIN = frozenset({Role.ADMIN})


class Base(TenantScopedViewSetMixin, viewsets.GenericViewSet):
    permission_classes = [IsTenantMember, RolesPerAction]

    def _fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class ProgramViewSet(
    Base,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Incentive programs: every member lists them; one program's page, and changes, are
    for staff (admins change them)."""

    model = IncentiveProgram
    serializer_class = serializers.ProgramSerializer
    write_roles = ADMIN

    def get_queryset(self):
        queryset = super().get_queryset().prefetch_related("bands").order_by("name")
        if self._fake():
            return queryset
        if self.detail and not self.membership.is_staff_role:
            return queryset.none()
        return queryset

    def _save(self, serializer, program):
        data = dict(serializer.validated_data)
        bands = data.pop("bands", None)
        for key, value in data.items():
            setattr(program, key, value)
        band_inputs = (
            [services.BandInput(b["from_amount"], b["rate_percent"]) for b in bands]
            if bands is not None
            else None
        )
        serializer.instance = services.program_save(program=program, bands=band_inputs)

    def perform_create(self, serializer):
        self._save(serializer, IncentiveProgram())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class AccountViewSet(Base, mixins.ListModelMixin):
    """Ledger accounts with their running balances (partners: their own)."""

    model = LedgerAccount
    serializer_class = serializers.AccountSerializer

    def get_queryset(self):
        return super().get_queryset().order_by("organization_id", "kind", "currency")


class EntryViewSet(Base, mixins.ListModelMixin):
    """Ledger entries, newest first (partners: their own); filter with ?kind=."""

    model = LedgerEntry
    serializer_class = serializers.EntrySerializer
    filterset_fields = ("kind", "cause", "organization", "currency")

    def get_queryset(self):
        return super().get_queryset().order_by("-created_at", "-id")


class StatementViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Statements (partners: their own, once approved); staff approve and release them."""

    model = Statement
    serializer_class = serializers.StatementSerializer
    action_roles = {"approve": STAFF_ROLES, "release": STAFF_ROLES}

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("organization")
            .order_by("-period_start", "organization__name")
        )
        if not self._fake() and not self.membership.is_staff_role:
            queryset = queryset.exclude(status="draft")
        return queryset

    @extend_schema(request=None, responses=serializers.StatementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        statement = services.statement_approve(
            statement=self.get_object(), acting_membership=self.membership
        )
        return Response(self.get_serializer(statement).data)

    @extend_schema(request=None, responses=serializers.StatementSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        statement = services.statement_release(
            statement=self.get_object(), acting_membership=self.membership
        )
        return Response(self.get_serializer(statement).data)


class PayoutBatchViewSet(
    Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Payout batches (staff): create from payables, mark paid once."""

    model = PayoutBatch
    serializer_class = serializers.PayoutBatchSerializer
    allowed_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lines").order_by("-created_at")

    @extend_schema(
        request=serializers.PayoutBatchCreateSerializer,
        responses={201: serializers.PayoutBatchSerializer},
    )
    def create(self, request, *args, **kwargs):
        payload = serializers.PayoutBatchCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = services.payout_batch_create(
            acting_membership=self.membership,
            statement_ids=payload.validated_data["statements"],
            claim_ids=payload.validated_data["claims"],
        )
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.MarkPaidSerializer, responses=serializers.PayoutBatchSerializer
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        batch = self.get_object()  # 404 for another tenant's id, before reading the body
        payload = serializers.MarkPaidSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = services.payout_batch_mark_paid(
            batch=batch,
            acting_membership=self.membership,
            payment_reference=payload.validated_data["payment_reference"],
        )
        return Response(self.get_serializer(batch).data)


class FundViewSet(Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Fund budgets (staff read them, admins create them)."""

    model = Fund
    serializer_class = serializers.FundBudgetSerializer
    allowed_roles = STAFF_ROLES
    write_roles = ADMIN

    def get_queryset(self):
        return super().get_queryset().order_by("-starts_on", "name")

    def perform_create(self, serializer):
        serializer.instance = services.fund_save(fund=Fund(**serializer.validated_data))


class AllocationViewSet(
    Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Allocations (partners: their own); admins allocate (or change an allocation)."""

    model = FundAllocation
    serializer_class = serializers.AllocationSerializer
    write_roles = ADMIN

    def get_queryset(self):
        return super().get_queryset().select_related("fund").order_by("-created_at")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.allocation_set(
            fund=data["fund"],
            organization=data["organization"],
            amount=data["amount"],
            acting_membership=self.membership,
        )


class FundRequestViewSet(
    Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Fund requests: partners submit against their allocation; staff decide."""

    model = FundRequest
    serializer_class = serializers.FundRequestSerializer
    write_roles = PARTNER
    action_roles = {"approve": STAFF_ROLES, "reject": STAFF_ROLES}

    def get_queryset(self):
        return super().get_queryset().select_related("allocation__fund").order_by("-created_at")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        allocation = data.pop("allocation")
        links = {link.name: data.pop(link.name, None) for link in fund_request_links}
        serializer.instance = services.fund_request_submit(
            acting_membership=self.membership,
            allocation=allocation,
            data=services.RequestInput(**data, links=links),
        )

    @extend_schema(
        request=serializers.DecisionSerializer, responses=serializers.FundRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        obj = self.get_object()  # 404 for another tenant's id, before reading the body
        payload = serializers.DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fund_request = services.fund_request_approve(
            request=obj,
            acting_membership=self.membership,
            amount=payload.validated_data.get("amount"),
            reason=payload.validated_data.get("reason", ""),
        )
        return Response(self.get_serializer(fund_request).data)

    @extend_schema(
        request=serializers.RejectSerializer, responses=serializers.FundRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        obj = self.get_object()  # 404 for another tenant's id, before reading the body
        payload = serializers.RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fund_request = services.fund_request_reject(
            request=obj,
            acting_membership=self.membership,
            reason=payload.validated_data["reason"],
        )
        return Response(self.get_serializer(fund_request).data)


class FundClaimViewSet(
    Base, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Fund claims with proof files (multipart): partners submit, staff decide."""

    model = FundClaim
    serializer_class = serializers.FundClaimSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    write_roles = PARTNER
    action_roles = {"approve": STAFF_ROLES, "reject": STAFF_ROLES}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("proofs").order_by("-created_at")

    @extend_schema(
        request={"multipart/form-data": serializers.FundClaimCreateSerializer},
        responses={201: serializers.FundClaimSerializer},
    )
    def create(self, request, *args, **kwargs):
        payload = serializers.FundClaimCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        fund_request = get_object_or_404(
            FundRequest.objects.visible_to(self.membership), pk=data["request"]
        )
        claim = services.fund_claim_submit(
            acting_membership=self.membership,
            request=fund_request,
            amount=data["amount"],
            notes=data["notes"],
            leads_generated=data["leads_generated"],
            proofs=data["proofs"],
        )
        return Response(self.get_serializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.DecisionSerializer, responses=serializers.FundClaimSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        obj = self.get_object()  # 404 for another tenant's id, before reading the body
        payload = serializers.DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        claim = services.fund_claim_approve(
            claim=obj,
            acting_membership=self.membership,
            amount=payload.validated_data.get("amount"),
        )
        return Response(self.get_serializer(claim).data)

    @extend_schema(request=serializers.RejectSerializer, responses=serializers.FundClaimSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        obj = self.get_object()  # 404 for another tenant's id, before reading the body
        payload = serializers.RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        claim = services.fund_claim_reject(
            claim=obj,
            acting_membership=self.membership,
            reason=payload.validated_data["reason"],
        )
        return Response(self.get_serializer(claim).data)
