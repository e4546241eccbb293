"""Creating, checking and revoking API keys."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from prm.accounts.mfa import MFA_REQUIRED_MESSAGE, staff_mfa_missing
from prm.ids import secret_digest
from prm.tenancy.models import Membership

from .models import ApiKey

KEY_PATTERN = re.compile(r"^prm_([0-9a-f]{8})_([A-Za-z0-9_-]{40,})$")


def api_key_create(*, name: str, acting_membership: Membership) -> tuple[ApiKey, str]:
    """A new key for the current tenant; returns (row, the key in clear, shown once)."""
    if not acting_membership.is_admin:
        raise PermissionDenied("Only program admins create API keys.")
    if staff_mfa_missing(acting_membership, acting_membership.tenant):
        raise ValidationError(MFA_REQUIRED_MESSAGE.format(tenant=acting_membership.tenant.name))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the key a name that says what uses it."})
    prefix = secrets.token_hex(4)
    key = f"prm_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey.objects.create(
        name=name[:100],
        prefix=prefix,
        key_hash=secret_digest(key),
        membership=acting_membership,
    )
    return row, key


def api_key_revoke(*, api_key: ApiKey) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])


class MalformedKeyError(ValueError):
    pass


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The active key of the current tenant matching `raw`, or None.

    Raises MalformedKeyError when `raw` is not shaped like a key at all, so the caller
    can say so. A key of another tenant is not found: the lookup is tenant-scoped.
    """
    if not KEY_PATTERN.match(raw or ""):
        raise MalformedKeyError(raw)
    api_key = (
        ApiKey.objects.select_related("membership__user", "membership__partner_organization")
        .filter(key_hash=secret_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if api_key is None or not api_key.membership.has_portal_access:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy integration must not write on every call.
    if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
