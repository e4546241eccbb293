"""Who a course, a learning path or an asset is for: one rule, one place.

An item is for a partner when each of its three lists allows it: its partner types
(none = all), its minimum tier (none = all; else the partner's tier rank is at least
that), its motions (none = all; else at least one motion the partner's type may use).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Audience:
    type_id: uuid.UUID | None
    tier_rank: int
    motion_ids: tuple[uuid.UUID, ...]

    def q(self) -> Q:
        types = Q(audience_type_ids=[])
        if self.type_id is not None:
            types |= Q(audience_type_ids__contains=[self.type_id])
        tier = Q(min_tier__isnull=True)
        if self.tier_rank:
            tier |= Q(min_tier__rank__lte=self.tier_rank)
        motions = Q(audience_motion_ids=[])
        if self.motion_ids:
            motions |= Q(audience_motion_ids__overlap=list(self.motion_ids))
        return types & tier & motions

    def allows(self, item) -> bool:
        """The same rule for one loaded object (its min_tier already fetched)."""
        if item.audience_type_ids and self.type_id not in item.audience_type_ids:
            return False
        if item.min_tier_id is not None and item.min_tier.rank > self.tier_rank:
            return False
        motions = set(item.audience_motion_ids)
        return not motions or bool(motions & set(self.motion_ids))


def audience_of(organization) -> Audience:
    """The organization's type, tier rank and motions, cached on it: the tier's rank
    (one small query) and the motions its type may use (deals' `motions_available_list`,
    which the page's other readers of them share)."""
    cached = getattr(organization, "_enablement_audience", None)
    if cached is not None:
        return cached
    from deals.services import motions_available_list
    from partners.models import Tier

    rank = 0
    if organization.tier_id is not None:
        rank = Tier.objects.filter(pk=organization.tier_id).values_list("rank", flat=True).first()
        rank = rank or 0
    audience = Audience(
        type_id=organization.partner_type_id,
        tier_rank=rank,
        motion_ids=tuple(m.pk for m in motions_available_list(organization=organization)),
    )
    organization._enablement_audience = audience
    return audience
