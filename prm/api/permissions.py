"""API permissions: a member of this tenant, in a role the view allows."""

from rest_framework.permissions import BasePermission

from prm.tenancy.choices import STAFF_ROLES, Role


class IsTenantMember(BasePermission):
    """An active membership (or API key) in the host's tenant, in `view.allowed_roles`."""

    message = "You are not a member of this portal."

    def has_permission(self, request, view) -> bool:
        membership = getattr(request._request, "membership", None)
        if (
            getattr(request, "tenant", None) is None
            and getattr(request._request, "tenant", None) is None
        ):
            return False
        if membership is None:
            return False
        allowed = getattr(view, "allowed_roles", None) or frozenset(Role.values)
        return membership.role in allowed


__all__ = ["IsTenantMember", "STAFF_ROLES"]
