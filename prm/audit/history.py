"""Audit history: who changed what, recorded by Postgres triggers (django-pghistory).

`@track()` on a tenant-owned model records every insert and update, bulk updates
included, in an event table that keeps the row's tenant_id (so row-level security
covers it) and the request's user and URL in its `pgh_context`.
"""

from __future__ import annotations

import pghistory
from django.db import models


def track(*trackers, **options):
    """pghistory.track with our defaults: insert and update snapshots, tenant-first index."""
    meta = options.pop("meta", {})
    meta.setdefault("indexes", [models.Index(fields=("tenant", "pgh_obj", "pgh_created_at"))])
    return pghistory.track(*trackers, meta=meta, **options)


def history_for(obj, *, limit: int = 50) -> list:
    """The newest `limit` events of `obj`, each with `.changed_by` (a user id or None)."""
    # Events of one transaction share NOW(): the id breaks the tie in insertion order.
    events = list(obj.events.order_by("-pgh_created_at", "-pgh_id")[:limit])
    for event in events:
        context = event.pgh_context or {}
        event.changed_by = context.get("user")
    return events
