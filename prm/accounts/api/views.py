"""People over the API: members (read) and invitations (list, send, withdraw)."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from prm.accounts import services
from prm.accounts.filtersets import MembershipFilterSet
from prm.accounts.models import Invitation
from prm.api.views import TenantScopedReadOnlyViewSet, TenantScopedViewSetMixin
from prm.tenancy.models import Membership

from .serializers import InvitationSerializer, MembershipSerializer


class MembershipViewSet(TenantScopedReadOnlyViewSet):
    """Members of this portal; partner users see their own organization's."""

    model = Membership
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    search_fields = ("user__email", "user__full_name")
    ordering_fields = ("created_at", "user__email")

    def get_queryset(self):
        return super().get_queryset().select_related("user")


class InvitationViewSet(
    TenantScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Pending and past invitations; DELETE withdraws a pending one."""

    model = Invitation
    serializer_class = InvitationSerializer
    filterset_fields = ("role", "partner_organization")

    def get_queryset(self):
        queryset = super().get_queryset()
        membership = getattr(self.request._request, "membership", None)
        if membership is None or not services.invitation_can_manage(acting_membership=membership):
            return queryset.none()
        return queryset

    def perform_create(self, serializer):
        membership = self.request._request.membership
        data = serializer.validated_data
        organization = data.get("partner_organization")
        if membership.is_partner:
            organization = membership.partner_organization
        serializer.instance = services.invitation_create(
            email=data["email"],
            full_name=data.get("full_name", ""),
            role=data.get("role"),
            partner_organization=organization,
            partner_role=data.get("partner_role", ""),
            acting_membership=membership,
        )

    def perform_destroy(self, instance):
        services.invitation_revoke(invitation=instance)
