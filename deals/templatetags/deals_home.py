"""The deals blocks of the console and portal home pages (a few counts, scoped)."""

from datetime import timedelta

from django import template
from django.utils import timezone

from deals.choices import ConflictStatus, DealStatus, LeadStatus, OfferStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def deals_console_summary(context) -> dict:
    from deals.models import Deal, DealConflict, Lead

    membership = context["request"].membership
    today = timezone.localdate()
    deals = Deal.objects.visible_to(membership)
    return {
        "pending": deals.filter(status=DealStatus.SUBMITTED).count(),
        "conflicts": DealConflict.objects.visible_to(membership)
        .filter(status=ConflictStatus.OPEN)
        .count(),
        "unassigned_leads": Lead.objects.visible_to(membership)
        .filter(status=LeadStatus.UNASSIGNED)
        .count(),
        "expiring": deals.filter(
            status=DealStatus.APPROVED,
            protection_expires_on__lte=today + timedelta(days=7),
        ).count(),
    }


@register.simple_tag(takes_context=True)
def deals_portal_summary(context) -> dict:
    from deals.models import Deal, LeadOffer

    membership = context["request"].membership
    deals = Deal.objects.visible_to(membership)
    return {
        "approved": deals.filter(status=DealStatus.APPROVED).count(),
        "info_requested": deals.filter(status=DealStatus.INFO_REQUESTED).count(),
        "leads": LeadOffer.objects.visible_to(membership)
        .filter(status=OfferStatus.PENDING)
        .count(),
    }


@register.inclusion_tag("deals/_registration_gate.html", takes_context=True)
def deal_registration_gate(context, button: bool = True):
    """Where "Register a deal" is offered: the button when the partner may register, and
    every reason it may not (the agreement gate, each motion's gates) before any form."""
    from deals.services import deal_registration_gate as gate_of

    membership = context["request"].membership
    organization = getattr(membership, "partner_organization", None)
    if organization is None:
        return {"gate": None}
    return {"gate": gate_of(organization=organization), "button": button}
