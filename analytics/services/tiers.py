"""Tier evaluation: trailing-12-month figures from the rollups against tier requirements.

`tiers_evaluate()` (periodic, per tenant) proposes an upgrade or a downgrade for every
live partner whose qualifying tier differs from its tier, with the evidence; upgrades are
applied at once when the tenant says so, downgrades wait for a grace period announced to
the partner admins. A channel manager or admin approves or rejects a proposal with a
reason; approving goes through partners.services.partner_tier_change.

`tier_requirements_what_if()` runs the same rule against requirements not yet saved, so
the admin sees who would move before saving; `tier_requirements_save()` saves and
evaluates, so what the preview said is what happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from analytics import selectors
from analytics.choices import ProposalDirection, ProposalStatus
from analytics.models import TierProposal
from analytics.rollups import tenant_today
from partners import services as partner_services
from partners.choices import LifecycleStage
from partners.models import PartnerOrganization, Tier
from partners.selectors import partner_vendor_contacts
from prm.notifications.services import notify
from prm.tenancy.models import Membership

# Partners whose tier is evaluated: those doing business in the program.
EVALUATED_STAGES = (LifecycleStage.ACTIVE, LifecycleStage.AT_RISK)

# Tier requirement field → the rollup figure it is measured against (trailing sum).
REQUIREMENT_METRICS = {
    "min_won_revenue": "won_revenue",
    "min_won_deals": "won_count",
    "min_approved_registrations": "registrations_approved",
}


@dataclass
class TierMove:
    """One partner that would move, and why."""

    organization: PartnerOrganization
    from_tier: Tier | None
    to_tier: Tier | None
    metrics: dict = field(default_factory=dict)

    @property
    def direction(self) -> str:
        old = self.from_tier.rank if self.from_tier else 0
        new = self.to_tier.rank if self.to_tier else 0
        return ProposalDirection.UPGRADE if new > old else ProposalDirection.DOWNGRADE


def _certified_people(organizations) -> dict:
    """Certified people per partner from providers other than the rollups (enablement,
    when installed); absent when nobody provides the figure."""
    from analytics.providers import tier_metrics
    from deals.selectors import partner_tier_metrics
    from partners.providers import metric_providers

    others = [p for p in metric_providers if p not in (tier_metrics, partner_tier_metrics)]
    found: dict = {}
    if not others:
        return found
    for organization in organizations:
        for provider in others:
            value = provider(organization).get("min_certified_people")
            if value is not None:
                found[organization.pk] = value
    return found


def certified_people(organizations, *, trailing: dict) -> dict:
    """Certified people per partner: this month's rollup figure (`trailing`, from
    selectors.partners_trailing), counted live only for a partner the rollups have not
    reached yet, by the apps that provide it (absent when none does)."""
    from django.apps import apps

    if not apps.is_installed("enablement"):  # the rollups' column stays 0: not measured
        return _certified_people(organizations)
    found = {
        pk: row["certified_people"]
        for pk, row in trailing.items()
        if row.get("certified_people") is not None
    }
    found.update(_certified_people([o for o in organizations if o.pk not in found]))
    return found


def partner_figures(organizations: list[PartnerOrganization]) -> dict:
    """{organization_id: {requirement field: value}} for the given partners: two queries
    over the rollups. Certified people is this month's rollup figure; only a partner the
    rollups have not reached yet is counted live (by the apps that provide it)."""
    trailing = selectors.partners_trailing(organization_ids=[o.pk for o in organizations])
    certified = certified_people(organizations, trailing=trailing)
    figures = {}
    for organization in organizations:
        row = trailing.get(organization.pk, {})
        values: dict[str, Decimal | int] = {
            requirement: row.get(metric) or 0 for requirement, metric in REQUIREMENT_METRICS.items()
        }
        values["min_certified_people"] = certified.get(organization.pk, 0)
        figures[organization.pk] = values
    return figures


def tier_qualifying(*, tiers: list[Tier], figures: dict) -> Tier | None:
    """The highest tier whose every requirement the figures meet (tiers of any order).

    Requirements rise with rank (partners.services.tier_validate), so the first tier that
    fails from the bottom bounds the answer.
    """
    best = None
    for tier in sorted(tiers, key=lambda t: t.rank):
        if all(figures.get(f, 0) >= getattr(tier, f) for f in Tier.REQUIREMENT_FIELDS):
            best = tier
        else:
            break
    return best


def _moves(tiers: list[Tier]) -> list[TierMove]:
    organizations = list(
        PartnerOrganization.objects.filter(lifecycle_stage__in=EVALUATED_STAGES)
        .select_related("tier")
        .order_by("name")
    )
    figures = partner_figures(organizations)
    by_pk = {t.pk: t for t in tiers}
    moves = []
    for organization in organizations:
        target = tier_qualifying(tiers=tiers, figures=figures[organization.pk])
        current = by_pk.get(organization.tier_id) if organization.tier_id else None
        if target is None and current is None:
            continue
        if (target.pk if target else None) != organization.tier_id:
            moves.append(
                TierMove(
                    organization=organization,
                    from_tier=current,
                    to_tier=target,
                    metrics=figures[organization.pk],
                )
            )
    return moves


def _evidence(move: TierMove) -> dict:
    first, last = selectors.trailing_window()
    tier = move.to_tier
    rows = [
        {
            "label": str(Tier._meta.get_field(f).verbose_name).replace(" (12 months)", ""),
            "value": str(move.metrics.get(f, 0)),
            "required": str(getattr(tier, f)) if tier else "0",
            "current_tier_required": str(getattr(move.from_tier, f)) if move.from_tier else "0",
        }
        for f in Tier.REQUIREMENT_FIELDS
    ]
    return {
        "rows": rows,
        "months": [first.isoformat(), last.isoformat()],
        "metrics": {k: str(v) for k, v in move.metrics.items()},
        "requirements": {
            f: str(getattr(tier, f)) if tier else "0" for f in Tier.REQUIREMENT_FIELDS
        },
        "current_requirements": {
            f: str(getattr(move.from_tier, f)) for f in Tier.REQUIREMENT_FIELDS
        }
        if move.from_tier
        else {},
    }


def _notify_proposal(proposal: TierProposal) -> None:
    organization = proposal.organization
    notify(
        recipients=partner_vendor_contacts(organization=organization),
        kind="analytics.tier_proposal",
        title=(
            f"Tier {proposal.get_direction_display().lower()} proposed for {organization.name}: "
            f"{proposal.from_tier or 'none'} → {proposal.to_tier or 'none'}"
        ),
        body="The trailing 12 months' figures meet a different tier's requirements.",
        url=reverse("analytics:proposal_list"),
        dedupe_key=f"analytics:proposal:{proposal.pk}",
    )
    if proposal.direction == ProposalDirection.DOWNGRADE:
        # The partner hears of a downgrade before it can take effect.
        notify(
            recipients=partner_services.partner_admin_users(organization=organization),
            kind="analytics.tier_downgrade_notice",
            title=(
                f"Your tier may change to {proposal.to_tier or 'none'} "
                f"on {proposal.effective_on:%Y-%m-%d}"
            ),
            body=(
                "Your figures of the last 12 months are below the requirements of "
                f"{proposal.from_tier}. Reach them before {proposal.effective_on:%Y-%m-%d} "
                "to keep your tier."
            ),
            url=reverse("partners:portal_tier"),
            dedupe_key=f"analytics:proposal:{proposal.pk}:notice",
        )


def tiers_evaluate(*, today: date | None = None) -> dict[str, int]:
    """Evaluate every live partner: propose (or apply) tier changes, withdraw stale ones.

    Idempotent: a partner with a pending proposal to the same tier keeps it (its evidence
    refreshed), and notices carry the proposal's id as their dedupe key.
    """
    from analytics.services.health import analytics_settings

    today = today or tenant_today()
    cfg = analytics_settings()
    tiers = list(Tier.objects.order_by("rank"))
    counts = {"proposed": 0, "applied": 0, "withdrawn": 0, "kept": 0}
    with transaction.atomic():
        moves = {m.organization.pk: m for m in _moves(tiers)}
        pending = {
            p.organization_id: p
            for p in TierProposal.objects.select_for_update().filter(status=ProposalStatus.PENDING)
        }
        for organization_id, proposal in pending.items():
            move = moves.get(organization_id)
            if move is None or (move.to_tier.pk if move.to_tier else None) != proposal.to_tier_id:
                proposal.status = ProposalStatus.WITHDRAWN
                proposal.save(update_fields=["status"])
                counts["withdrawn"] += 1
        for organization_id, move in moves.items():
            proposal = pending.get(organization_id)
            if proposal is not None and proposal.status == ProposalStatus.PENDING:
                proposal.evidence = _evidence(move)
                proposal.save(update_fields=["evidence"])
                counts["kept"] += 1
                continue
            upgrade = move.direction == ProposalDirection.UPGRADE
            if upgrade and cfg.auto_upgrade:
                partner_services.partner_tier_change(
                    organization=move.organization,
                    tier=move.to_tier,
                    acting_membership=None,
                    reason="Automatic upgrade: the last 12 months meet the tier's requirements.",
                )
                TierProposal.objects.create(
                    organization=move.organization,
                    from_tier=move.from_tier,
                    to_tier=move.to_tier,
                    direction=move.direction,
                    status=ProposalStatus.APPLIED,
                    evidence=_evidence(move),
                    effective_on=today,
                    decided_at=timezone.now(),
                    decision_reason="Applied automatically (the program upgrades at once).",
                )
                counts["applied"] += 1
                continue
            grace = 0 if upgrade else cfg.downgrade_grace_days
            proposal = TierProposal.objects.create(
                organization=move.organization,
                from_tier=move.from_tier,
                to_tier=move.to_tier,
                direction=move.direction,
                evidence=_evidence(move),
                effective_on=today + timedelta(days=grace),
            )
            _notify_proposal(proposal)
            counts["proposed"] += 1
    return counts


def _check_decider(acting_membership: Membership) -> None:
    if not acting_membership.is_staff_role:
        raise PermissionDenied("Only a channel manager or an admin decides tier proposals.")


def tier_proposal_approve(
    *, proposal: TierProposal, acting_membership: Membership, reason: str = "", today=None
) -> TierProposal:
    """Apply a pending proposal through the partners' tier change (recorded, notified)."""
    _check_decider(acting_membership)
    today = today or tenant_today()
    with transaction.atomic():
        proposal = TierProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise ValidationError(f"This proposal is already {proposal.get_status_display()}.")
        if proposal.direction == ProposalDirection.DOWNGRADE and today < proposal.effective_on:
            raise ValidationError(
                "The partner was promised until "
                f"{proposal.effective_on:%Y-%m-%d} to reach the requirements again: "
                "a downgrade cannot be applied before then."
            )
        organization = proposal.organization
        if organization.tier_id != proposal.from_tier_id:
            raise ValidationError(
                f"{organization.name}'s tier changed since this proposal was made; "
                "the next evaluation proposes afresh."
            )
        reason = (reason or "").strip() or (
            f"Tier evaluation: the last 12 months meet {proposal.to_tier or 'no tier'}'s "
            "requirements."
        )
        partner_services.partner_tier_change(
            organization=organization,
            tier=proposal.to_tier,
            acting_membership=acting_membership,
            reason=reason,
        )
        proposal.status = ProposalStatus.APPROVED
        proposal.decided_by = acting_membership.user
        proposal.decided_at = timezone.now()
        proposal.decision_reason = reason
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return proposal


