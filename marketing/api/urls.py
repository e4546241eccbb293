"""API routes of this app (included under /api/v1/ by prm/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("campaign-assets", views.CampaignAssetViewSet, basename="campaign-asset")
router.register(
    "campaign-library-assets",
    views.CampaignLibraryAssetViewSet,
    basename="campaign-library-asset",
)
router.register("announcements", views.AnnouncementViewSet, basename="announcement")
router.register("help-requests", views.HelpRequestViewSet, basename="help-request")
router.register("surveys", views.SurveyViewSet, basename="survey")
router.register("campaign-launches", views.CampaignLaunchViewSet, basename="campaign-launch")

urlpatterns = router.urls
