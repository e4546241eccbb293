"""E-mail for notifications: one message per notification, and a daily digest."""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import send_mail
from django.db.models import Count
from django.utils import timezone

from prm.celery import tenant_task
from prm.tenancy.context import require_current_tenant

from .models import Notification


def _absolute(url: str) -> str:
    if not url or url.startswith("http"):
        return url
    return require_current_tenant().absolute_url(url)


@tenant_task(name="notifications.send_emails")
def send_notification_emails(*, tenant_id: int, notification_ids: list[str]) -> int:
    """Send the e-mail of each notification once; `emailed_at` makes a retry a no-op.

    The rows are locked while sending, so two workers running the same task cannot both
    send one notification.
    """
    pending = (
        Notification.objects.select_for_update(skip_locked=True)
        .select_related("recipient")
        .filter(pk__in=notification_ids, send_email=True, emailed_at__isnull=True)
    )
    tenant = require_current_tenant()
    sent = 0
    for notification in pending:
        body = notification.body
        link = _absolute(notification.url)
        if link:
            body = f"{body}\n\n{link}" if body else link
        send_mail(
            subject=f"[{tenant.name}] {notification.title}",
            message=body or notification.title,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        sent += 1
    return sent


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

    from .providers import digest_sections

    counts = {row["recipient"]: row["n"] for row in unread}
    # Lines that higher apps add (e.g. new announcements), per person.
    extra: dict = {}
    for provider in digest_sections:
        for user_id, lines in provider(since).items():
            extra.setdefault(user_id, []).extend(lines)
    sent = 0
    for user in User.objects.filter(pk__in=list(counts.keys() | extra.keys())).iterator(
        chunk_size=500
    ):
        titles = list(
            Notification.objects.for_recipient(user, unread=True)
            .filter(created_at__gte=since)
            .exclude(kind="digest")
            .values_list("title", flat=True)[:20]
        )
        lines = [f"- {t}" for t in titles] + [f"- {line}" for line in extra.get(user.pk, [])]
        count = counts.get(user.pk, 0)
        title = f"{count} unread item(s) in your inbox" if count else "What is new in the portal"
        sent += notify(
            recipients=[user],
            kind="digest",
            title=title,
            body="\n".join(lines),
            url="/inbox/",
            dedupe_key=f"digest:{today.isoformat()}",
        )
    # The digest is an e-mail about the inbox, not an item to read in it.
    Notification.objects.filter(kind="digest", read_at__isnull=True).update(read_at=timezone.now())
    return sent
