"""DRF's throttles, keyed on the client address of prm.core.clientip.

DRF's own get_ident believes the whole X-Forwarded-For header unless NUM_PROXIES is
set, so a client could pick its own identity; here it follows the portal's
trusted-proxy setting like every other per-IP limit.
"""

from rest_framework import throttling

from prm.core.clientip import client_ip


class _ClientIpMixin:
    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(_ClientIpMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_ClientIpMixin, throttling.UserRateThrottle):
    pass
