from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prm.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.dispatch import receiver
        from django_structlog import signals

        @receiver(signals.bind_extra_request_metadata, weak=False)
        def bind_tenant(request, logger, **kwargs):
            # Every log line of a request says which tenant it served.
            import structlog

            tenant = getattr(request, "tenant", None)
            structlog.contextvars.bind_contextvars(
                tenant_id=tenant.pk if tenant is not None else None
            )
