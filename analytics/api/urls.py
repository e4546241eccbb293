"""API routes of this app (included under /api/v1/ by prm/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("monthly-metrics", views.MonthlyMetricsViewSet, basename="monthlymetrics")
router.register("health-scores", views.HealthScoreViewSet, basename="healthscore")
router.register("tier-proposals", views.TierProposalViewSet, basename="tierproposal")
router.register("scorecards", views.ScorecardViewSet, basename="scorecard")

urlpatterns = router.urls
