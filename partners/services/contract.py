"""Contract functions used by the other apps; keep their signatures stable."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..choices import (
    TRANSACTING_STAGES,
    LifecycleStage,
)
from ..models import (
    AgreementAcceptance,
    PartnerOrganization,
    TierBenefit,
)
from .lifecycle import partner_transition
from .program import agreement_current, benefit_parse_value


def partner_can_transact(*, organization: PartnerOrganization) -> bool:
    """The agreement gate: may this partner register deals and claim funds?

    True when the organization is active (or at risk) and has a current (accepted,
    unexpired) acceptance of the current agreement version of its partner type. A tenant
    that has no agreement at all for that partner type does not gate on it.
    """
    return not partner_transact_blockers(organization=organization)


def partner_transact_blockers(*, organization: PartnerOrganization) -> list[str]:
    """Why the gate is closed, in words for the partner; empty when it is open."""
    if not organization.is_active or organization.lifecycle_stage not in TRANSACTING_STAGES:
        if organization.lifecycle_stage in (
            LifecycleStage.PROSPECT,
            LifecycleStage.APPLIED,
            LifecycleStage.ONBOARDING,
        ):
            return ["onboarding is not complete yet"]
        return ["the organization is not active in the program"]
    agreement = agreement_current(partner_type_id=organization.partner_type_id)
    if agreement is None:
        return []
    accepted = AgreementAcceptance.objects.filter(
        agreement=agreement, organization=organization, expires_at__gt=timezone.now()
    ).exists()
    return [] if accepted else ["the current program agreement is not accepted"]


def partner_benefit_value(
    *, organization: PartnerOrganization, benefit_key: str
) -> int | Decimal | bool | str | None:
    """The value of a benefit (e.g. "deal_protection_days") at the partner's tier, or None.

    Typed by the benefit's kind: count → int, percentage/amount → Decimal, flag → bool,
    text → str.
    """
    if organization.tier_id is None:
        return None
    row = (
        TierBenefit.objects.filter(tier_id=organization.tier_id, benefit__key=benefit_key)
        .select_related("benefit")
        .first()
    )
    if row is None:
        return None
    return benefit_parse_value(kind=row.benefit.kind, raw=row.value)


def partner_activity_record(*, organization: PartnerOrganization) -> None:
    """Note that the partner did something (keeps it from being marked at risk).

    An at-risk or inactive partner becomes active again.
    """
    now = timezone.now()
    with transaction.atomic():
        PartnerOrganization.objects.filter(pk=organization.pk).update(last_activity_at=now)
        organization.last_activity_at = now
        fresh = PartnerOrganization.objects.select_for_update().get(pk=organization.pk)
        if fresh.lifecycle_stage in (LifecycleStage.AT_RISK, LifecycleStage.INACTIVE):
            partner_transition(
                organization=fresh,
                target=LifecycleStage.ACTIVE,
                reason="Activity recorded.",
                acting_membership=None,
            )
            organization.lifecycle_stage = fresh.lifecycle_stage
