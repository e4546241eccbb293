"""The one way to tell someone something: an inbox entry and, optionally, an e-mail."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.db.models import Count
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


def notifications_settle(
    *,
    dedupe_keys: Iterable[str] = (),
    prefixes: Iterable[str] = (),
    recipients: Iterable | None = None,
) -> int:
    """What these notifications asked for is done (an application decided, an agreement
    accepted): they leave "What needs you" by being marked read, for every recipient or
    only `recipients` (Users). They stay in the inbox as history."""
    from django.db.models import Q

    condition = Q()
    for key in dedupe_keys:
        condition |= Q(dedupe_key=key)
    for prefix in prefixes:
        condition |= Q(dedupe_key__startswith=prefix)
    if not condition:
        return 0
    queryset = Notification.objects.filter(condition, read_at__isnull=True)
    if recipients is not None:
        queryset = queryset.filter(recipient__in=[getattr(u, "pk", u) for u in recipients])
    return queryset.update(read_at=timezone.now())


def notifications_send_digest(*, now: datetime | None = None) -> int:
    """One digest per person listing what is still unread from the last day, plus the
    lines higher apps add (`prm.notifications.providers.digest_sections`, e.g. new
    announcements); the number of digests sent.

    The digest itself is a notification with a dated dedupe key, so running this twice on
    one day sends one digest.
    """
    from prm.accounts.models import User

    from .providers import digest_sections

    now = now or timezone.now()
    since = now - timedelta(days=1)
    today = timezone.localdate(now)
    unread = (
        Notification.objects.filter(read_at__isnull=True, created_at__gte=since)
        .exclude(kind="digest")
        .values("recipient")
        .annotate(n=Count("id"))
    )
    counts = {row["recipient"]: row["n"] for row in unread}
    extra: dict = {}
    for provider in digest_sections:
        for user_id, lines in provider(since).items():
            extra.setdefault(user_id, []).extend(lines)
    sent = 0
    people = User.objects.filter(pk__in=list(counts.keys() | extra.keys()))
    for user in people.iterator(chunk_size=500):
        titles = list(
            Notification.objects.for_recipient(user, unread=True)
            .filter(created_at__gte=since)
            .exclude(kind="digest")
            .values_list("title", flat=True)[:20]
        )
        lines = [f"- {t}" for t in titles] + [f"- {line}" for line in extra.get(user.pk, [])]
        count = counts.get(user.pk, 0)
        sent += notify(
            recipients=[user],
            kind="digest",
            title=f"{count} unread item(s) in your inbox" if count else "What is new in the portal",
            body="\n".join(lines),
            url="/inbox/",
            dedupe_key=f"digest:{today.isoformat()}",
        )
    # The digest is an e-mail about the inbox, not an item to read in it.
    Notification.objects.filter(kind="digest", read_at__isnull=True).update(read_at=now)
    return sent
