"""Demo data of the partners app for one tenant (called by prm.core.demo; idempotent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prm.core.demo import DemoPeople


def seed(people: DemoPeople) -> None:
    """Add this app's demo rows to people.tenant (already current). Look up before create."""
