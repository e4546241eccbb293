"""API authentication: the browser's session, or a tenant's API key."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication


class MfaRequired(exceptions.PermissionDenied):
    default_code = "mfa_required"


class TenantSessionAuthentication(SessionAuthentication):
    """The browser's session; MembershipMiddleware has already checked the tenant."""


class TenantApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`, looked up by hash in the host's tenant only."""

    keyword = "Bearer"

    def authenticate(self, request):
        from .services import MalformedKeyError, api_key_authenticate

        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: use 'Bearer <key>'."
            )
        if getattr(request._request, "tenant", None) is None:
            raise exceptions.AuthenticationFailed("API keys work only on a tenant's host.")
        try:
            api_key = api_key_authenticate(raw=parts[1])
        except MalformedKeyError:
            raise exceptions.AuthenticationFailed(
                "Malformed API key: keys look like prm_<8 hex>_<secret>."
            ) from None
        if api_key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        # A key is no way around the tenant's staff MFA rule: it acts as its admin, so
        # it works only while that admin could sign in to the console.
        from prm.accounts.mfa import staff_mfa_missing

        tenant = request._request.tenant
        if staff_mfa_missing(api_key.membership, tenant):
            raise MfaRequired(
                f"{tenant.name} requires two-factor sign-in for staff, and the admin who "
                "owns this key has not set it up: the key works again once they have."
            )
        # The key acts as its membership: scoping and role checks work unchanged.
        request._request.membership = api_key.membership
        return (api_key.membership.user, api_key)

    def authenticate_header(self, request):
        return self.keyword
