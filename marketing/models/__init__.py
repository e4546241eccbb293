"""Marketing models, one module per feature; import them from here."""

from .announcements import Announcement, AnnouncementRead
from .campaigns import (
    Campaign,
    CampaignAsset,
    CampaignFunding,
    CampaignLaunch,
    CampaignLead,
    CampaignLibraryAsset,
    CampaignPageViews,
)
from .help import HelpReply, HelpRequest
from .surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

__all__ = [
    "Announcement",
    "AnnouncementRead",
    "Campaign",
    "CampaignAsset",
    "CampaignFunding",
    "CampaignLaunch",
    "CampaignLead",
    "CampaignLibraryAsset",
    "CampaignPageViews",
    "HelpReply",
    "HelpRequest",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
]
