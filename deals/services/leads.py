"""Leads and routing: creation, routing rules, offers, acceptance."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from partners import selectors as partner_selectors
from partners import services as partner_services
from partners.models import PartnerOrganization
from prm.core.text import web_domain
from prm.notifications.services import notify
from prm.tenancy.models import Membership, acting_user
from prm.tenancy.selectors import staff_users

from ..choices import (
    DealStatus,
    LeadStatus,
    OfferStatus,
    RoutingMethod,
    TransitionKind,
)
from ..models import (
    Deal,
    Lead,
    LeadOffer,
    Motion,
    MotionPartnerType,
    Product,
    RoutingRule,
)
from ..selectors import (
    deal_settings_get,
)
from ._common import _admins, _console_url, _deal_staff, _partner_users, _record
from .registration import LineInput, _apply, _conflicts_record, _next_number, _write_lines
from .review import deal_approve

LEAD_FIELDS = (
    "customer_name",
    "customer_domain",
    "country",
    "contact_name",
    "contact_email",
    "estimated_amount",
    "expected_close_date",
    "notes",
)


def lead_create(
    *,
    acting_membership: Membership,
    motion: Motion,
    product: Product | None,
    data: dict,
    route: bool = True,
) -> Lead:
    with transaction.atomic():
        lead = _lead_save(motion=motion, product=product, data=data, user=acting_membership.user)
        if route:
            lead_route(lead=lead, acting_membership=acting_membership)
    return lead


def _lead_save(
    *, motion: Motion, product: Product | None, data: dict, user, partner_sourced: bool = False
) -> Lead:
    """Check and store a new lead (the one set of rules for every way a lead comes in)."""
    errors = {}
    if not (data.get("customer_name") or "").strip():
        errors["customer_name"] = "Enter the customer's company name."
    country = (data.get("country") or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        errors["country"] = "Enter a two-letter country code, e.g. US."
    if motion is None or not motion.is_active:
        errors["motion"] = "Choose an active motion."
    if errors:
        raise ValidationError(errors)
    lead = Lead(motion=motion, product=product, created_by=user, partner_sourced=partner_sourced)
    for name in LEAD_FIELDS:
        if name in data and data[name] is not None:
            setattr(lead, name, data[name])
    lead.customer_name = lead.customer_name.strip()
    lead.customer_domain = web_domain(lead.customer_domain)
    lead.country = country
    lead.save()
    return lead


def lead_capture(
    *, organization: PartnerOrganization, motion: Motion, product: Product | None, data: dict
) -> Lead:
    """A lead the partner's own marketing captured (e.g. a visitor of its campaign page).

    Nobody of the tenant acts (the visitor is anonymous), so `created_by` stays empty.
    It is partner-sourced and offered to that partner, which answers it like any lead;
    when the partner cannot take leads now it stays unassigned for the vendor to route,
    so a visitor's request is never dropped.
    """
    with transaction.atomic():
        lead = _lead_save(
            motion=motion, product=product, data=data, user=None, partner_sourced=True
        )
        if partner_services.partner_can_transact(organization=organization):
            _offer(lead=lead, organization=organization, actor=None)
    return lead


def _rule_matches(rule: RoutingRule, lead: Lead) -> bool:
    if rule.countries and lead.country not in rule.countries:
        return False
    return not (rule.product_id and rule.product_id != lead.product_id)


def _rule_candidates(rule: RoutingRule, lead: Lead, excluded: set):
    """Partners the rule may offer the lead to: those that could accept it, i.e. through
    the program's agreement gate and of a partner type the lead's motion allows."""
    orgs = partner_selectors.organizations_with_gate(
        queryset=PartnerOrganization.objects.exclude(pk__in=excluded)
    ).filter(gate_open=True)
    motion_types = list(
        MotionPartnerType.objects.filter(motion_id=lead.motion_id).values_list(
            "partner_type_id", flat=True
        )
    )
    if motion_types:
        orgs = orgs.filter(partner_type_id__in=motion_types)
    if rule.countries:
        orgs = orgs.filter(country__in=rule.countries)
    if rule.partner_type_id:
        orgs = orgs.filter(partner_type_id=rule.partner_type_id)
    if rule.min_tier_id:
        orgs = orgs.filter(tier__rank__gte=rule.min_tier.rank)
    return orgs.select_related("tier")


def _pick(rule: RoutingRule, candidates) -> PartnerOrganization | None:
    candidates = list(candidates.order_by("name"))
    if not candidates:
        return None
    ids = [c.pk for c in candidates]
    if rule.method == RoutingMethod.CAPACITY_WEIGHT:
        open_leads = dict(
            Lead.objects.filter(assigned_organization_id__in=ids, status__in=(LeadStatus.OFFERED,))
            .values("assigned_organization_id")
            .annotate(n=Count("id"))
            .values_list("assigned_organization_id", "n")
        )
        return min(candidates, key=lambda c: (open_leads.get(c.pk, 0), c.name))
    stats = {
        row["organization_id"]: row
        for row in LeadOffer.objects.filter(rule=rule, organization_id__in=ids)
        .values("organization_id")
        .annotate(n=Count("id"), last=Max("offered_at"))
    }
    if rule.method == RoutingMethod.TIER_WEIGHT:
        # Smooth weighted round robin: offers so far divided by the tier's weight.
        def load(c):
            weight = max(c.tier.rank, 1) if c.tier_id else 1
            return (stats.get(c.pk, {}).get("n", 0) / weight, -weight, c.name)

        return min(candidates, key=load)
    # Round robin: whoever this rule offered to least recently (never first).
    epoch = timezone.now() - timedelta(days=365 * 100)
    return min(candidates, key=lambda c: (stats.get(c.pk, {}).get("last") or epoch, c.name))


def lead_route(*, lead: Lead, acting_membership: Membership | None = None) -> LeadOffer | None:
    """Offer the lead to the next partner by the rules in priority order, or leave it
    waiting for manual assignment when no rule finds anyone not yet asked.

    A pending offer is withdrawn first (staff re-routing an offered lead), so a lead never
    has two pending offers and a released lead is offered to nobody.
    """
    user = acting_user(acting_membership)
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.status not in (LeadStatus.UNASSIGNED, LeadStatus.OFFERED):
            raise ValidationError("This lead was already accepted or closed.")
        offer = _lead_route_locked(lead=locked, actor=user)
    # The caller's object shows where the lead went, as it always did.
    lead.refresh_from_db(fields=["status", "assigned_organization"])
    return offer


def _lead_route_locked(*, lead: Lead, actor=None) -> LeadOffer | None:
    LeadOffer.objects.filter(lead=lead, status=OfferStatus.PENDING).update(
        status=OfferStatus.WITHDRAWN, answered_at=timezone.now(), answered_by=actor
    )
    excluded = set(LeadOffer.objects.filter(lead=lead).values_list("organization_id", flat=True))
    for rule in RoutingRule.objects.filter(is_active=True).select_related("min_tier"):
        if not _rule_matches(rule, lead):
            continue
        organization = _pick(rule, _rule_candidates(rule, lead, excluded))
        if organization is not None:
            return _offer(lead=lead, organization=organization, rule=rule, actor=actor)
    if lead.status != LeadStatus.UNASSIGNED:
        lead.release()
    lead.assigned_organization = None
    lead.save(update_fields=["status", "assigned_organization"])
    notify(
        recipients=staff_users(),
        kind="lead.unassigned",
        title=f"Lead {lead.customer_name} waits for manual assignment",
        body="No routing rule found a partner that has not been asked yet.",
        url=reverse("deals:lead_detail", kwargs={"pk": lead.pk}),
        dedupe_key=f"lead:{lead.pk}:unassigned:{LeadOffer.objects.filter(lead=lead).count()}",
        actor=actor,
    )
    return None


def _offer(*, lead: Lead, organization, rule=None, actor=None) -> LeadOffer:
    now = timezone.now()
    hours = deal_settings_get().lead_acceptance_hours
    offer = LeadOffer.objects.create(
        lead=lead,
        organization=organization,
        rule=rule,
        offered_at=now,
        expires_at=now + timedelta(hours=hours),
        offered_by=actor,
    )
    lead.offer()
    lead.assigned_organization = organization
    lead.save(update_fields=["status", "assigned_organization"])
    notify(
        recipients=_partner_users(organization.pk),
        kind="lead.offered",
        title=f"New lead for you: {lead.customer_name}",
        body=f"Accept or decline by {timezone.localtime(offer.expires_at):%d %b %Y %H:%M}.",
        url=reverse("deals:portal_lead_detail", kwargs={"pk": lead.pk}),
        dedupe_key=f"leadoffer:{offer.pk}",
        actor=actor,
    )
    return offer


def lead_assign(
    *, lead: Lead, organization: PartnerOrganization, acting_membership: Membership
) -> LeadOffer:
    """Offer a lead to a partner chosen by hand (withdrawing any pending offer).

    Only to a partner that may transact (active, not offboarded, agreement accepted): the
    offer hands over the customer's contact details.
    """
    user = acting_membership.user
    if not partner_services.partner_can_transact(organization=organization):
        raise ValidationError(
            {
                "organization": f"{organization.name} cannot take leads now: it is not active "
                "in the program or has not accepted the current agreement."
            }
        )
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.status not in (LeadStatus.UNASSIGNED, LeadStatus.OFFERED):
            raise ValidationError("This lead was already accepted or closed.")
        LeadOffer.objects.filter(lead=lead, status=OfferStatus.PENDING).update(
            status=OfferStatus.WITHDRAWN, answered_at=timezone.now(), answered_by=user
        )
        return _offer(lead=lead, organization=organization, actor=user)


def _pending_offer(lead: Lead, organization_id) -> LeadOffer:
    offer = (
        LeadOffer.objects.select_for_update()
        .filter(lead=lead, status=OfferStatus.PENDING, organization_id=organization_id)
        .first()
    )
    if offer is None:
        raise ValidationError("This lead is no longer offered to your organization.")
    if offer.expires_at <= timezone.now():
        raise ValidationError("The time to answer this offer has passed.")
    return offer


def lead_accept(*, lead: Lead, acting_membership: Membership) -> Deal:
    """The partner accepts: the lead becomes an approved deal registration."""
    user = acting_membership.user
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("motion", "product")
            .get(pk=lead.pk)
        )
        if lead.status == LeadStatus.ACCEPTED and lead.deal_id:
            if lead.assigned_organization_id != acting_membership.partner_organization_id:
                raise ValidationError("This lead is no longer offered to your organization.")
            return lead.deal  # a double click: already accepted by this organization
        offer = _pending_offer(lead, acting_membership.partner_organization_id)
        organization = PartnerOrganization.objects.get(pk=acting_membership.partner_organization_id)
        if not partner_services.partner_can_transact(organization=organization):
            raise ValidationError(
                "Your organization must accept the program agreement before taking leads."
            )
        offer.status = OfferStatus.ACCEPTED
        offer.answered_at = timezone.now()
        offer.answered_by = user
        offer.save()
        lines = []
        if lead.product_id:
            lines = [LineInput(product=lead.product, quantity=1, amount=lead.estimated_amount)]
        close = lead.expected_close_date or (timezone.localdate() + timedelta(days=90))
        deal = Deal(organization=organization, motion=lead.motion, created_by=user)
        _apply(
            deal,
            {
                "customer_name": lead.customer_name,
                "customer_domain": lead.customer_domain,
                "country": lead.country,
                "contact_name": lead.contact_name,
                "contact_email": lead.contact_email,
                "expected_close_date": close,
                "notes": lead.notes,
            },
        )
        deal.number = _next_number()
        now = timezone.now()
        deal.submitted_at = deal.first_submitted_at = now
        deal.submitted_by = user
        deal.save()
        _write_lines(deal, lines)
        deal.status = DealStatus.SUBMITTED
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value="",
            to_value=DealStatus.SUBMITTED,
            actor=user,
            reason="Accepted lead from the vendor.",
        )
        # A lead is approved on acceptance, unless another partner already claims the
        # customer: then it waits in the review queue for the conflict to be decided.
        if _conflicts_record(deal):
            notify(
                recipients=_deal_staff(deal),
                kind="deal.submitted",
                title=f"{deal.reference}: {organization.name} accepted a lead another "
                f"partner's registration claims ({deal.customer_name})",
                body="Decide the conflict before the registration can be approved.",
                url=_console_url(deal),
                dedupe_key=f"deal:{deal.pk}:lead-conflict",
                actor=user,
            )
        else:
            deal = deal_approve(
                deal=deal,
                acting_membership=None,
                note="Lead accepted: approved on creation.",
                caused_by=user,
            )
        lead.accept()
        lead.deal = deal
        lead.save(update_fields=["status", "deal"])
        partner_services.partner_activity_record(organization=organization)
        notify(
            recipients=[lead.created_by] if lead.created_by else _admins(),
            kind="lead.accepted",
            title=f"{organization.name} accepted the lead {lead.customer_name}",
            url=_console_url(deal),
            dedupe_key=f"lead:{lead.pk}:accepted",
            actor=user,
        )
    return deal


def lead_decline(*, lead: Lead, acting_membership: Membership, reason: str) -> LeadOffer | None:
    """The partner declines with a reason; the lead goes to the next partner."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decline this lead."})
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        offer = _pending_offer(lead, acting_membership.partner_organization_id)
        offer.status = OfferStatus.DECLINED
        offer.answered_at = timezone.now()
        offer.answered_by = acting_membership.user
        offer.reason = reason
        offer.save()
        return lead_route(lead=lead, acting_membership=None)


