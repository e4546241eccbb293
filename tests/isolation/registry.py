"""The isolation harness's registry: one case per URL pattern that takes an object.

Every app declares its cases in `tests/<app>/isolation_cases.py` (imported
automatically). A case names the URL pattern and builds, in tenant A, an object owned by
partner organization A1 (or by the tenant), returning the URL kwargs that reach it. The
harness then attacks it as a user of tenant B and as a partner user of organization A2,
for reads and for writes, and checks that the rightful owner can reach it (so a case
that builds the wrong URL cannot pass by accident).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass
class Target:
    """What a case built: the URL kwargs, the row they reach, a text shown for it."""

    kwargs: dict[str, Any]
    obj: models.Model | None = None
    # A string unique to this object that lists must never show to an attacker.
    marker: str | None = None


@dataclass
class Case:
    url_name: str
    build: Callable[[Any], Target]
    # Who may legitimately open it: "partner" (A1's partner admin) or "staff" (A's admin).
    owner: str = "partner"
    # Methods to try; the harness adds what the view does not support as 405 refusals.
    methods: tuple[str, ...] = ("GET", "POST")
    # 403 is accepted from a same-tenant partner of another organization when the
    # object's existence is not secret (or the page is for staff only).
    existence_not_secret: bool = False
    htmx: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    # A public page (a partner's landing page): anyone on the tenant's own host may open
    # it, so only the other tenant's people are attackers, and they must get 404.
    public: bool = False


CASES: dict[str, Case] = {}

# URL patterns that take a token, not an object of any tenant, with the reason.
EXEMPT: dict[str, str] = {}


def register(
    url_name: str,
    *more_url_names: str,
    owner: str = "partner",
    methods: tuple[str, ...] | None = None,
    existence_not_secret: bool = False,
    htmx: bool = False,
    data: dict[str, Any] | None = None,
    public: bool = False,
):
    """Decorator: `build(world) -> Target` covers the named URL patterns."""

    def decorator(build: Callable[[Any], Target]) -> Callable[[Any], Target]:
        for name in (url_name, *more_url_names):
            if name in CASES:
                raise ValueError(f"{name} already has an isolation case")
            is_api = name.startswith("api:")
            CASES[name] = Case(
                url_name=name,
                build=build,
                owner=owner,
                methods=methods
                or (("GET", "PUT", "PATCH", "DELETE") if is_api else ("GET", "POST")),
                existence_not_secret=existence_not_secret,
                htmx=htmx,
                data=data or {},
                public=public,
            )
        return build

    return decorator


def exempt(url_name: str, reason: str) -> None:
    EXEMPT[url_name] = reason


# Token URLs of django-allauth: they carry a secret, not an id of any tenant's row.
for _name, _reason in {
    "account_confirm_email": "e-mail confirmation key (a signed secret)",
    "account_reset_password_from_key": "password reset token (a signed secret)",
}.items():
    exempt(_name, _reason)
