"""The client's address, as every per-IP limit sees it.

Behind a TLS-terminating proxy, REMOTE_ADDR is the proxy: keyed on it, one client's
failed sign-ins would lock out everyone. X-Forwarded-For is written by the client
as much as by the proxies, so it is believed only as far as the installation says its
own proxies go (off by default: REMOTE_ADDR as it is):

- PRM_TRUSTED_PROXY_COUNT=N: N proxies of ours stand in front of the portal, each
  appending the address it saw; the client is the N-th address from the right of
  REMOTE_ADDR + X-Forwarded-For. Anything further left was sent by the client.
- PRM_TRUSTED_PROXY_CIDRS=10.0.0.0/8,...: walk from REMOTE_ADDR leftwards through
  X-Forwarded-For while the address is inside one of these networks; the first one
  outside is the client.

Used by allauth's limits (sign-in, password reset; AccountAdapter.get_client_ip), the
API throttles (prm.api.throttling) and the public application form's limit.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

_ATTRIBUTE = "_prm_client_ip"


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip_from(remote_addr: str, forwarded_for: str, *, count: int, networks) -> str:
    """The client's address given the proxy settings (pure, so it is easy to test)."""
    remote = _clean(remote_addr or "") or "unknown"
    if not count and not networks:
        return remote
    forwarded = [_clean(part) for part in (forwarded_for or "").split(",") if part.strip()]
    chain = [*forwarded, remote]  # rightmost: the peer that connected to us
    if networks:
        client = remote
        for address in reversed(chain):
            if address is None:
                break  # garbage to the left of a trusted hop: keep the last good one
            client = address
            if not any(ipaddress.ip_address(address) in net for net in networks):
                return address
        return client
    # A fixed number of our proxies: the client is the address the farthest one saw.
    if len(chain) <= count:
        # Fewer hops than configured: the request did not come through all of our
        # proxies; the leftmost address we have is the best we know.
        return next((a for a in chain if a), remote)
    return chain[-(count + 1)] or remote


def client_ip(request) -> str:
    """The client address of `request` (computed once per request)."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    cached = getattr(request, _ATTRIBUTE, None)
    if cached is None:
        cached = client_ip_from(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            count=settings.PRM_TRUSTED_PROXY_COUNT,
            networks=settings.PRM_TRUSTED_PROXY_NETWORKS,
        )
        setattr(request, _ATTRIBUTE, cached)
    return cached
