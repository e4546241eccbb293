"""Pages of this app: partner portal under /portal/, vendor console under /manage/."""

from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    # --- partner portal ---------------------------------------------------------------
    path("portal/deals/", views.PortalDealListView.as_view(), name="portal_deal_list"),
    path("portal/deals/new/", views.PortalDealCreateView.as_view(), name="portal_deal_create"),
    path(
        "portal/deals/<uuid:pk>/", views.PortalDealDetailView.as_view(), name="portal_deal_detail"
    ),
    path(
        "portal/deals/<uuid:pk>/edit/", views.PortalDealEditView.as_view(), name="portal_deal_edit"
    ),
    path(
        "portal/deals/<uuid:pk>/submit/",
        views.PortalDealSubmitView.as_view(),
        name="portal_deal_submit",
    ),
    path(
        "portal/deals/<uuid:pk>/comment/",
        views.PortalCommentView.as_view(),
        name="portal_deal_comment",
    ),
    path(
        "portal/deals/<uuid:pk>/stage/", views.PortalStageView.as_view(), name="portal_deal_stage"
    ),
    path(
        "portal/deals/<uuid:pk>/close/", views.PortalCloseView.as_view(), name="portal_deal_close"
    ),
    path(
        "portal/deals/<uuid:pk>/extension/",
        views.ExtensionRequestView.as_view(),
        name="portal_deal_extension",
    ),
    path("portal/leads/", views.PortalLeadListView.as_view(), name="portal_lead_list"),
    path(
        "portal/leads/<uuid:pk>/", views.PortalLeadDetailView.as_view(), name="portal_lead_detail"
    ),
    # --- vendor console ---------------------------------------------------------------
    path("manage/deals/", views.ConsoleDealListView.as_view(), name="console_deal_list"),
    path(
        "manage/deals/export.csv", views.ConsoleDealExportView.as_view(), name="console_deal_export"
    ),
    path("manage/deals/review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path(
        "manage/deals/partner-options/",
        views.PartnerOptionsView.as_view(),
        name="partner_options",
    ),
    path(
        "manage/deals/review/approve/",
        views.ReviewBulkApproveView.as_view(),
        name="review_bulk_approve",
    ),
    path(
        "manage/deals/<uuid:pk>/", views.ConsoleDealDetailView.as_view(), name="console_deal_detail"
    ),
    path("manage/deals/<uuid:pk>/approve/", views.ApproveView.as_view(), name="deal_approve"),
    path("manage/deals/<uuid:pk>/reject/", views.RejectView.as_view(), name="deal_reject"),
    path(
        "manage/deals/<uuid:pk>/request-info/",
        views.RequestInfoView.as_view(),
        name="deal_request_info",
    ),
    path(
        "manage/deals/<uuid:pk>/comment/",
        views.ConsoleCommentView.as_view(),
        name="console_deal_comment",
    ),
    path(
        "manage/deals/<uuid:pk>/stage/", views.ConsoleStageView.as_view(), name="console_deal_stage"
    ),
    path(
        "manage/deals/<uuid:pk>/close/", views.ConsoleCloseView.as_view(), name="console_deal_close"
    ),
    path(
        "manage/deals/<uuid:pk>/reopen/",
        views.ConsoleReopenView.as_view(),
        name="console_deal_reopen",
    ),
    path("manage/deals/<uuid:pk>/sales-rep/", views.SalesRepView.as_view(), name="deal_sales_rep"),
    path(
        "manage/deals/<uuid:pk>/partners/", views.DealPartnersView.as_view(), name="deal_partners"
    ),
    path(
        "manage/extensions/<uuid:pk>/decide/",
        views.ExtensionDecideView.as_view(),
        name="extension_decide",
    ),
    path("manage/conflicts/", views.ConflictListView.as_view(), name="conflict_list"),
    path("manage/conflicts/<uuid:pk>/", views.ConflictDetailView.as_view(), name="conflict_detail"),
    path("manage/leads/", views.LeadListView.as_view(), name="lead_list"),
    path("manage/leads/new/", views.LeadCreateView.as_view(), name="lead_create"),
    path("manage/leads/import/", views.LeadImportView.as_view(), name="lead_import"),
    path(
        "manage/leads/import/template.csv",
        views.LeadImportTemplateView.as_view(),
        name="lead_import_template",
    ),
    path(
        "manage/leads/import/<uuid:pk>/",
        views.LeadImportDetailView.as_view(),
        name="lead_import_detail",
    ),
    path("manage/leads/<uuid:pk>/", views.LeadDetailView.as_view(), name="lead_detail"),
    path("manage/motions/", views.MotionListView.as_view(), name="motion_list"),
    path("manage/motions/new/", views.MotionCreateView.as_view(), name="motion_create"),
    path("manage/motions/<uuid:pk>/", views.MotionDetailView.as_view(), name="motion_detail"),
    path("manage/products/", views.ProductListView.as_view(), name="product_list"),
    path("manage/products/new/", views.ProductFormView.as_view(), name="product_create"),
    path("manage/products/<uuid:pk>/", views.ProductFormView.as_view(), name="product_edit"),
    path("manage/routing-rules/", views.RoutingRuleListView.as_view(), name="routing_rule_list"),
    path(
        "manage/routing-rules/new/", views.RoutingRuleFormView.as_view(), name="routing_rule_create"
    ),
    path(
        "manage/routing-rules/<uuid:pk>/",
        views.RoutingRuleFormView.as_view(),
        name="routing_rule_edit",
    ),
    path("manage/deal-settings/", views.DealSettingsView.as_view(), name="settings"),
]
