"""Map a request's host to its tenant."""

from __future__ import annotations

import time

from django.conf import settings

from .models import Tenant, TenantDomain

# host -> (expires_at, tenant or None). A short per-process cache: resolving the tenant
# must cost well under a millisecond, and a renamed or deactivated tenant takes effect
# within the TTL on every process.
_CACHE: dict[str, tuple[float, Tenant | None]] = {}
CACHE_TTL_SECONDS = 10.0
PLATFORM = object()


def clear_cache() -> None:
    _CACHE.clear()


def resolve_host(host: str) -> Tenant | None | object:
    """The tenant for `host`, PLATFORM for the bare base domain, or None if unknown."""
    host = host.lower().rstrip(".")
    base = settings.PRM_BASE_DOMAIN
    if host == base:
        return PLATFORM
    cached = _CACHE.get(host)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    tenant: Tenant | None = None
    suffix = "." + base
    if host.endswith(suffix):
        slug = host[: -len(suffix)]
        if slug and "." not in slug:
            tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
    if tenant is None:
        domain = TenantDomain.objects.select_related("tenant").filter(domain=host).first()
        if domain is not None and domain.tenant.is_active:
            tenant = domain.tenant
    _CACHE[host] = (now + CACHE_TTL_SECONDS, tenant)
    return tenant
