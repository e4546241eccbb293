"""Announcement writes: staff publish to an audience; partner users' read receipts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from prm.core.richtext import markdown_to_html
from prm.tenancy.models import Membership

from ..models import Announcement, AnnouncementRead


def _require_staff(membership: Membership) -> None:
    if membership is None or not membership.is_staff_role:
        raise PermissionDenied("Only the vendor's staff publish announcements.")


def announcement_save(*, announcement: Announcement, acting_membership: Membership) -> Announcement:
    """Create or update an announcement; its body is sanitised here, once."""
    _require_staff(acting_membership)
    errors = {}
    if not (announcement.title or "").strip():
        errors["title"] = "Give the announcement a title."
    if not (announcement.body_markdown or "").strip():
        errors["body_markdown"] = "Write what you want partners to know."
    if announcement.expires_at and announcement.expires_at <= timezone.now():
        errors["expires_at"] = "The expiry must be in the future."
    if errors:
        raise ValidationError(errors)
    announcement.title = announcement.title.strip()
    announcement.body_html = markdown_to_html(announcement.body_markdown)
    if announcement.created_by_id is None:
        announcement.created_by = acting_membership.user
    with transaction.atomic():
        announcement.save()
    return announcement


def announcement_publish(
    *, announcement: Announcement, acting_membership: Membership, publish: bool = True
) -> Announcement:
    """Publish now (partners of the audience see it at once), or withdraw it."""
    _require_staff(acting_membership)
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if publish and announcement.published_at is None:
            if announcement.expires_at and announcement.expires_at <= timezone.now():
                raise ValidationError({"expires_at": "It has expired: change the expiry first."})
            announcement.published_at = timezone.now()
        elif not publish:
            announcement.published_at = None
        announcement.save(update_fields=["published_at", "updated_at"])
    return announcement


def announcement_mark_read(*, announcement: Announcement, acting_membership: Membership) -> bool:
    """Record that this person opened it; True the first time. Staff leave no receipt."""
    if acting_membership is None or not acting_membership.is_partner:
        return False
    _, created = AnnouncementRead.objects.get_or_create(
        announcement=announcement, user=acting_membership.user
    )
    return created
