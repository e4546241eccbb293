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

    def get_user(self, user_id):
        """The session's user; on a tenant's host with their membership attached.

        On a tenant's host, `prm.tenancy.access` loads both while they are unchanged
        from what this process kept (one query), and MembershipMiddleware takes the
        membership from `user.prm_membership` instead of looking it up again.
        """
        tenant = get_current_tenant()
        if tenant is None:
            return super().get_user(user_id)
        from prm.tenancy.access import user_and_membership

        user, membership = user_and_membership(tenant, user_id)
        if user is not None:
            user.prm_membership = membership
        return user
