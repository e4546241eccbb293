"""API routes of this app (included under /api/v1/ by prm/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("courses", views.CourseViewSet, basename="course")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("quiz-attempts", views.QuizAttemptViewSet, basename="quizattempt")
router.register("certifications", views.CertificationViewSet, basename="certification")
router.register(
    "certification-awards", views.CertificationAwardViewSet, basename="certificationaward"
)
router.register("assets", views.AssetViewSet, basename="asset")

urlpatterns = router.urls
