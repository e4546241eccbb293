"""Authentication that respects the tenant of the host."""

from allauth.account.auth_backends import AuthenticationBackend

from prm.tenancy.context import get_current_tenant


def can_sign_in_here(user) -> bool:
    """Whether `user` may sign in on the current host.

    On a tenant's host: only with an active membership in that tenant (and, for partner
    users, an organization that may still sign in). On the bare base domain: only
    platform operators.
    """
    if not user.is_active:
        return False
    tenant = get_current_tenant()
    if tenant is None:
        return user.is_staff
    from prm.tenancy.models import membership_with_access

    return membership_with_access(user) is not None


class TenantMembershipBackend(AuthenticationBackend):
    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None or not can_sign_in_here(user):
            return None
        return user
