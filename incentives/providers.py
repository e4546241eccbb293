"""Registries through which higher apps feed figures to incentives (prm/core/registry.py).

`multiplier_providers`: `(organization: PartnerOrganization) -> Decimal | None`, a
performance multiplier of the partner's per-deal earnings (SPIFFs, referral fees). The
first provider that answers a value wins; with none, the fixed multiplier of the
partner's tier (incentives.models.TierMultiplier) applies, else 1. The PartnerOps
analytics app registers its performance score here in its `AppConfig.ready()`.
"""

from __future__ import annotations

from prm.core.registry import Registry

multiplier_providers: Registry = Registry("incentives.multiplier_providers")
