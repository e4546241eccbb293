"""Pages of this app: partner portal under /portal/, vendor console under /manage/."""

from django.urls import path

from . import views

app_name = "incentives"

urlpatterns = [
    # --- partner portal ---------------------------------------------------------------
    path("portal/earnings/", views.EarningsView.as_view(), name="portal_earnings"),
    path(
        "portal/earnings/statements/<uuid:pk>/",
        views.PortalStatementView.as_view(),
        name="portal_statement_detail",
    ),
    path(
        "portal/earnings/statements/<uuid:pk>/statement.csv",
        views.StatementCsvView.as_view(),
        name="statement_csv",
    ),
    path("portal/funds/", views.FundsView.as_view(), name="portal_funds"),
    path(
        "portal/funds/allocations/<uuid:pk>/request/",
        views.RequestCreateView.as_view(),
        name="portal_request_create",
    ),
    path(
        "portal/funds/requests/<uuid:pk>/",
        views.RequestDetailView.as_view(),
        name="portal_request_detail",
    ),
    path("funds/proofs/<uuid:pk>/", views.ProofDownloadView.as_view(), name="proof_download"),
    # --- vendor console ---------------------------------------------------------------
    path("manage/incentives/programs/", views.ProgramListView.as_view(), name="program_list"),
    path("manage/incentives/programs/new/", views.ProgramFormView.as_view(), name="program_create"),
    path(
        "manage/incentives/programs/<uuid:pk>/",
        views.ProgramFormView.as_view(),
        name="program_edit",
    ),
    path("manage/incentives/settings/", views.SettingsView.as_view(), name="settings"),
    path("manage/funds/requests/", views.RequestQueueView.as_view(), name="request_queue"),
    path(
        "manage/funds/requests/<uuid:pk>/approve/",
        views.RequestApproveView.as_view(),
        name="request_approve",
    ),
    path(
        "manage/funds/requests/<uuid:pk>/reject/",
        views.RequestRejectView.as_view(),
        name="request_reject",
    ),
    path("manage/funds/claims/", views.ClaimQueueView.as_view(), name="claim_queue"),
    path(
        "manage/funds/claims/<uuid:pk>/approve/",
        views.ClaimApproveView.as_view(),
        name="claim_approve",
    ),
    path(
        "manage/funds/claims/<uuid:pk>/reject/",
        views.ClaimRejectView.as_view(),
        name="claim_reject",
    ),
    path("manage/funds/", views.FundListView.as_view(), name="fund_list"),
    path("manage/funds/<uuid:pk>/", views.FundDetailView.as_view(), name="fund_detail"),
    path(
        "manage/incentives/statements/",
        views.StatementListView.as_view(),
        name="statement_list",
    ),
    path(
        "manage/incentives/statements/<uuid:pk>/",
        views.ConsoleStatementView.as_view(),
        name="console_statement_detail",
    ),
    path("manage/incentives/payouts/", views.BatchListView.as_view(), name="batch_list"),
    path(
        "manage/incentives/payouts/<uuid:pk>/",
        views.BatchDetailView.as_view(),
        name="batch_detail",
    ),
    path(
        "manage/incentives/payouts/<uuid:pk>/export.csv",
        views.BatchExportView.as_view(),
        name="batch_export",
    ),
    path("manage/incentives/leaderboard/", views.LeaderboardView.as_view(), name="leaderboard"),
]
