"""Pages of this app: partner portal under /portal/, vendor console under /manage/."""

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    # Partner portal
    path("portal/performance/", views.PortalDashboardView.as_view(), name="portal_dashboard"),
    # Vendor console
    path("manage/analytics/", views.ConsoleDashboardView.as_view(), name="console_dashboard"),
    path("manage/analytics/proposals/", views.ProposalListView.as_view(), name="proposal_list"),
    path(
        "manage/analytics/proposals/<uuid:pk>/approve/",
        views.ProposalDecideView.as_view(approve=True),
        name="proposal_approve",
    ),
    path(
        "manage/analytics/proposals/<uuid:pk>/reject/",
        views.ProposalDecideView.as_view(approve=False),
        name="proposal_reject",
    ),
    path("manage/analytics/partners/<uuid:pk>/", views.ScorecardView.as_view(), name="scorecard"),
    path(
        "manage/analytics/partners/<uuid:pk>/mark-at-risk/",
        views.MarkAtRiskView.as_view(),
        name="mark_at_risk",
    ),
    path("manage/analytics/settings/", views.SettingsView.as_view(), name="settings"),
    path(
        "manage/analytics/tiers/<uuid:pk>/requirements/",
        views.TierRequirementsView.as_view(),
        name="tier_requirements",
    ),
]
