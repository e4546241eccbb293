"""Reads about who belongs to the current tenant."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .choices import STAFF_ROLES
from .models import Membership


def staff_users(*, roles: Iterable[str] = STAFF_ROLES) -> QuerySet:
    """Users with an active membership in the current tenant in one of `roles`.

    Users are global: this is how a user field offers (and a notice reaches) only this
    tenant's program admins and channel managers.
    """
    from prm.accounts.models import User

    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(role__in=list(roles), is_active=True).values("user_id"),
    ).order_by("full_name", "email")