def tier_proposal_reject(
    *, proposal: TierProposal, acting_membership: Membership, reason: str
) -> TierProposal:
    _check_decider(acting_membership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the proposal is rejected."})
    with transaction.atomic():
        proposal = TierProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise ValidationError(f"This proposal is already {proposal.get_status_display()}.")
        proposal.status = ProposalStatus.REJECTED
        proposal.decided_by = acting_membership.user
        proposal.decided_at = timezone.now()
        proposal.decision_reason = reason
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return proposal


def tier_proposals_apply_due(*, today: date | None = None) -> int:
    """Nothing is applied without a decision; this only reminds the deciders of downgrades
    whose grace period is over (once per proposal)."""
    today = today or tenant_today()
    due = TierProposal.objects.filter(
        status=ProposalStatus.PENDING,
        direction=ProposalDirection.DOWNGRADE,
        effective_on__lte=today,
    ).select_related("organization", "from_tier", "to_tier")
    sent = 0
    for proposal in due:
        sent += notify(
            recipients=partner_vendor_contacts(organization=proposal.organization),
            kind="analytics.tier_downgrade_due",
            title=f"{proposal.organization.name}: the downgrade's grace period is over",
            url=reverse("analytics:proposal_list"),
            dedupe_key=f"analytics:proposal:{proposal.pk}:due",
        )
    return sent


def tier_requirements_what_if(*, tier: Tier, values: dict) -> list[TierMove]:
    """Who would move if `tier` had these requirement values (nothing is saved).

    Refuses (ValidationError, per field) requirements that would make tiers overlap, as
    saving would.
    """
    candidate = Tier.objects.get(pk=tier.pk)
    for name, value in values.items():
        setattr(candidate, name, value)
    partner_services.tier_validate(tier=candidate)
    tiers = [candidate if t.pk == tier.pk else t for t in Tier.objects.order_by("rank")]
    return _moves(tiers)


def tier_requirements_save(
    *, tier: Tier, values: dict, acting_membership: Membership
) -> dict[str, int]:
    """Save new requirements (checked like the program page does) and evaluate at once."""
    if not acting_membership.is_admin:
        raise PermissionDenied("Only a program admin changes tier requirements.")
    with transaction.atomic():
        for name, value in values.items():
            setattr(tier, name, value)
        partner_services.tier_save(tier=tier)
        return tiers_evaluate()
