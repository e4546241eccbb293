"""Events: how a lower app tells the apps above it that something happened.

Apps form layers and imports point down (DESIGN.md section 2). When something in a lower
app matters above it (a deal is won, a certification is earned), the lower app's service
calls `publish()` inside its transaction, and the handlers that higher apps subscribed in
their `AppConfig.ready()` run after the commit: a rolled-back write announces nothing,
and the lower app never imports the higher one.

The publishing app declares its event names as constants in its own `events.py`, with
the payload each carries. Payloads hold ids and plain values, never model instances (a
handler re-reads what it needs through the scoped managers) and always `tenant_id`.
A handler stays small: anything slow is a Celery task it enqueues with the tenant id.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]

_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> Handler:
    """Call `handler(**payload)` after each commit that published `event`.

    Call it from `AppConfig.ready()`; subscribing the same handler twice is a no-op, so a
    ready() run again (tests, autoreload) does not double anything.
    """
    if handler not in _handlers[event]:
        _handlers[event].append(handler)
    return handler


def handlers(event: str) -> list[Handler]:
    return list(_handlers.get(event, ()))


def _dispatch(event: str, payload: dict[str, Any]) -> None:
    for handler in handlers(event):
        try:
            handler(**payload)
        except Exception:
            # The write that published the event is committed: one subscriber's failure
            # must not turn the request into an error, nor keep the others from running.
            logger.exception("event handler failed", extra={"event": event})


def publish(event: str, *, tenant_id: int, **payload: Any) -> None:
    """Announce `event` once the current transaction commits (at once outside one)."""
    payload = {"tenant_id": tenant_id, **payload}
    transaction.on_commit(lambda: _dispatch(event, payload))
