from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Deals"

    def ready(self):
        from partners.providers import metric_providers
        from prm.tenancy.rls import securing_steps

        from .dbsecurity import secure_similar_names_lookup
        from .selectors import partner_tier_metrics

        # The tier page measures won revenue, won deals and approved registrations here.
        metric_providers.register(partner_tier_metrics)
        # The trigram lookup's owner and grants, again after every migrate and restore.
        securing_steps.register(secure_similar_names_lookup)
