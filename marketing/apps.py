from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        from prm.core.providers import header_counts
        from prm.notifications.providers import digest_sections

        from .selectors import announcement_digest_lines, announcements_header_count

        # Unread announcements beside the inbox, and new ones in the daily digest.
        header_counts.register(announcements_header_count)
        digest_sections.register(announcement_digest_lines)
