"""/api/v1/: every app's API routes, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its initialiser as a script of its own (?script), so the
    # docs render under the portal's CSP, which allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("prm.accounts.api.urls")),
    path("", include("partners.api.urls")),
    path("", include("deals.api.urls")),
    path("", include("enablement.api.urls")),
    path("", include("incentives.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("marketing.api.urls")),
]
