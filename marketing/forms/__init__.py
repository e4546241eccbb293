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

__all__ = [
    "AnnouncementForm",
    "AudienceFormMixin",
    "CampaignAssetForm",
    "CampaignForm",
    "LandingLeadForm",
    "LaunchForm",
    "LaunchUpdateForm",
]
