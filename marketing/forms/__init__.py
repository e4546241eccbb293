"""Marketing forms, one module per feature; import them from here."""

from .audience import AudienceFormMixin
from .campaigns import (
    CampaignAssetForm,
    CampaignForm,
    LandingLeadForm,
    LaunchForm,
    LaunchUpdateForm,
)

__all__ = [
    "AudienceFormMixin",
    "CampaignAssetForm",
    "CampaignForm",
    "LandingLeadForm",
    "LaunchForm",
    "LaunchUpdateForm",
]
