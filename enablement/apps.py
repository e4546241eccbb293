from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = "Enablement"

    def ready(self):
        from deals.providers import registration_gates
        from partners.providers import metric_providers

        from .selectors import motion_registration_gate, partner_tier_metrics

        # The tier page's "certified people", and the learning path a motion requires.
        metric_providers.register(partner_tier_metrics)
        registration_gates.register(motion_registration_gate)
