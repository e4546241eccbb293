"""E-mail for notifications: one message per notification, and a daily digest."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import timezone

from prm.celery import tenant_task
from prm.tenancy.context import require_current_tenant

from .models import Notification
from .services import notifications_send_digest


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
    return notifications_send_digest()
