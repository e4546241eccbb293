"""Marketing forms, one module per feature; import them from here."""

from .announcements import AnnouncementForm
from .audience import AudienceFormMixin
from .campaigns import (
    CampaignAssetForm,
    CampaignForm,
    LandingLeadForm,
    LaunchForm,
    LaunchUpdateForm,
)
from .help import HelpRatingForm, HelpReplyForm, HelpRequestForm
from .surveys import AnswerForm, QuestionForm, SurveyForm

__all__ = [
    "AnswerForm",
    "QuestionForm",
    "SurveyForm",
    "HelpRatingForm",
    "HelpReplyForm",
    "HelpRequestForm",
    "AnnouncementForm",
    "AudienceFormMixin",
    "CampaignAssetForm",
    "CampaignForm",
    "LandingLeadForm",
    "LaunchForm",
    "LaunchUpdateForm",
]
