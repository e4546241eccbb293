"""The deals API: the same services as the pages, one error shape, roles per action."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from deals import services
from deals.choices import OfferStatus
from deals.filtersets import ConflictFilterSet, DealFilterSet, LeadFilterSet, ProductFilterSet
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
from prm.api.permissions import IsTenantMember, RolesPerAction
from prm.api.views import (
    STAFF_ROLES,
    TenantScopedModelViewSet,
    TenantScopedReadOnlyViewSet,
    TenantScopedViewSetMixin,
)
from prm.tenancy.choices import Role

from . import serializers

PARTNER = frozenset({Role.PARTNER})
ADMIN = frozenset({Role.ADMIN})


class CatalogueViewSet(TenantScopedModelViewSet):
    """Every member lists the catalogue; one row's page, and changes, are for staff
    (admins change it): a partner reads the catalogue through the list."""

    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = ADMIN
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        membership = self.membership
        if self.detail and (membership is None or not membership.is_staff_role):
            return queryset.none()
        return queryset


class ProductViewSet(CatalogueViewSet):
    """The catalogue: every member reads it, admins change it."""

    model = Product
    serializer_class = serializers.ProductSerializer
    filterset_class = ProductFilterSet

    def perform_create(self, serializer):
        serializer.instance = services.product_save(product=Product(**serializer.validated_data))

    def perform_update(self, serializer):
        product = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(product, key, value)
        services.product_save(product=product)


class MotionViewSet(CatalogueViewSet):
    """Motions and their stages: every member reads them, admins change them."""

    model = Motion
    serializer_class = serializers.MotionSerializer

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("stages", queryset=MotionStage.objects.order_by("position")))
        )

    def perform_create(self, serializer):
        serializer.instance = services.motion_save(motion=Motion(**serializer.validated_data))

    def perform_update(self, serializer):
        motion = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(motion, key, value)
        services.motion_save(motion=motion)


class DealViewSet(
    TenantScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Deal registrations. Partners register and submit theirs; staff review them."""

    model = Deal
    serializer_class = serializers.DealSerializer
    filterset_class = DealFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    action_roles = {
        "create": PARTNER,
        "submit": PARTNER,
        "approve": STAFF_ROLES,
        "participants_set": STAFF_ROLES,
        "reject": STAFF_ROLES,
        "request_information": STAFF_ROLES,
        "extend": frozenset(Role.values),
        "change_stage": frozenset(Role.values),
        "comments": frozenset(Role.values),
        "close": frozenset(Role.values),
        "reopen": STAFF_ROLES,
    }

    # What a co-partner of a multi-partner deal may do with it: read (deals/models.py,
    # CoPartnerReadableQuerySet). Every other action looks the deal up by `visible_to`.
    read_actions = frozenset({"list", "retrieve", "comments", "participants"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return super().get_queryset()
        reading = self.action in self.read_actions and self.request.method in ("GET", "HEAD")
        if self.action == "list" and reading:
            if self.paginator is not None and self.paginator.leaves_rows_alone(self.request):
                # No filter, search or other parameter narrows the rows: their number
                # comes with the co-partnered ids, the paginator need not count them.
                queryset, self.known_count = Deal.objects.readable_with_count(self.membership)
            else:
                queryset = Deal.objects.readable_by(self.membership)
            # Only the columns a row reads; the page's names, lines and participants in
            # one flat query, by the page's ids (serializers.DealListSerializer), no
            # prefetched instances.
            return queryset.only(*serializers.DealSerializer.columns()).order_by("-number")
        queryset = Deal.objects.readable_by(self.membership) if reading else super().get_queryset()
        # One deal: what the serializer reads, by primary key (see
        # DealQuerySet.with_list_relations for why not joins).
        return queryset.prefetch_related(
            "organization",
            "motion",
            "stage",
            Prefetch("lines", queryset=DealLine.objects.select_related("product")),
            Prefetch(
                "participants",
                queryset=DealPartner.objects.select_related("organization").order_by(
                    "-split_percent"
                ),
            ),
        ).order_by("-number")

    def _deal_response(self, deal, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=deal.pk)).data, status=code)

    @extend_schema(
        request=serializers.DealCreateSerializer,
        responses={201: serializers.DealSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key returns the deal created first.",
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        body = serializers.DealCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        motion, lines, submit = data.pop("motion"), data.pop("lines"), data.pop("submit")
        key = request.headers.get("Idempotency-Key", "").strip()[:64] or None
        deal = services.deal_create(
            organization=self.membership.partner_organization,
            acting_membership=self.membership,
            motion=motion,
            data=data,
            lines=[services.LineInput(**line) for line in lines],
            idempotency_key=key,
            submit=submit,
        )
        return self._deal_response(deal, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.DealSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft (or an answered information request) to the vendor."""
        return self._deal_response(
            services.deal_submit(deal=self.get_object(), acting_membership=self.membership)
        )

    @extend_schema(responses=serializers.DealParticipantSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def participants(self, request, pk=None):
        """The partners taking part in the deal, their roles and splits (co-partners
        read them too)."""
        deal = self.get_object()
        return Response(
            serializers.DealParticipantSerializer(deal.participants.all(), many=True).data
        )

    @extend_schema(
        request=serializers.DealParticipantSerializer(many=True),
        responses=serializers.DealParticipantSerializer(many=True),
    )
    @participants.mapping.put
    def participants_set(self, request, pk=None):
        """Set the partners of a multi-partner deal (staff): the registering partner
        stays, no partner twice, splits total 100, approved deals only."""
        deal = self.get_object()
        body = serializers.DealParticipantSerializer(data=request.data, many=True)
        body.is_valid(raise_exception=True)
        services.deal_partners_set(
            deal=deal,
            acting_membership=request.membership,
            participants=[
                (row["organization"], row["role"], row["split_percent"])
                for row in body.validated_data
            ],
        )
        rows = DealPartner.objects.filter(deal=deal).select_related("organization")
        return Response(serializers.DealParticipantSerializer(rows, many=True).data)

    @extend_schema(request=None, responses=serializers.DealSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._deal_response(
            services.deal_approve(deal=self.get_object(), acting_membership=self.membership)
        )

    @extend_schema(request=serializers.DealRejectSerializer, responses=serializers.DealSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        deal = self.get_object()
        body = serializers.DealRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deal = services.deal_reject(
            deal=deal,
            acting_membership=self.membership,
            reason=body.validated_data["reason"],
            code=body.validated_data["code"],
        )
        return self._deal_response(deal)

    @extend_schema(
        request=serializers.DealInfoRequestSerializer, responses=serializers.DealSerializer
    )
    @action(detail=True, methods=["post"], url_path="request-information")
    def request_information(self, request, pk=None):
        deal = self.get_object()
        body = serializers.DealInfoRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deal = services.deal_request_info(
            deal=deal, acting_membership=self.membership, message=body.validated_data["message"]
        )
        return self._deal_response(deal)

    @extend_schema(request=serializers.DealExtendSerializer, responses=serializers.DealSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Partners request more protection days; staff grant them at once."""
        deal = self.get_object()
        body = serializers.DealExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if self.membership.is_staff_role:
            services.extension_grant(
                deal=deal, acting_membership=self.membership, **body.validated_data
            )
        else:
            services.extension_request(
                deal=deal, acting_membership=self.membership, **body.validated_data
            )
        return self._deal_response(deal)

    @extend_schema(
        request=serializers.DealStageChangeSerializer, responses=serializers.DealSerializer
    )
    @action(detail=True, methods=["post"], url_path="change-stage")
    def change_stage(self, request, pk=None):
        deal = self.get_object()
        body = serializers.DealStageChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deal = services.deal_stage_change(
            deal=deal,
            acting_membership=self.membership,
            stage=body.validated_data["stage"],
            note=body.validated_data.get("note", ""),
        )
        return self._deal_response(deal)

    @extend_schema(request=serializers.DealCloseSerializer, responses=serializers.DealSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Record the outcome of an approved deal: won (with its final amount) or lost."""
        deal = self.get_object()
        body = serializers.DealCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deal = services.deal_close(
            deal=deal,
            acting_membership=self.membership,
            won=body.validated_data["outcome"] == "won",
            closed_on=body.validated_data["closed_on"],
            final_amount=body.validated_data.get("final_amount"),
        )
        return self._deal_response(deal)

    @extend_schema(request=serializers.DealReopenSerializer, responses=serializers.DealSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Put a won or lost deal back to approved (staff); a won deal's earnings reverse."""
        deal = self.get_object()
        body = serializers.DealReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deal = services.deal_reopen(
            deal=deal, acting_membership=self.membership, reason=body.validated_data["reason"]
        )
        return self._deal_response(deal)

    @extend_schema(
        methods=["GET"], request=None, responses=serializers.DealCommentSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        request=serializers.DealCommentSerializer,
        responses={201: serializers.DealCommentSerializer},
    )
    # The deal's own filters (country, motion, ...) do not apply to its comments.
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """The deal's thread; partners never get (nor write) internal notes."""
        deal = self.get_object()
        membership = self.membership
        if request.method == "POST":
            body = serializers.DealCommentSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            comment = services.deal_comment_add(
                deal=deal,
                acting_membership=membership,
                body=body.validated_data["body"],
                is_internal=body.validated_data.get("is_internal", False),
            )
            return Response(
                serializers.DealCommentSerializer(comment).data, status=status.HTTP_201_CREATED
            )
        comments = (
            DealComment.objects.readable_by(membership)
            .filter(deal=deal)
            .select_related("author")
            .order_by("created_at", "id")
        )
        # Paginated like every other list (and as the schema says).
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(serializers.DealCommentSerializer(page, many=True).data)


class ConflictViewSet(TenantScopedReadOnlyViewSet):
    """Conflicts between registrations: staff only (partners never see them)."""

    model = DealConflict
    serializer_class = serializers.ConflictSerializer
    filterset_class = ConflictFilterSet
    allowed_roles = STAFF_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("deal", "other_deal").order_by("-created_at")

    @extend_schema(
        request=serializers.ConflictResolveSerializer, responses=serializers.ConflictSerializer
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        conflict = self.get_object()
        body = serializers.ConflictResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conflict = services.conflict_resolve(
            conflict=conflict, acting_membership=self.membership, **body.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=conflict.pk)).data)


class LeadViewSet(
    TenantScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Leads: staff create them (routed at once); the partner offered one answers it."""

    model = Lead
    serializer_class = serializers.LeadSerializer
    filterset_class = LeadFilterSet
    permission_classes = [IsTenantMember, RolesPerAction]
    action_roles = {
        "create": STAFF_ROLES,
        "assign": STAFF_ROLES,
        "accept": PARTNER,
        "decline": PARTNER,
    }

    def get_queryset(self):
        return super().get_queryset().select_related("product", "motion").order_by("-created_at")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        motion, product = data.pop("motion"), data.pop("product", None)
        serializer.instance = services.lead_create(
            acting_membership=self.membership, motion=motion, product=product, data=data
        )

    @extend_schema(request=serializers.LeadAssignSerializer, responses=serializers.LeadSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Offer the lead to a partner chosen by hand (withdrawing any pending offer)."""
        lead = self.get_object()
        body = serializers.LeadAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.lead_assign(
            lead=lead,
            organization=body.validated_data["organization"],
            acting_membership=self.membership,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=lead.pk)).data)

    @extend_schema(request=None, responses={201: serializers.DealSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        deal = services.lead_accept(lead=self.get_object(), acting_membership=self.membership)
        return Response(serializers.DealSerializer(deal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.LeadDeclineSerializer, responses=serializers.LeadOfferSerializer
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        lead = self.get_object()
        body = serializers.LeadDeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = self.membership
        services.lead_decline(
            lead=lead, acting_membership=membership, reason=body.validated_data["reason"]
        )
        offer = (
            LeadOffer.objects.visible_to(membership)
            .filter(lead=lead, status=OfferStatus.DECLINED)
            .order_by("-answered_at")
            .first()
        )
        if offer is None:
            raise ValidationError({"reason": "Nothing was declined."})
        return Response(serializers.LeadOfferSerializer(offer).data)


class RoutingRuleViewSet(TenantScopedModelViewSet):
    """Lead routing rules, as the console shows them: staff read them, admins change
    them (through the same services as the console's form)."""

    model = RoutingRule
    serializer_class = serializers.RoutingRuleSerializer
    allowed_roles = STAFF_ROLES
    permission_classes = [IsTenantMember, RolesPerAction]
    write_roles = ADMIN

    def get_queryset(self):
        return super().get_queryset().order_by("priority", "name", "id")

    def perform_create(self, serializer):
        serializer.instance = services.routing_rule_save(
            rule=RoutingRule(**serializer.validated_data),
            acting_membership=self.request._request.membership,
        )

    def perform_update(self, serializer):
        rule = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(rule, key, value)
        services.routing_rule_save(rule=rule, acting_membership=self.request._request.membership)

    def perform_destroy(self, instance):
        services.routing_rule_delete(
            rule=instance, acting_membership=self.request._request.membership
        )
