"""URLs of the bare base domain: the platform operator's pages only, no tenant data."""

from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from prm.core import views as core_views

urlpatterns = [
    path("", core_views.platform_home, name="platform_home"),
    # Browsers ask for /favicon.ico on their own (pages link the SVG one).
    path(
        "favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.ico", permanent=True)
    ),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz_platform"),
]

# A 503 with a retry while a service is down, the plain 500 page for a bug.
handler500 = "prm.core.views.server_error"
