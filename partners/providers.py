"""What the apps above `partners` provide to it (see prm/core/registry.py).

`metric_providers`: functions `(organization) -> dict[str, Decimal | int]` returning some
of the trailing-12-month figures tier requirements are measured against, keyed by the
requirement field (`min_won_revenue`, `min_won_deals`, `min_approved_registrations`,
`min_certified_people`). deals and enablement register theirs in `AppConfig.ready()`.
"""

from prm.core.registry import Registry

metric_providers: Registry = Registry("partner tier metrics")

# `figure_providers`: functions `(organizations: list[PartnerOrganization]) -> dict` with
# `{"columns": [title, ...], "values": {organization_id: [display text, ...]},
# "as_of": datetime | None}`: performance figures the partner list shows beside each
# partner (open pipeline, won revenue, win rate), read from what a higher app keeps
# (analytics: its monthly rollups) so the list computes no aggregate of its own.
figure_providers: Registry = Registry("partner list figures")
