"""Marketing models, one module per feature; import them from here."""

from .campaigns import Campaign, CampaignAsset, CampaignLaunch, CampaignLead, CampaignPageViews

__all__ = ["Campaign", "CampaignAsset", "CampaignLaunch", "CampaignLead", "CampaignPageViews"]
