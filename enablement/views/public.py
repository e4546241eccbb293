"""The public certificate check: /verify/<code>/ on the tenant's host, no sign-in."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ..models import CertificationAward


@never_cache
def verify(request, code: str):
    """Name, certification, organization and validity (or that it was revoked, never
    why): nothing else, ever. An unknown
    code and another tenant's code look the same (the tenant's manager scopes it)."""
    if getattr(request, "tenant", None) is None:
        return render(request, "enablement/verify.html", {"award": None}, status=404)
    award = (
        CertificationAward.objects.filter(code=code.strip().upper())
        .select_related("certification", "membership__user", "organization")
        .first()
    )
    return render(request, "enablement/verify.html", {"award": award}, status=200 if award else 404)
