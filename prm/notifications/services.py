"""The one way to tell someone something: an inbox entry and, optionally, an e-mail."""

from __future__ import annotations

from collections.abc import Iterable


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
    email: bool = True,
    actor=None,
) -> int:
    """Notify each recipient (User) in the current tenant, at most once per dedupe_key.

    `kind` is a short machine name ("deal.approved"); `dedupe_key` identifies the event
    ("deal:<id>:approved"): notifying the same recipient with the same key again does
    nothing, so a retried or re-run job never notifies twice. E-mails are sent after the
    transaction commits. Returns the number of new notifications.
    """
    raise NotImplementedError("implemented by the notifications work")
