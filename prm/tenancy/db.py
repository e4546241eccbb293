"""Switching a connection to the owner role, for the few jobs that need it."""

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.db import connections


@contextlib.contextmanager
def owner_connection(alias: str = "default") -> Iterator[None]:
    """Reconnect `alias` with the owner credentials of DATABASE_URL for the block.

    Only schema work uses this (migrate, flush, creating a test database): the running
    application never connects as the owner, so row-level security always binds it.
    """
    conn = connections[alias]
    saved = (conn.settings_dict["USER"], conn.settings_dict["PASSWORD"])
    if saved == (settings.DATABASE_OWNER_USER, settings.DATABASE_OWNER_PASSWORD):
        yield
        return
    conn.close()
    conn.settings_dict["USER"] = settings.DATABASE_OWNER_USER
    conn.settings_dict["PASSWORD"] = settings.DATABASE_OWNER_PASSWORD
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict["USER"], conn.settings_dict["PASSWORD"] = saved
