"""Pages of the enablement app: console (authoring, reports), portal, public check."""

from . import console, console_program, portal, public

__all__ = ["console", "console_program", "portal", "public"]
