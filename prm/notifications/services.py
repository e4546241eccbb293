"""The one way to tell someone something: an inbox entry and, optionally, an e-mail."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from prm.tenancy.context import require_current_tenant

from .models import Notification

if TYPE_CHECKING:
    from prm.accounts.models import User

logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
    email: bool = True,
    actor: User | None = None,
) -> int:
    """Notify each recipient (User) in the current tenant, at most once per dedupe_key.

    `kind` is a short machine name ("deal.approved"); `dedupe_key` identifies the event
    ("deal:<id>:approved"): notifying the same recipient with the same key again does
    nothing, so a retried or re-run job never notifies twice. E-mails are sent after the
    transaction commits. Returns the number of new notifications. The actor is not told
    about their own action.
    """
    tenant = require_current_tenant()
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if actor is not None:
        users.pop(actor.pk, None)
    if not users:
        return 0
    with transaction.atomic():
        already = set(
            Notification.objects.filter(
                recipient_id__in=list(users), dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
        )
        new = [
            Notification(
                tenant=tenant,
                recipient_id=user_id,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                dedupe_key=dedupe_key[:200],
                send_email=email,
            )
            for user_id in users
            if user_id not in already
        ]
        # The unique constraint settles a race between two writers of the same event.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        if email and new:
            ids = [str(n.id) for n in new]
            tenant_id = tenant.pk

            def enqueue() -> None:
                from .tasks import send_notification_emails

                try:
                    send_notification_emails.delay(tenant_id=tenant_id, notification_ids=ids)
                except Exception:
                    # The broker is down: the notifications are committed with no e-mail
                    # sent yet, and the outbox sweep (notifications.sweep_outbox) sends
                    # them once it is back. The request that caused them still succeeds.
                    logger.warning("e-mail not enqueued; the outbox sweep will send it")

            transaction.on_commit(enqueue)
    return len(new)


def notifications_mark_read(*, user: User, ids: Iterable[UUID] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ids is None)."""
    queryset = Notification.objects.for_recipient(user, unread=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
