"""The marketing panel of the partner portal's home page."""

from django import template

from ..models import Announcement

register = template.Library()

HOME_ANNOUNCEMENTS = 5


@register.inclusion_tag("marketing/_portal_panel.html", takes_context=True)
def marketing_portal_panel(context):
    membership = context.get("membership")
    if membership is None or not membership.is_partner:
        return {"show": False}
    announcements = (
        Announcement.objects.visible_to(membership)
        .with_read_by(membership.user)
        .order_by("-is_pinned", "is_read", "-published_at")[:HOME_ANNOUNCEMENTS]
    )
    return {"show": True, "announcements": list(announcements)}
