"""Helpers shared by the deal services: normalisation, people to tell, recording transitions."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.urls import reverse
from django_fsm import can_proceed

from partners import selectors as partner_selectors
from prm.core import events
from prm.tenancy.choices import Role
from prm.tenancy.models import Membership
from prm.tenancy.selectors import staff_users

from ..choices import (
    TransitionKind,
)
from ..events import DEAL_STATUS_CHANGED
from ..models import (
    Deal,
    DealTransition,
)

# What a partner reads when its registration lost a conflict: never the other deal.
CONFLICT_REJECTION_TEXT = "An earlier registration exists for this customer."


CONFLICT_PREFERRED_TEXT = "Another registration for this customer was preferred."


LEGAL_SUFFIXES = {
    "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "corp", "corporation",
    "co", "company", "gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "srl", "spa", "oy",
    "ab", "as", "pty", "kk", "group", "holdings",
}  # fmt: skip


DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_company_name(*, value: str) -> str:
    """Lower case, punctuation and legal suffixes removed: 'ACME, Inc.' → 'acme'.

    Dotted initials are joined first ("S.A." → "sa", "B.V." → "bv"), so the suffix
    list recognises them instead of leaving single letters that sway the similarity.
    """
    text = re.sub(r"\b(?:\w\.){2,}", lambda m: m.group(0).replace(".", ""), (value or "").lower())
    words = re.sub(r"[^\w\s]", " ", text).split()
    kept = [w for w in words if w not in LEGAL_SUFFIXES]
    return " ".join(kept or words)


def _partner_users(organization_id) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            partner_organization_id=organization_id, is_active=True
        ).select_related("user")
    ]


def _admins() -> list:
    return list(staff_users(roles=[Role.ADMIN]))


def _deal_staff(deal: Deal) -> list:
    """The partner's channel manager (else the admins) and the deal's sales rep."""
    people = partner_selectors.partner_vendor_contacts(organization=deal.organization)
    if deal.vendor_sales_rep_id:
        people.append(deal.vendor_sales_rep)
    return people


def _portal_url(deal: Deal) -> str:
    return reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})


def _console_url(deal: Deal) -> str:
    return reverse("deals:console_deal_detail", kwargs={"pk": deal.pk})


def _record(deal: Deal, *, kind: str, from_value: str, to_value: str, actor, reason=""):
    """Put a transition on the deal's record; a status change is also announced above."""
    DealTransition.objects.create(
        deal=deal,
        kind=kind,
        from_value=str(from_value or ""),
        to_value=str(to_value or ""),
        actor=actor,
        reason=reason,
    )
    if kind == TransitionKind.STATUS and str(from_value or "") != str(to_value or ""):
        events.publish(
            DEAL_STATUS_CHANGED,
            tenant_id=deal.tenant_id,
            deal_id=deal.pk,
            organization_id=deal.organization_id,
            from_status=str(from_value or ""),
            to_status=str(to_value or ""),
            actor_user_id=getattr(actor, "pk", None),
        )


def _locked(deal: Deal) -> Deal:
    """Re-read the deal under a row lock: the guard against double and racing writes."""
    return (
        Deal.objects.select_for_update(of=("self",))
        .select_related("organization", "motion", "stage", "organization__channel_manager")
        .get(pk=deal.pk)
    )


VERBS = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "request_info": "sent back for more information",
    "win": "marked won",
    "lose": "marked lost",
    "expire": "expired",
}


def _transition(deal: Deal, method: str) -> str:
    """Run an FSM transition or explain, in words, why it is not allowed."""
    bound = getattr(deal, method)
    if not can_proceed(bound):
        raise ValidationError(
            f"{deal.reference} is {deal.get_status_display().lower()}: "
            f"it cannot be {VERBS[method]}."
        )
    before = deal.status
    bound()
    return before
