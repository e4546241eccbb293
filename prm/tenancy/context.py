"""The current tenant of this request or task, held in a context variable.

Middleware (for requests) and the Celery task base (for tasks) set it; the default
manager of every tenant-owned model and the database connection (which mirrors it into
the `app.tenant_id` setting that row-level security reads) both take it from here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Tenant

_current_tenant: ContextVar[Tenant | None] = ContextVar("prm_current_tenant", default=None)


class TenantNotSetError(RuntimeError):
    """A tenant-owned table was queried with no current tenant.

    Raised instead of returning every tenant's rows: the ORM fails closed.
    """


def get_current_tenant() -> Tenant | None:
    return _current_tenant.get()


def require_current_tenant() -> Tenant:
    tenant = _current_tenant.get()
    if tenant is None:
        raise TenantNotSetError(
            "No current tenant: wrap this code in tenant_context(tenant) "
            "(requests and tasks get one automatically)."
        )
    return tenant


def current_tenant_id() -> int | None:
    tenant = _current_tenant.get()
    return None if tenant is None else tenant.pk


@contextlib.contextmanager
def tenant_context(tenant: Tenant | None) -> Iterator[Tenant | None]:
    """Run the block as `tenant` (or as no tenant at all with None), then restore."""
    token = _current_tenant.set(tenant)
    try:
        yield tenant
    finally:
        _current_tenant.reset(token)


def set_current_tenant(tenant: Tenant | None):
    """Low-level setter for middleware; returns the token to reset with."""
    return _current_tenant.set(tenant)


def reset_current_tenant(token) -> None:
    _current_tenant.reset(token)
