"""Health scores, churn risk and the analytics settings of a tenant.

A partner's score (0–100) is the weighted mean of components, each 0–100 and kept with
the value it was computed from, so the score explains itself. A component that cannot
be measured (no cadence for the tier, no certification data) is shown as such and left
out, the other weights scaled up. A score below the tenant's threshold, or a fall of
`churn_drop_points` since the last score, flags the partner: its channel manager is told
once per episode and offered the at-risk lifecycle move (partners.services).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from analytics import selectors
from analytics.choices import HealthComponent
from analytics.models import AnalyticsSettings, HealthScore, default_weights
from analytics.rollups import current_month, month_start
from partners import services as partner_services
from partners.choices import LifecycleStage
from partners.models import EngagementCadence, PartnerOrganization, Touchpoint
from partners.selectors import organizations_with_gate, partner_vendor_contacts
from prm.core.money import format_money
from prm.notifications.services import notify
from prm.tenancy.models import Membership

SCORED_STAGES = (LifecycleStage.ONBOARDING, LifecycleStage.ACTIVE, LifecycleStage.AT_RISK)


def analytics_settings() -> AnalyticsSettings:
    found = AnalyticsSettings.objects.first()
    if found is None:
        found, _ = AnalyticsSettings.objects.get_or_create()
    return found


def health_weights_validate(weights: dict) -> dict[str, int]:
    """Whole numbers 0–100 for every component, totalling exactly 100."""
    clean: dict[str, int] = {}
    errors = {}
    for key in HealthComponent.values:
        try:
            value = int(weights.get(key, 0))
        except (TypeError, ValueError):
            errors[key] = "Enter a whole number from 0 to 100."
            continue
        if not 0 <= value <= 100:
            errors[key] = "Enter a whole number from 0 to 100."
        clean[key] = value
    if errors:
        raise ValidationError(errors)
    total = sum(clean.values())
    if total != 100:
        raise ValidationError(
            {"health_weights": f"The weights add up to {total}; they must add up to 100."}
        )
    return clean


def analytics_settings_save(
    *, acting_membership: Membership, weights: dict, **fields
) -> AnalyticsSettings:
    if not acting_membership.is_admin:
        raise PermissionDenied("Only a program admin changes the analytics settings.")
    clean = health_weights_validate(weights)
    with transaction.atomic():
        cfg = analytics_settings()
        cfg.health_weights = clean
        for name, value in fields.items():
            setattr(cfg, name, value)
        cfg.full_clean(exclude=["tenant"], validate_constraints=False)
        cfg.save()
    return cfg


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def _components(organization, *, cfg, trailing, pipelines, gate, last_touch, cadences, people):
    """[(key, value 0–100 or None, detail)] for one partner, from data read in bulk."""
    now = timezone.now()
    program = partner_services.program_settings()
    # Recency: 100 today, 0 at the at-risk threshold of the program settings.
    last = organization.last_activity_at or organization.created_at
    days = (now - last).days
    recency = _clamp(100 - days * 100 / program.at_risk_after_days)
    # Pipeline trend: open pipeline now against three months ago.
    now_pipe, then_pipe = pipelines.get(organization.pk, (None, None))
    if now_pipe is None:
        trend, trend_detail = None, "no figures yet"
    elif not then_pipe:
        trend = 100 if now_pipe else 50
        trend_detail = f"{format_money(now_pipe, whole=True)} open now, none three months ago"
    else:
        change = float((now_pipe - then_pipe) / then_pipe)
        trend = _clamp(50 + change * 50)
        trend_detail = (
            f"{change:+.0%} in three months ({format_money(then_pipe, whole=True)} → "
            f"{format_money(now_pipe, whole=True)})"
        )
    # Win rate of the trailing 12 months.
    row = trailing.get(organization.pk) or {}
    win_rate = row.get("win_rate")
    # Cadence adherence: share of the tier's cadences that are not overdue.
    tier_cadences = cadences.get(organization.tier_id, [])
    if tier_cadences:
        kept = 0
        for cadence in tier_cadences:
            start = (
                last_touch.get((organization.pk, cadence.kind)) or organization.created_at.date()
            )
            kept += start + timedelta(days=cadence.interval_days) >= now.date()
        cadence_value = _clamp(kept * 100 / len(tier_cadences))
        cadence_detail = f"{kept} of {len(tier_cadences)} cadences on time"
    else:
        cadence_value, cadence_detail = None, "no cadence for this tier"
    certified = people.get(organization.pk, {}).get("certified")
    headcount = people.get(organization.pk, {}).get("people", 0)
    if certified is None or not headcount:
        cert_value, cert_detail = None, "not measured"
    else:
        cert_value = _clamp(certified * 100 / headcount)
        cert_detail = f"{certified} of {headcount} people certified"
    return [
        (HealthComponent.RECENCY, recency, f"last activity {days} days ago"),
        (HealthComponent.PIPELINE_TREND, trend, trend_detail),
        (
            HealthComponent.WIN_RATE,
            None if win_rate is None else _clamp(float(win_rate)),
            "no deals closed in 12 months" if win_rate is None else f"{win_rate}% won",
        ),
        (HealthComponent.CERTIFICATION, cert_value, cert_detail),
        (HealthComponent.CADENCE, cadence_value, cadence_detail),
        (
            HealthComponent.AGREEMENT,
            100 if gate else 0,
            "current agreement accepted" if gate else "agreement not accepted or expired",
        ),
    ]


def health_score(components: list, weights: dict) -> int:
    measured = [(key, value) for key, value, _ in components if value is not None]
    total_weight = sum(weights.get(key, 0) for key, _ in measured)
    if not total_weight:
        return 0
    return _clamp(sum(value * weights.get(key, 0) for key, value in measured) / total_weight)


def health_score_all() -> dict[str, int]:
    """Score every live partner; flag and notify those newly at risk. Idempotent."""
    cfg = analytics_settings()
    weights = cfg.health_weights or default_weights()
    organizations = list(
        organizations_with_gate(
            queryset=PartnerOrganization.objects.filter(lifecycle_stage__in=SCORED_STAGES)
        ).select_related("channel_manager")
    )
    ids = [o.pk for o in organizations]
    trailing = selectors.partners_trailing(organization_ids=ids)
    this, before = current_month(), month_start(current_month(), -3)
    pipelines: dict = {}
    from analytics.models import MonthlyMetrics

    for org_id, month, pipeline in MonthlyMetrics.objects.filter(
        organization_id__in=ids, month__in=[this, before]
    ).values_list("organization_id", "month", "open_pipeline"):
        now_pipe, then_pipe = pipelines.get(org_id, (None, None))
        pipelines[org_id] = (pipeline, then_pipe) if month == this else (now_pipe, pipeline)
    last_touch = {
        (org, kind): last
        for org, kind, last in Touchpoint.objects.filter(organization_id__in=ids)
        .values_list("organization_id", "kind")
        .annotate(last=Max("occurred_on"))
        .values_list("organization_id", "kind", "last")
    }
    cadences: dict = {}
    for cadence in EngagementCadence.objects.all():
        cadences.setdefault(cadence.tier_id, []).append(cadence)
    people = {
        org: {"people": n}
        for org, n in Membership.objects.filter(partner_organization_id__in=ids, is_active=True)
        .values_list("partner_organization_id")
        .annotate(n=Count("id"))
        .values_list("partner_organization_id", "n")
    }
    from analytics.services.tiers import certified_people

    for org_id, certified in certified_people(organizations, trailing=trailing).items():
        people.setdefault(org_id, {"people": 0})["certified"] = certified
    existing = {h.organization_id: h for h in HealthScore.objects.filter(organization_id__in=ids)}
    now = timezone.now()
    counts = {"scored": 0, "flagged": 0}
    labels = dict(HealthComponent.choices)
    with transaction.atomic():
        for organization in organizations:
            parts = _components(
                organization,
                cfg=cfg,
                trailing=trailing,
                pipelines=pipelines,
                gate=organization.gate_open,
                last_touch=last_touch,
                cadences=cadences,
                people=people,
            )
            score = health_score(parts, weights)
            previous = existing.get(organization.pk)
            previous_score = previous.score if previous else None
            falling = previous_score is not None and previous_score - score >= cfg.churn_drop_points
            at_risk = score < cfg.churn_threshold or falling
            components = [
                {
                    "key": key,
                    "label": labels[key],
                    "weight": weights.get(key, 0),
                    "value": value,
                    "detail": detail,
                }
                for key, value, detail in parts
            ]
            flagged_on = previous.flagged_on if previous and previous.at_risk else None
            if at_risk and flagged_on is None:
                flagged_on = now.date()
            HealthScore.objects.update_or_create(
                organization=organization,
                defaults={
                    "score": score,
                    # A re-run on the same day keeps the comparison with the day before.
                    "previous_score": (
                        previous.previous_score
                        if previous and previous.computed_at.date() == now.date()
                        else previous_score
                    ),
                    "components": components,
                    "at_risk": at_risk,
                    "flagged_on": flagged_on if at_risk else None,
                    "computed_at": now,
                },
            )
            counts["scored"] += 1
            if at_risk:
                counts["flagged"] += 1
                _tell_at_risk(organization, score=score, falling=falling, since=flagged_on)
    return counts


def _tell_at_risk(organization, *, score: int, falling: bool, since) -> None:
    """Once per episode (the dedupe key names the day the flag went up)."""
    why = "its health score fell sharply" if falling else "its health score is low"
    offer = (
        " Consider moving it to At risk from its scorecard."
        if organization.lifecycle_stage == LifecycleStage.ACTIVE
        else ""
    )
    notify(
        recipients=partner_vendor_contacts(organization=organization),
        kind="analytics.churn_risk",
        title=f"{organization.name} may be slipping: health {score}/100",
        body=f"Flagged because {why}.{offer}",
        url=reverse("analytics:scorecard", args=[organization.pk]),
        dedupe_key=f"analytics:churn:{organization.pk}:{since.isoformat()}",
    )


def partner_mark_at_risk(
    *, organization: PartnerOrganization, acting_membership: Membership
) -> None:
    """Accept the churn-risk proposal: the lifecycle move goes through the partners app."""
    if not acting_membership.is_staff_role:
        raise PermissionDenied("Only staff move a partner's lifecycle stage.")
    health = HealthScore.objects.filter(organization=organization).first()
    score = f" (health {health.score}/100)" if health else ""
    partner_services.partner_transition(
        organization=organization,
        target=LifecycleStage.AT_RISK,
        acting_membership=acting_membership,
        reason=f"Flagged by the health score{score}.",
    )
