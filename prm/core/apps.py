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
            # Every log line of a request says which tenant it served, and the client's
            # address as the per-IP limits see it (prm.core.clientip: X-Forwarded-For
            # only as far as our own proxies go). django-structlog's own IP lookup is
            # off (DJANGO_STRUCTLOG_IP_LOGGING_ENABLED): it believed any forwarded
            # header and cost a fifth of a signed-in request.
            import structlog

            from prm.core.clientip import client_ip

            tenant = getattr(request, "tenant", None)
            structlog.contextvars.bind_contextvars(
                tenant_id=tenant.pk if tenant is not None else None,
                ip=client_ip(request),
            )
