"""What every page needs to know about where it is and who is looking."""

from django.utils.functional import SimpleLazyObject


def _unread_count(request) -> int:
    from prm.notifications.models import Notification

    return Notification.objects.for_recipient(request.user, unread=True).count()


def portal(request) -> dict:
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    if membership and membership.is_staff_role:
        layout = "console/base.html"
    elif membership and membership.is_partner:
        layout = "portal/base.html"
    else:
        layout = "base.html"
    return {
        "tenant": tenant,
        "membership": membership,
        # The layout a page that serves everyone (the 403 and 404 pages) extends.
        "layout_template": layout,
        "is_staff_member": bool(membership and membership.is_staff_role),
        "is_partner_user": bool(membership and membership.is_partner),
        # Lazy: one indexed count, and only when a page shows the header.
        "unread_notifications": SimpleLazyObject(lambda: _unread_count(request))
        if membership
        else 0,
    }
