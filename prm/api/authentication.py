"""API authentication: the browser's session, or a tenant's API key."""

from rest_framework.authentication import BaseAuthentication, SessionAuthentication


class TenantSessionAuthentication(SessionAuthentication):
    """The browser's session; MembershipMiddleware has already checked the tenant."""


class TenantApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`: filled in by the API keys work (prm.api.keys)."""

    def authenticate(self, request):
        return None
