"""The audit log over the API: GET /api/v1/audit-events/ (program admins)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import SimpleRouter

from prm.api.pagination import StandardPagination
from prm.api.permissions import IsTenantMember
from prm.tenancy.choices import Role

from .forms import AuditFilterForm
from .selectors import audit_events, audit_rows


class AuditEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    object_type = serializers.CharField(help_text='The tracked model, e.g. "deals.deal".')
    object_type_label = serializers.CharField()
    object_id = serializers.CharField()
    object_label = serializers.CharField()
    user_id = serializers.CharField(allow_null=True)
    person = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class AuditEventViewSet(viewsets.GenericViewSet):
    """Recorded changes of this portal's records, newest first (program admins only)."""

    permission_classes = [IsTenantMember]
    allowed_roles = frozenset({Role.ADMIN})
    serializer_class = AuditEventSerializer
    pagination_class = StandardPagination
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("person", OpenApiTypes.STR, description="E-mail or user id."),
            OpenApiParameter("object_type", OpenApiTypes.STR, description='E.g. "deals.deal".'),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ]
    )
    def list(self, request):
        form = AuditFilterForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise ValidationError(
                {
                    field: [e["message"] for e in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        events = audit_events(**(form.filters() if form.is_bound else {}))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(
            AuditEventSerializer(audit_rows(list(page)), many=True).data
        )


router = SimpleRouter()
router.register("audit-events", AuditEventViewSet, basename="audit-event")
urlpatterns = router.urls
