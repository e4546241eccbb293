"""Staff of a tenant that requires it must have two-factor sign-in set up."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

# Paths a staff member without MFA may still open: setting it up, signing out, health.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")


class StaffMfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        membership = getattr(request, "membership", None)
        if (
            tenant is not None
            and tenant.require_staff_mfa
            and membership is not None
            and membership.is_staff_role
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not _has_mfa(request)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "type": "mfa_required",
                        "detail": "Set up two-factor sign-in in the portal first.",
                        "errors": {},
                    },
                    status=403,
                )
            messages.warning(request, f"{tenant.name} requires two-factor sign-in for staff.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_mfa(request) -> bool:
    # Remembered in the session once true, so this costs one query per session.
    if request.session.get("prm_mfa_ok"):
        return True
    from .mfa import user_has_totp

    ok = user_has_totp(request.user)
    if ok:
        request.session["prm_mfa_ok"] = True
    return ok
