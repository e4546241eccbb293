"""Provider registry for the daily digest: what higher apps add to it.

`digest_sections`: a provider `(since) -> dict[user_id, list[str]]` returns, for the
current tenant, lines to add to each person's digest (e.g. announcements published
since `since` that the person has not read). Set-based: one or two queries per tenant,
never a query per person.
"""

from __future__ import annotations

from collections.abc import Callable

from prm.core.registry import Registry

digest_sections: Registry[Callable[..., dict]] = Registry("digest_sections")
