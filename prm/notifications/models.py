"""What the portal told whom: the in-app inbox, and whether it went out by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from prm.tenancy.managers import TenantManager, TenantQuerySet
from prm.tenancy.models import TenantOwned


class NotificationQuerySet(TenantQuerySet):
    def for_recipient(self, user, *, unread: bool = False) -> NotificationQuerySet:
        """The inbox of `user` in the current tenant (only the unread ones if asked)."""
        queryset = self.filter(recipient=user)
        return queryset.filter(read_at__isnull=True) if unread else queryset


class Notification(TenantOwned):
    """One message to one person in one tenant; unique per (recipient, dedupe key).

    The dedupe key names the event ("deal:<id>:approved", "cadence:<org>:2026-11-25"):
    a job that runs twice, or a retried request, finds the row and notifies nobody again.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60, help_text='A machine name, e.g. "deal.approved".')
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200)
    send_email = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(NotificationQuerySet)()

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "recipient", "dedupe_key"), name="notification_dedupe"
            ),
        ]
        indexes = [
            models.Index(
                fields=("tenant", "recipient", "created_at"), name="notification_inbox_idx"
            ),
            models.Index(
                fields=("tenant", "recipient"),
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The e-mail outbox: what is still to be sent (prm.notifications.tasks).
            models.Index(
                fields=("tenant", "created_at"),
                condition=models.Q(send_email=True, emailed_at__isnull=True),
                name="notification_outbox_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
