"""E-mail for notifications: one message per notification, and a daily digest."""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from prm.celery import tenant_task
from prm.tenancy.context import require_current_tenant

from .models import Notification


def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return require_current_tenant().absolute_url(url)


def message_id(notification: Notification) -> str:
    """One Message-ID per notification: a resent e-mail is recognisably the same one."""
    return f"<notification-{notification.pk}@{require_current_tenant().slug}.prm>"


def _send_one(notification_id) -> bool:
    """Send one notification's e-mail in a transaction of its own; False if not due.

    The row is locked while sending (two workers cannot both send it) and marked sent in
    the same commit, so a worker killed after this commit never sends it again. Only a
    kill between the SMTP hand-over and this commit can repeat one e-mail, and it then
    carries the same Message-ID.
    """
    tenant = require_current_tenant()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, send_email=True, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        body = notification.body
        link = _absolute(notification.url)
        if link:
            body = f"{body}\n\n{link}" if body else link
        EmailMessage(
            subject=f"[{tenant.name}] {notification.title}",
            body=body or notification.title,
            to=[notification.recipient.email],
            headers={"Message-ID": message_id(notification)},
        ).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


@tenant_task(name="notifications.send_emails", atomic=False)
def send_notification_emails(*, tenant_id: int, notification_ids: list[str]) -> int:
    """Send the e-mail of each notification once; `emailed_at` makes a retry a no-op.

    One transaction per e-mail: a worker killed in the middle has committed what it sent,
    and the redelivered task sends only the rest.
    """
    return sum(_send_one(pk) for pk in notification_ids)


# Notifications whose e-mail is older than this and still unsent are picked up again.
OUTBOX_GRACE = timedelta(minutes=5)


@tenant_task(name="notifications.sweep_outbox", atomic=False)
def sweep_outbox(*, tenant_id: int) -> int:
    """Send e-mails whose task never ran (the broker was down when they were made).

    The notifications table is the outbox: a row with `send_email` and no `emailed_at`
    after the grace period was not sent, whatever happened to its task.
    """
    cutoff = timezone.now() - OUTBOX_GRACE
    ids = list(
        Notification.objects.filter(
            send_email=True, emailed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:2000]
    )
    return sum(_send_one(pk) for pk in ids)


@tenant_task(name="notifications.send_digest")
def send_digest(*, tenant_id: int) -> int:
    """Once a day, one e-mail per person listing what is still unread from the last day.

    The digest itself is a notification with a dated dedupe key, so running the job twice
    on one day sends one digest.
    """
    from .services import notify

    since = timezone.now() - timedelta(days=1)
    today = timezone.localdate()
    unread = (
        Notification.objects.filter(read_at__isnull=True, created_at__gte=since)
        .exclude(kind="digest")
        .values("recipient")
        .annotate(n=Count("id"))
    )
    from prm.accounts.models import User

    counts = {row["recipient"]: row["n"] for row in unread}
    sent = 0
    for user in User.objects.filter(pk__in=list(counts)).iterator(chunk_size=500):
        titles = list(
            Notification.objects.for_recipient(user, unread=True)
            .filter(created_at__gte=since)
            .exclude(kind="digest")
            .values_list("title", flat=True)[:20]
        )
        sent += notify(
            recipients=[user],
            kind="digest",
            title=f"{counts[user.pk]} unread item(s) in your inbox",
            body="\n".join(f"- {t}" for t in titles),
            url="/inbox/",
            dedupe_key=f"digest:{today.isoformat()}",
        )
    # The digest is an e-mail about the inbox, not an item to read in it.
    Notification.objects.filter(kind="digest", read_at__isnull=True).update(read_at=timezone.now())
    return sent
