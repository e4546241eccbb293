"""Pages of this app: partner portal under /portal/, vendor console under /manage/,
public landing pages under /c/<partner>/<campaign>/."""

from django.urls import path

from .views import announcements, campaigns, help, public, surveys

app_name = "marketing"

urlpatterns = [
    # Public landing pages of partners' launches.
    path(
        "c/<slug:partner_slug>/<slug:campaign_slug>/",
        public.LandingPageView.as_view(),
        name="landing",
    ),
    path(
        "c/<slug:partner_slug>/<slug:campaign_slug>/thanks/",
        public.LandingThanksView.as_view(),
        name="landing_thanks",
    ),
    path(
        "c/<slug:partner_slug>/<slug:campaign_slug>/logo/",
        public.LandingLogoView.as_view(),
        name="landing_logo",
    ),
    # Portal: campaigns.
    path(
        "portal/campaigns/", campaigns.PortalCampaignListView.as_view(), name="portal_campaign_list"
    ),
    path(
        "portal/campaigns/<uuid:pk>/",
        campaigns.PortalCampaignDetailView.as_view(),
        name="portal_campaign_detail",
    ),
    path(
        "portal/campaign-launches/<uuid:pk>/",
        campaigns.PortalLaunchDetailView.as_view(),
        name="portal_launch_detail",
    ),
    path(
        "campaign-assets/<uuid:pk>/",
        campaigns.CampaignAssetDownloadView.as_view(),
        name="campaign_asset_download",
    ),
    # Console: campaigns.
    path("manage/campaigns/", campaigns.CampaignListView.as_view(), name="console_campaign_list"),
    path(
        "manage/campaigns/new/",
        campaigns.CampaignFormView.as_view(),
        name="console_campaign_create",
    ),
    path(
        "manage/campaigns/<uuid:pk>/",
        campaigns.CampaignDetailView.as_view(),
        name="console_campaign_detail",
    ),
    path(
        "manage/campaigns/<uuid:pk>/edit/",
        campaigns.CampaignFormView.as_view(),
        name="console_campaign_edit",
    ),
    path(
        "manage/campaigns/<uuid:pk>/status/",
        campaigns.CampaignStatusView.as_view(),
        name="console_campaign_status",
    ),
    path(
        "manage/campaigns/<uuid:pk>/assets/",
        campaigns.CampaignAssetUploadView.as_view(),
        name="console_campaign_asset_upload",
    ),
    path(
        "manage/campaign-assets/<uuid:pk>/delete/",
        campaigns.CampaignAssetDeleteView.as_view(),
        name="console_campaign_asset_delete",
    ),
    path(
        "manage/campaigns/<uuid:pk>/library/",
        campaigns.CampaignLibrarySearchView.as_view(),
        name="console_campaign_library_search",
    ),
    path(
        "manage/campaigns/<uuid:pk>/library/add/",
        campaigns.CampaignLibraryAddView.as_view(),
        name="console_campaign_library_add",
    ),
    path(
        "manage/campaign-library-assets/<uuid:pk>/remove/",
        campaigns.CampaignLibraryRemoveView.as_view(),
        name="console_campaign_library_remove",
    ),
    # Announcements.
    path(
        "portal/announcements/",
        announcements.PortalAnnouncementListView.as_view(),
        name="portal_announcement_list",
    ),
    path(
        "portal/announcements/<uuid:pk>/",
        announcements.PortalAnnouncementDetailView.as_view(),
        name="portal_announcement_detail",
    ),
    path(
        "manage/announcements/",
        announcements.AnnouncementListView.as_view(),
        name="console_announcement_list",
    ),
    path(
        "manage/announcements/new/",
        announcements.AnnouncementFormView.as_view(),
        name="console_announcement_create",
    ),
    path(
        "manage/announcements/<uuid:pk>/",
        announcements.AnnouncementDetailView.as_view(),
        name="console_announcement_detail",
    ),
    path(
        "manage/announcements/<uuid:pk>/edit/",
        announcements.AnnouncementFormView.as_view(),
        name="console_announcement_edit",
    ),
    path(
        "manage/announcements/<uuid:pk>/publish/",
        announcements.AnnouncementPublishView.as_view(),
        name="console_announcement_publish",
    ),
    # Help requests.
    path("portal/help/", help.PortalHelpListView.as_view(), name="portal_help_list"),
    path("portal/help/<uuid:pk>/", help.PortalHelpDetailView.as_view(), name="portal_help_detail"),
    path("manage/help/", help.HelpListView.as_view(), name="console_help_list"),
    path("manage/help/<uuid:pk>/", help.HelpDetailView.as_view(), name="console_help_detail"),
    path(
        "help-attachments/<uuid:pk>/",
        help.HelpAttachmentView.as_view(),
        name="help_attachment",
    ),
    # Surveys.
    path("portal/surveys/", surveys.PortalSurveyListView.as_view(), name="portal_survey_list"),
    path(
        "portal/surveys/<uuid:pk>/",
        surveys.PortalSurveyDetailView.as_view(),
        name="portal_survey_detail",
    ),
    path("manage/surveys/", surveys.SurveyListView.as_view(), name="console_survey_list"),
    path("manage/surveys/new/", surveys.SurveyFormView.as_view(), name="console_survey_create"),
    path(
        "manage/surveys/<uuid:pk>/",
        surveys.SurveyDetailView.as_view(),
        name="console_survey_detail",
    ),
    path(
        "manage/surveys/<uuid:pk>/edit/",
        surveys.SurveyFormView.as_view(),
        name="console_survey_edit",
    ),
    path(
        "manage/surveys/<uuid:pk>/questions/",
        surveys.SurveyQuestionAddView.as_view(),
        name="console_survey_question_add",
    ),
    path(
        "manage/surveys/<uuid:pk>/publish/",
        surveys.SurveyPublishView.as_view(),
        name="console_survey_publish",
    ),
    path(
        "manage/surveys/<uuid:pk>/export.csv",
        surveys.SurveyExportView.as_view(),
        name="console_survey_export",
    ),
]
