"""The Celery app, and the base every tenant job runs on.

Every job belongs to one tenant. `@tenant_task` makes a task whose body runs with that
tenant current (so the scoped managers and row-level security both see only its rows)
inside one transaction; a call without `tenant_id` is refused. Periodic jobs are
scheduled once in `CELERY_BEAT_SCHEDULE` as the `prm.fan_out` task, which enqueues the
named tenant task once per active tenant.

    @tenant_task(name="deals.expire_lapsed")
    def expire_lapsed(*, tenant_id: int) -> int:
        return services.deals_expire_lapsed(now=timezone.now())

    expire_lapsed.delay(tenant_id=tenant.pk)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from celery import Celery, shared_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.local")

app = Celery("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TenantRequiredError(ValueError):
    """A tenant task was called without a tenant: refused rather than run for all."""


def tenant_task(
    name: str | None = None, *, atomic: bool = True, **celery_options: Any
) -> Callable[[Callable[..., Any]], Any]:
    """Declare a Celery task that runs for exactly one tenant.

    The task takes `tenant_id` as a keyword argument (ids, never objects: tasks are
    JSON). Inside, the tenant is current and the body runs in `transaction.atomic`, so a
    failure leaves nothing half-done and a retry starts from the same state. Bodies must
    be idempotent (notifications carry a dedupe key), since a task may run twice: tasks
    are acknowledged only after they finish (`acks_late`), so a worker killed in the
    middle leaves the message to be delivered again, and the rolled-back transaction
    means the second run starts from the same state.

    `atomic=False` is for a task that talks to the outside world item by item (e-mail):
    it commits per item itself, so what was done before a crash is not done again.
    """

    def decorator(func: Callable[..., Any]):
        @functools.wraps(func)
        def run(*args: Any, tenant_id: int | None = None, **kwargs: Any) -> Any:
            from django.db import transaction

            from prm.tenancy.context import tenant_context
            from prm.tenancy.models import Tenant

            if tenant_id is None:
                raise TenantRequiredError(
                    f"Task {run.__name__} needs tenant_id: every job belongs to one tenant."
                )
            tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
            if tenant is None:
                return None  # deleted or deactivated since it was enqueued: nothing to do
            with tenant_context(tenant):
                if not atomic:
                    return func(*args, tenant_id=tenant_id, **kwargs)
                with transaction.atomic():
                    return func(*args, tenant_id=tenant_id, **kwargs)

        return shared_task(name=name, **celery_options)(run)

    return decorator


def claim_slot(task_name: str, period_seconds: int, *, now: float | None = None) -> bool:
    """True for the first caller of `task_name` in the current period, False after.

    Two beat processes started by mistake, or a beat restarted inside a period, would
    enqueue the same job twice; the claim is an atomic SET NX in Redis that expires after
    the period, so exactly one fan-out per job and period goes through.
    """
    import time

    from django.core.cache import cache

    slot = int((now if now is not None else time.time()) // period_seconds)
    return cache.add(f"fan-out:{task_name}:{period_seconds}:{slot}", 1, period_seconds * 2)


@shared_task(name="prm.fan_out")
def fan_out(task_name: str, period_seconds: int | None = None, **kwargs: Any) -> int:
    """Enqueue the tenant task `task_name` once for every active tenant.

    With `period_seconds` (the beat schedule passes it), only once per period, however
    many beats ask.
    """
    from prm.tenancy.models import Tenant

    if period_seconds and not claim_slot(task_name, period_seconds):
        return 0
    task = app.tasks[task_name]
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        task.delay(tenant_id=tenant_id, **kwargs)
    return len(tenant_ids)
