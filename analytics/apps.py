from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self):
        from deals.events import DEAL_STATUS_CHANGED
        from enablement.events import CERTIFICATION_EARNED, CERTIFICATION_REVOKED
        from prm.core import events

        from . import handlers, providers

        events.subscribe(DEAL_STATUS_CHANGED, handlers.on_deal_status_changed)
        events.subscribe(CERTIFICATION_EARNED, handlers.on_certification_earned)
        # A revoked award no longer counts: refresh the organization's figures the same way.
        events.subscribe(CERTIFICATION_REVOKED, handlers.on_certification_earned)
        providers.register_all()
