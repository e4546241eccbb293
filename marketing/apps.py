from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        from incentives.providers import FundRequestLink, fund_request_links
        from prm.core.providers import header_counts
        from prm.notifications.providers import digest_sections

        from .selectors import (
            announcement_digest_lines,
            announcements_header_count,
            funding_describe,
        )
        from .services import campaign_links

        # Unread announcements beside the inbox, and new ones in the daily digest.
        header_counts.register(announcements_header_count)
        digest_sections.register(announcement_digest_lines)
        # An MDF fund request may name the campaign it funds (one the partner launched):
        # incentives offers the field and calls these; it never imports marketing.
        fund_request_links.register(
            FundRequestLink(
                name="campaign",
                label="Campaign it funds",
                help_text="Optional: one of the co-branded campaigns your organization launched.",
                options=campaign_links.funding_options,
                resolve=campaign_links.funding_resolve,
                attach=campaign_links.funding_attach,
                describe=funding_describe,
            )
        )
