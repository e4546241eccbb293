"""Who a campaign, announcement or survey is for: one rule for all three.

An audience is a set of partner types, tiers (or a minimum tier), motions and partner
roles; an empty set means "any". It is stored as arrays of ids on the row (no join
table), so "what may this partner user see" is one indexed filter, and "whom does it
target" one query on memberships.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from deals import services as deal_services
from deals.models import Motion, MotionPartnerType
from partners.models import Tier
from prm.tenancy.choices import PartnerRole, Role
from prm.tenancy.models import Membership


def id_array(verbose_name: str) -> ArrayField:
    return ArrayField(models.UUIDField(), default=list, blank=True, verbose_name=verbose_name)


def role_array() -> ArrayField:
    return ArrayField(
        models.CharField(max_length=20, choices=PartnerRole.choices),
        default=list,
        blank=True,
        verbose_name="partner roles",
    )


@dataclass
class PartnerProfile:
    """What the audience rules need to know about one partner user."""

    organization_id: object
    partner_type_id: object = None
    tier_id: object = None
    partner_role: str = ""
    motion_ids: list = field(default_factory=list)
    _tier_rank: int | None = None

    @property
    def tier_rank(self) -> int | None:
        """The tier's rank, read only when a rule needs it (a campaign's minimum tier)."""
        if self.tier_id is not None and self._tier_rank is None:
            self._tier_rank = Tier.objects.filter(pk=self.tier_id).values_list("rank", flat=True)[0]
        return self._tier_rank


def partner_profile(membership: Membership) -> PartnerProfile | None:
    """The profile of a partner membership, None for anyone else.

    The organization comes with the membership (the middleware loads it), so this costs
    at most one query (the motions its type may work in, which deals'
    `motions_available_list` keeps for the page's other readers), kept on the
    membership for the request.
    """
    if membership is None or membership.role != Role.PARTNER:
        return None
    cached = getattr(membership, "_marketing_profile", None)
    if cached is not None:
        return cached
    organization = membership.partner_organization
    profile = PartnerProfile(
        organization_id=organization.pk,
        partner_type_id=organization.partner_type_id,
        tier_id=organization.tier_id,
        partner_role=membership.partner_role,
        motion_ids=[
            motion.pk for motion in deal_services.motions_available_list(organization=organization)
        ],
    )
    membership._marketing_profile = profile
    return profile


def _in(field_name: str, value) -> Q:
    """`field_name` is empty (anyone) or contains `value`."""
    anyone = Q(**{field_name: []})
    return anyone if value is None else anyone | Q(**{f"{field_name}__contains": [value]})


def audience_q(
    profile: PartnerProfile, *, prefix: str = "", tiers: bool = True, roles: bool = True
) -> Q:
    """Rows whose audience includes this partner user."""
    p = prefix
    q = _in(f"{p}audience_partner_types", profile.partner_type_id)
    motions = Q(**{f"{p}audience_motions": []})
    if profile.motion_ids:
        motions |= Q(**{f"{p}audience_motions__overlap": profile.motion_ids})
    q &= motions
    if tiers:
        q &= _in(f"{p}audience_tiers", profile.tier_id)
    else:
        minimum = Q(**{f"{p}audience_min_tier__isnull": True})
        if profile.tier_rank is not None:
            minimum |= Q(**{f"{p}audience_min_tier__rank__lte": profile.tier_rank})
        q &= minimum
    if roles:
        q &= _in(f"{p}audience_partner_roles", profile.partner_role or None)
    return q


def audience_memberships(obj) -> models.QuerySet:
    """Active partner memberships of the current tenant that `obj`'s audience targets."""
    memberships = Membership.objects.filter(
        role=Role.PARTNER, is_active=True, partner_organization__is_active=True
    )
    if obj.audience_partner_types:
        memberships = memberships.filter(
            partner_organization__partner_type_id__in=obj.audience_partner_types
        )
    if getattr(obj, "audience_tiers", None):
        memberships = memberships.filter(partner_organization__tier_id__in=obj.audience_tiers)
    if getattr(obj, "audience_min_tier_id", None):
        memberships = memberships.filter(
            partner_organization__tier__rank__gte=obj.audience_min_tier.rank
        )
    if getattr(obj, "audience_partner_roles", None):
        memberships = memberships.filter(partner_role__in=obj.audience_partner_roles)
    if obj.audience_motions:
        # A motion with no partner types is open to every type.
        open_to_all = Motion.objects.filter(
            pk__in=obj.audience_motions, is_active=True, type_links__isnull=True
        ).exists()
        if not open_to_all:
            types = MotionPartnerType.objects.filter(
                motion_id__in=obj.audience_motions, motion__is_active=True
            ).values("partner_type_id")
            memberships = memberships.filter(partner_organization__partner_type_id__in=types)
    return memberships


def audience_summary(obj, *, lookups: dict) -> list[str]:
    """Human words for an audience, e.g. ["Types: Reseller", "Tier: Gold or higher"]."""
    parts = []
    for label, ids, model in (
        ("Types", obj.audience_partner_types, lookups.get("types")),
        ("Tiers", getattr(obj, "audience_tiers", []), lookups.get("tiers")),
        ("Motions", obj.audience_motions, lookups.get("motions")),
    ):
        if ids and model is not None:
            names = [model[i] for i in ids if i in model]
            parts.append(f"{label}: {', '.join(names) or '—'}")
    if getattr(obj, "audience_min_tier_id", None):
        parts.append(f"Tier: {obj.audience_min_tier} or higher")
    roles = getattr(obj, "audience_partner_roles", None)
    if roles:
        parts.append(
            "Roles: " + ", ".join(PartnerRole(r).label for r in roles if r in PartnerRole.values)
        )
    return parts or ["All partners"]
