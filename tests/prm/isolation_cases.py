"""Isolation cases for the core's URLs (inbox, people, API keys)."""

from prm.notifications.models import Notification
from tests.isolation.registry import Target, register


@register("notifications:open", methods=("GET", "POST"))
def _notification(world):
    notification = Notification.objects.create(
        recipient=world.partner_a1.user,
        kind="test",
        title="Secret notification of A1",
        dedupe_key="iso",
    )
    return Target(kwargs={"pk": notification.pk}, obj=notification, marker=notification.title)
