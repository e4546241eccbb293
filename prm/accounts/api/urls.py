"""API routes of the core's people (included under /api/v1/ by prm/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from .views import InvitationViewSet, MembershipViewSet

router = SimpleRouter()
router.register("members", MembershipViewSet, basename="membership")
router.register("invitations", InvitationViewSet, basename="invitation")

urlpatterns = router.urls
