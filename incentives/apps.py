from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = "Incentives"

    def ready(self) -> None:
        from deals.events import DEAL_STATUS_CHANGED
        from enablement.events import CERTIFICATION_EARNED
        from prm.core.events import subscribe

        from . import handlers

        subscribe(DEAL_STATUS_CHANGED, handlers.on_deal_status_changed)
        subscribe(CERTIFICATION_EARNED, handlers.on_certification_earned)
