"""Pages of the enablement app: console (authoring, reports), portal, public check."""

from . import console, portal, public

__all__ = ["console", "portal", "public"]
