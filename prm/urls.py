"""URLs served on a tenant's host (<slug>.<base domain> or a registered domain)."""

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView

from prm.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    # Browsers ask for /favicon.ico on their own (pages link the SVG one).
    path(
        "favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.ico", permanent=True)
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("prm.core.urls")),
    path("", include("prm.accounts.urls")),
    path("", include("prm.notifications.urls")),
    path("", include("prm.audit.urls")),
    path("", include("prm.api.keys.urls")),
    path("", include("partners.urls")),
    path("", include("deals.urls")),
    path("", include("enablement.urls")),
    path("", include("incentives.urls")),
    path("", include("analytics.urls")),
    path("", include("marketing.urls")),
    path("api/v1/", include("prm.api.urls")),
]

# A 503 with a retry while a service is down, the plain 500 page for a bug.
handler500 = "prm.core.views.server_error"
