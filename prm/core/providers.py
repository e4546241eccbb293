"""Provider registries of the core, for what higher apps add to every page.

`header_counts`: a provider `(request) -> list[HeaderCount]` adds a counted link beside
the inbox in the header (e.g. unread announcements). Providers must be cheap (one
indexed count) and return [] for people they have nothing for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .registry import Registry


@dataclass(frozen=True)
class HeaderCount:
    label: str
    url: str
    count: int
    testid: str = ""


header_counts: Registry[Callable[..., list[HeaderCount]]] = Registry("header_counts")