def leads_expire_offers(*, now: datetime | None = None) -> int:
    """Offers whose window passed go to the next partner. Idempotent."""
    now = now or timezone.now()
    count = 0
    lead_ids = list(
        LeadOffer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now).values_list(
            "lead_id", flat=True
        )[:5000]
    )
    for lead_id in lead_ids:
        with transaction.atomic():
            lead = Lead.objects.select_for_update().get(pk=lead_id)
            offer = LeadOffer.objects.filter(
                lead=lead, status=OfferStatus.PENDING, expires_at__lte=now
            ).first()
            if offer is None:
                continue
            offer.status = OfferStatus.EXPIRED
            offer.answered_at = now
            offer.reason = "No answer within the acceptance window."
            offer.save()
            lead_route(lead=lead)
            count += 1
    return count


def lead_close(*, lead: Lead, acting_membership: Membership) -> Lead:
    user = acting_membership.user
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if not can_proceed(lead.close):
            raise ValidationError("An accepted lead cannot be closed: it is a deal now.")
        LeadOffer.objects.filter(lead=lead, status=OfferStatus.PENDING).update(
            status=OfferStatus.WITHDRAWN, answered_at=timezone.now(), answered_by=user
        )
        lead.close()
        lead.save(update_fields=["status"])
    return lead


def _country_codes(codes) -> list[str]:
    if isinstance(codes, str):
        codes = codes.replace(";", ",").split(",")
    cleaned = [str(code).strip().upper() for code in codes or () if str(code).strip()]
    bad = [code for code in cleaned if len(code) != 2 or not code.isalpha()]
    if bad:
        raise ValidationError({"countries": f"Not two-letter country codes: {', '.join(bad)}."})
    return sorted(set(cleaned))


def routing_rule_save(*, rule: RoutingRule, acting_membership: Membership) -> RoutingRule:
    """Create or change a routing rule (admins): country codes normalised, the model's
    checks applied; pghistory records the change (and the request's user)."""
    rule.name = (rule.name or "").strip()
    rule.countries = _country_codes(rule.countries)
    rule.full_clean(exclude=["tenant"])
    with transaction.atomic():
        rule.save()
    return rule


def routing_rule_delete(*, rule: RoutingRule, acting_membership: Membership) -> None:
    """Remove a routing rule; offers it made keep their history (their rule is unset)."""
    with transaction.atomic():
        rule.delete()
