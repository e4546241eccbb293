"""Marketing writes, one module per feature; import them from here."""

from .announcements import announcement_mark_read, announcement_publish, announcement_save
from .campaigns import (
    ASSET_KINDS,
    ASSET_MAX_BYTES,
    PLACEHOLDERS,
    Branding,
    branding_for,
    campaign_asset_add,
    campaign_asset_delete,
    campaign_launch,
    campaign_launch_update,
    campaign_lead_submit,
    campaign_save,
    campaign_set_status,
    consent_text,
    fill_placeholders,
    landing_is_open,
    landing_page_view_record,
)

__all__ = [
    "announcement_mark_read",
    "announcement_publish",
    "announcement_save",
    "ASSET_KINDS",
    "ASSET_MAX_BYTES",
    "PLACEHOLDERS",
    "Branding",
    "branding_for",
    "campaign_asset_add",
    "campaign_asset_delete",
    "campaign_launch",
    "campaign_launch_update",
    "campaign_lead_submit",
    "campaign_save",
    "campaign_set_status",
    "consent_text",
    "fill_placeholders",
    "landing_is_open",
    "landing_page_view_record",
]
