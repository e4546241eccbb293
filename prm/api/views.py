"""Base viewsets: scoping declared once, like prm.core.views for HTML."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets

from prm.api.exceptions import ErrorSerializer
from prm.tenancy.choices import STAFF_ROLES


class TenantScopedViewSetMixin:
    """`get_queryset()` = the model's rows this member may see; subclasses narrow it.

    A retrieve/update/delete of another tenant's or partner's id therefore finds
    nothing and answers 404.
    """

    model = None
    allowed_roles = None  # every role of the tenant; narrow per view (e.g. STAFF_ROLES)

    @property
    def membership(self):
        """The signed-in member (or the API key's) of this tenant, set by the middleware."""
        return self.request._request.membership

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # drf-spectacular inspects the view with no tenant: give it the model only.
            return self.model._base_manager.none()
        return self.model.objects.visible_to(self.membership)


class TenantScopedReadOnlyViewSet(TenantScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


@extend_schema_view(
    destroy=extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Still in use: `errors.used_by` says by what (count and names "
                "per kind of row).",
            ),
        }
    )
)
class TenantScopedModelViewSet(TenantScopedViewSetMixin, viewsets.ModelViewSet):
    """Deleting a row that others still point at (PROTECT) answers 409, not 500: see
    prm.api.exceptions.in_use_from."""


__all__ = ["STAFF_ROLES", "TenantScopedModelViewSet", "TenantScopedReadOnlyViewSet"]
