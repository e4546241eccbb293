"""The signed-in user and their membership, loaded once per change instead of per request.

Every request on a tenant's host needs the session's user and that user's membership in
the tenant (active, and for partner users an organization that may still sign in). Both
change rarely, and a change must take effect at the very next request (deactivation,
offboarding, a new role). So:

- database triggers (migration tenancy 0004) give every write a new version number:
  any insert, update or delete of a membership or a partner organization bumps its
  tenant's `TenantAccessVersion`; any update or delete of a user bumps that user's
  `UserAccessVersion`. Triggers fire on bulk `update()`s and raw SQL too, where signals
  do not. Versions come from one sequence, so a rolled-back change's version is never
  seen again;
- each request reads the two versions in one indexed query and, when both match what
  this process saw last, rebuilds the user and the membership from the values it kept
  (fresh instances: nothing one request changes leaks into the next). Otherwise it
  loads them as before and remembers them under the new versions.

The versions are read before the rows, so a kept entry is never older than its
versions: a change committed in between only makes the next request reload. The values
are kept per process (a bounded dict), not in Redis: the version check already makes
them correct across processes, and a dict lookup costs no round trip.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection

from .models import Membership, membership_with_access

MAX_ENTRIES = 4096

_VERSIONS_SQL = (
    "SELECT (SELECT version FROM tenancy_tenantaccessversion WHERE tenant_id = %s),"
    " (SELECT version FROM tenancy_useraccessversion WHERE user_id = %s)"
)


@dataclass(frozen=True, slots=True)
class _Entry:
    versions: tuple
    user: tuple | None  # the user's field values, or None: no such (active) user
    membership: tuple | None  # the membership's field values, or None: no access here
    organization: tuple | None


_cache: dict[tuple, _Entry] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _values(instance) -> tuple:
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _build(model, values: tuple):
    return model.from_db(
        connection.alias, [field.attname for field in model._meta.concrete_fields], values
    )


def _read_versions(tenant_id, user_id) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS_SQL, [tenant_id, user_id])
        return tuple(cursor.fetchone())


def _load(user_id, versions: tuple) -> _Entry:
    user_model = get_user_model()
    user = user_model._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return _Entry(versions, None, None, None)
    membership = membership_with_access(user)
    if membership is None:
        return _Entry(versions, _values(user), None, None)
    organization = membership.partner_organization
    return _Entry(
        versions,
        _values(user),
        _values(membership),
        None if organization is None else _values(organization),
    )


def user_and_membership(tenant, user_id) -> tuple:
    """(user or None, membership with portal access or None) for `user_id` in `tenant`.

    The user is None when there is no such active user; the membership is None when the
    user has no access to this tenant's portal (inactive, removed, organization
    offboarded). Costs one query while nothing changed.
    """
    user_model = get_user_model()
    try:
        user_pk = user_model._meta.pk.to_python(user_id)
    except Exception:  # a mangled session: no user
        return None, None
    key = (tenant.pk, user_pk)
    versions = _read_versions(tenant.pk, user_pk)
    entry = _cache.get(key)
    if entry is None or entry.versions != versions:
        entry = _load(user_pk, versions)
        with _lock:
            if len(_cache) >= MAX_ENTRIES:
                _cache.pop(next(iter(_cache)), None)
            _cache[key] = entry
    if entry.user is None:
        return None, None
    user = _build(user_model, entry.user)
    if entry.membership is None:
        return user, None
    membership = _build(Membership, entry.membership)
    Membership.user.field.set_cached_value(membership, user)
    if entry.organization is not None:
        organization_model = Membership.partner_organization.field.related_model
        Membership.partner_organization.field.set_cached_value(
            membership, _build(organization_model, entry.organization)
        )
    else:
        Membership.partner_organization.field.set_cached_value(membership, None)
    membership.tenant = tenant
    return user, membership
