"""Small display helpers of the deals pages."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_left(deal) -> int | None:
    if not deal.protection_expires_on:
        return None
    return (deal.protection_expires_on - timezone.localdate()).days


@register.filter
def transition_value(value: str, kind: str) -> str:
    """A recorded status as its label ("info_requested" → "More information requested")."""
    from deals.choices import DealStatus

    if kind == "status" and value in DealStatus.values:
        return DealStatus(value).label
    return value


@register.filter
def open_conflict(deal) -> bool:
    """Whether a registration has an undecided conflict: approving it is refused.

    Queue rows carry it as an annotation (one query for the page); a row re-rendered
    after an action asks once.
    """
    found = getattr(deal, "has_open_conflict", None)
    if found is None:
        from deals.models import DealConflict

        found = DealConflict.objects.involving(deal).open().exists()
        deal.has_open_conflict = found
    return bool(found)
