"""Registries through which higher apps feed figures to incentives (prm/core/registry.py).

`multiplier_providers`: `(organization: PartnerOrganization) -> Decimal | None`, a
performance multiplier of the partner's per-deal earnings (SPIFFs, referral fees). The
first provider that answers a value wins; with none, the fixed multiplier of the
partner's tier (incentives.models.TierMultiplier) applies, else 1. The PartnerOps
analytics app registers its performance score here in its `AppConfig.ready()`.

`fund_request_links`: `FundRequestLink`s, each something of a higher app that a fund
request may name (marketing: the campaign the request funds). Incentives knows nothing
of what is named: the request form and the API offer one optional field per link, the
submit service resolves the partner's choice through the link (a refusal is a field
error) and hands the request to it to record inside its own transaction; pages and the
API show what `describe` says. With nothing registered, requests name nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from prm.core.registry import Registry

multiplier_providers: Registry = Registry("incentives.multiplier_providers")


@dataclass(frozen=True)
class LinkedItem:
    """What a fund request names, as pages and the API show it."""

    value: str  # what the API takes and returns (an id)
    label: str  # what people read
    console_url: str = ""  # where staff open it ("" for none)
    portal_url: str = ""  # where the partner opens it ("" for none)


@dataclass(frozen=True)
class FundRequestLink:
    """One thing a higher app lets a fund request name.

    - `name`: the form and API field (e.g. "campaign"); `label`, `help_text`: its wording.
    - `options(membership) -> [(value, label)]`: what this partner user may choose from
      (its own organization's rows only).
    - `resolve(membership, value) -> object`: the chosen row, or `ValidationError` with a
      message for the partner (another partner's or tenant's id, a stale choice).
    - `attach(*, fund_request, target, acting_membership)`: records the link; called in
      the submit service's transaction, right after the request is created.
    - `describe(fund_requests) -> {fund_request.pk: LinkedItem}`: what the given requests
      name, in a fixed number of queries (pages and API lists call it once per page).
    """

    name: str
    label: str
    help_text: str
    options: Callable[[Any], list[tuple[str, str]]]
    resolve: Callable[[Any, str], Any]
    attach: Callable[..., None]
    describe: Callable[[Iterable[Any]], dict[Any, LinkedItem]]


fund_request_links: Registry = Registry("incentives.fund_request_links")
