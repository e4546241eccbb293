"""Pages of this app: public (/apply/, /partners/), partner portal under /portal/,
vendor console under /manage/."""

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    # Public, on the tenant's host
    path("apply/", views.ApplyView.as_view(), name="apply"),
    path("apply/thanks/", views.ApplyDoneView.as_view(), name="apply_done"),
    path("partners/", views.LocatorView.as_view(), name="locator"),
    # Partner portal
    path("portal/organization/", views.PortalProfileView.as_view(), name="portal_profile"),
    path(
        "portal/organization/edit/",
        views.PortalProfileEditView.as_view(),
        name="portal_profile_edit",
    ),
    path("portal/agreement/", views.PortalAgreementView.as_view(), name="portal_agreement"),
    path("portal/onboarding/", views.PortalOnboardingView.as_view(), name="portal_onboarding"),
    path(
        "onboarding/<uuid:pk>/complete/",
        views.OnboardingItemCompleteView.as_view(),
        name="onboarding_item_complete",
    ),
    path("portal/tier/", views.PortalTierView.as_view(), name="portal_tier"),
    path("portal/plans/", views.PortalPlanListView.as_view(), name="portal_plan_list"),
    path(
        "portal/plans/<uuid:pk>/", views.PortalPlanDetailView.as_view(), name="portal_plan_detail"
    ),
    # Vendor console: partners and engagement
    path("manage/partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("manage/partners/<uuid:pk>/", views.PartnerDetailView.as_view(), name="partner_detail"),
    path("manage/partners/<uuid:pk>/edit/", views.PartnerEditView.as_view(), name="partner_edit"),
    path(
        "manage/partners/<uuid:pk>/tier/",
        views.PartnerTierChangeView.as_view(),
        name="partner_tier_change",
    ),
    path(
        "manage/partners/<uuid:pk>/stage/",
        views.PartnerTransitionView.as_view(),
        name="partner_transition",
    ),
    path(
        "manage/partners/<uuid:pk>/touchpoints/new/",
        views.TouchpointCreateView.as_view(),
        name="touchpoint_create",
    ),
    path(
        "manage/partners/<uuid:pk>/plans/new/",
        views.PlanCreateView.as_view(),
        name="plan_create",
    ),
    path("manage/plans/<uuid:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("manage/goals/<uuid:pk>/", views.GoalEditView.as_view(), name="goal_edit"),
    # Vendor console: applications
    path("manage/applications/", views.ApplicationListView.as_view(), name="application_list"),
    path(
        "manage/applications/<uuid:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application_detail",
    ),
    path(
        "manage/applications/<uuid:pk>/approve/",
        views.ApplicationApproveView.as_view(),
        name="application_approve",
    ),
    path(
        "manage/applications/<uuid:pk>/reject/",
        views.ApplicationRejectView.as_view(),
        name="application_reject",
    ),
    # Vendor console: program set-up
    path("manage/program/", views.ProgramView.as_view(), name="program"),
    path("manage/program/settings/", views.ProgramSettingsView.as_view(), name="settings_edit"),
    path("manage/program/types/new/", views.PartnerTypeCreateView.as_view(), name="type_create"),
    path("manage/program/types/<uuid:pk>/", views.PartnerTypeEditView.as_view(), name="type_edit"),
    path("manage/program/tiers/new/", views.TierCreateView.as_view(), name="tier_create"),
    path("manage/program/tiers/<uuid:pk>/", views.TierEditView.as_view(), name="tier_edit"),
    path("manage/program/benefits/new/", views.BenefitCreateView.as_view(), name="benefit_create"),
    path(
        "manage/program/benefits/<uuid:pk>/",
        views.BenefitEditView.as_view(),
        name="benefit_edit",
    ),
    path(
        "manage/program/benefits/matrix/",
        views.TierMatrixEditView.as_view(),
        name="tier_matrix_edit",
    ),
    path(
        "manage/program/agreements/new/",
        views.AgreementCreateView.as_view(),
        name="agreement_create",
    ),
    path(
        "manage/program/agreements/<uuid:pk>/",
        views.AgreementDetailView.as_view(),
        name="agreement_detail",
    ),
    path(
        "manage/program/onboarding/new/",
        views.OnboardingPlanCreateView.as_view(),
        name="onboarding_plan_create",
    ),
    path(
        "manage/program/onboarding/<uuid:pk>/",
        views.OnboardingPlanDetailView.as_view(),
        name="onboarding_plan_detail",
    ),
    path(
        "manage/program/onboarding/tasks/<uuid:pk>/",
        views.OnboardingTaskEditView.as_view(),
        name="onboarding_task_edit",
    ),
    path("manage/program/cadences/new/", views.CadenceCreateView.as_view(), name="cadence_create"),
    path(
        "manage/program/cadences/<uuid:pk>/",
        views.CadenceEditView.as_view(),
        name="cadence_edit",
    ),
]
