"""API permissions: a member of this tenant, in a role the view allows."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from prm.tenancy.choices import STAFF_ROLES, Role


class IsTenantMember(BasePermission):
    """An active membership (or API key) in the host's tenant, in `view.allowed_roles`."""

    message = "You are not a member of this portal."

    def has_permission(self, request, view) -> bool:
        membership = getattr(request._request, "membership", None)  # before authentication
        if (
            getattr(request, "tenant", None) is None
            and getattr(request._request, "tenant", None) is None
        ):
            return False
        if membership is None:
            return False
        allowed = getattr(view, "allowed_roles", None) or frozenset(Role.values)
        return membership.acts_as(allowed)


class RolesPerAction(BasePermission):
    """Reads for every role the view allows; each write action names its roles.

    On a detail route the role is checked only after the object was found through the
    scoped queryset: another tenant's or partner's id is a 404 whatever the role, so a
    refusal never tells that the id exists.
    """

    message = "Your role cannot do this."

    def has_permission(self, request, view) -> bool:
        if view.kwargs.get(view.lookup_url_kwarg or view.lookup_field):
            return True
        return self._allowed(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        return self._allowed(request, view)

    def _allowed(self, request, view) -> bool:
        roles_by_action = getattr(view, "action_roles", {})
        if request.method in SAFE_METHODS and view.action not in roles_by_action:
            return True
        membership = view.membership
        roles = roles_by_action.get(view.action, getattr(view, "write_roles", ()))
        return membership is not None and membership.acts_as(roles)


__all__ = ["IsTenantMember", "RolesPerAction", "STAFF_ROLES"]
