"""Tenant from the host, and membership of the signed-in user in that tenant."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect
from django.utils.deprecation import MiddlewareMixin

from .context import reset_current_tenant, set_current_tenant
from .models import membership_with_access
from .resolver import PLATFORM, resolve_host

_NOT_LOADED = object()


class TenantMiddleware:
    """Resolve the tenant from the host and make it current for the whole request.

    The tenant never comes from a form field, a header or the session: only the host.
    Unknown hosts get 404; the bare base domain gets the platform operator's URLconf.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = request.get_host().rsplit(":", 1)[0] if request.get_host() else ""
        resolved = resolve_host(host)
        if resolved is PLATFORM:
            request.tenant = None
            request.urlconf = settings.PLATFORM_URLCONF
        elif resolved is None:
            from django.views.defaults import page_not_found

            return page_not_found(request, Http404("No portal is served at this address."))
        else:
            request.tenant = resolved
        request.membership = None
        token = set_current_tenant(request.tenant)
        try:
            return self.get_response(request)
        finally:
            reset_current_tenant(token)


class MembershipMiddleware(MiddlewareMixin):
    """Attach the user's membership in this tenant; sign out a user who has none.

    Sessions are per host already, but a user removed from a tenant, deactivated, or
    whose partner organization was offboarded must lose access at once.
    """

    def process_request(self, request):
        request.membership = None
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if tenant is None or user is None or not user.is_authenticated:
            return None
        # Loaded with the user by the authentication backend (prm.tenancy.access) when
        # the session was; looked up here for any other way of signing in.
        membership = getattr(user, "prm_membership", _NOT_LOADED)
        if membership is _NOT_LOADED:
            membership = membership_with_access(user)
        if membership is not None:
            request.membership = membership
            return None
        logout(request)
        if request.path.startswith("/api/"):
            return None  # now anonymous: the API answers 401/403 itself
        messages.error(request, "Your account has no access to this portal.")
        return redirect(settings.LOGIN_URL)
