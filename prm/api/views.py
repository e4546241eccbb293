"""Base viewsets: scoping declared once, like prm.core.views for HTML."""

from rest_framework import viewsets

from prm.tenancy.choices import STAFF_ROLES
from prm.tenancy.models import Membership


class TenantScopedViewSetMixin:
    """`get_queryset()` = the model's rows this member may see; subclasses narrow it.

    A retrieve/update/delete of another tenant's or partner's id therefore finds
    nothing and answers 404.
    """

    model = None
    allowed_roles = None  # every role of the tenant; narrow per view (e.g. STAFF_ROLES)

    @property
    def membership(self) -> Membership | None:
        """The signed-in member (or the API key's) of this tenant, set by the middleware."""
        return getattr(self.request._request, "membership", None)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # drf-spectacular inspects the view with no tenant: give it the model only.
            return self.model._base_manager.none()
        return self.model.objects.visible_to(self.membership)


class TenantScopedReadOnlyViewSet(TenantScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantScopedModelViewSet(TenantScopedViewSetMixin, viewsets.ModelViewSet):
    pass


__all__ = ["STAFF_ROLES", "TenantScopedModelViewSet", "TenantScopedReadOnlyViewSet"]
