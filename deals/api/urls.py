"""API routes of this app (included under /api/v1/ by prm/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("motions", views.MotionViewSet, basename="motion")
router.register("deals", views.DealViewSet, basename="deal")
router.register("deal-conflicts", views.ConflictViewSet, basename="conflict")
router.register("leads", views.LeadViewSet, basename="lead")
router.register("routing-rules", views.RoutingRuleViewSet, basename="routing-rule")

urlpatterns = router.urls
