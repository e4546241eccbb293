"""API routes of this app (included under /api/v1/ by prm/api/urls.py)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("partner-types", views.PartnerTypeViewSet, basename="partnertype")
router.register("tiers", views.TierViewSet, basename="tier")
router.register("benefits", views.BenefitViewSet, basename="benefit")
router.register(
    "partner-organizations", views.PartnerOrganizationViewSet, basename="partnerorganization"
)
router.register("partner-applications", views.ApplicationViewSet, basename="partnerapplication")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register(
    "agreement-acceptances", views.AgreementAcceptanceViewSet, basename="agreementacceptance"
)
router.register("touchpoints", views.TouchpointViewSet, basename="touchpoint")
router.register("business-plans", views.BusinessPlanViewSet, basename="businessplan")
router.register("business-plan-goals", views.BusinessPlanGoalViewSet, basename="businessplangoal")
router.register("onboarding-plans", views.OnboardingPlanViewSet, basename="onboardingplan")
router.register("onboarding-tasks", views.OnboardingTaskViewSet, basename="onboardingtask")
router.register("engagement-cadences", views.EngagementCadenceViewSet, basename="engagementcadence")

urlpatterns = router.urls
