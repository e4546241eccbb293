"""Deal registration: drafts, edits, submission and the conflict check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from partners import services as partner_services
from partners.models import PartnerOrganization
from prm.core.text import web_domain
from prm.notifications.services import notifications_settle, notify
from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership

from .. import providers
from ..choices import (
    DealStatus,
    TransitionKind,
)
from ..models import (
    Deal,
    DealConflict,
    DealLine,
    DealNumberSequence,
    Motion,
    Product,
)
from ..selectors import (
    deal_conflicts_find,
)
from ._common import (
    DOMAIN_RE,
    _console_url,
    _deal_staff,
    _locked,
    _record,
    _transition,
    normalize_company_name,
)
from .catalogue import motion_allowed_for, motions_available_list


@dataclass
class LineInput:
    product: Product
    quantity: int
    amount: Decimal


def _next_number() -> int:
    """Advance the tenant's counter under a row lock (gapless while transactions commit)."""
    tenant = require_current_tenant()
    DealNumberSequence.objects.bulk_create(
        [DealNumberSequence(tenant=tenant, last_number=0)], ignore_conflicts=True
    )
    sequence = DealNumberSequence.objects.select_for_update().get()
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


DEAL_FIELDS = (
    "customer_name",
    "customer_domain",
    "country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "expected_close_date",
    "notes",
)


def _validate_registration(
    *, organization, motion: Motion, data: dict, lines: list[LineInput], is_new: bool
) -> None:
    errors: dict[str, list[str]] = {}
    if not (data.get("customer_name") or "").strip():
        errors.setdefault("customer_name", []).append("Enter the customer's company name.")
    domain = web_domain(data.get("customer_domain", ""))
    if not domain or not DOMAIN_RE.match(domain):
        errors.setdefault("customer_domain", []).append(
            "Enter the customer's website or domain, e.g. example.com."
        )
    country = (data.get("country") or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        errors.setdefault("country", []).append("Enter a two-letter country code, e.g. US.")
    close = data.get("expected_close_date")
    if close is None:
        errors.setdefault("expected_close_date", []).append("Enter the expected close date.")
    elif is_new and close < timezone.localdate():
        errors.setdefault("expected_close_date", []).append(
            "The expected close date cannot be in the past."
        )
    if motion is None:
        errors.setdefault("motion", []).append("Choose a motion.")
    elif is_new and not motion.is_active:
        errors.setdefault("motion", []).append("This motion is retired; choose another.")
    elif not motion_allowed_for(motion=motion, organization=organization):
        errors.setdefault("motion", []).append("Your partner type cannot use this motion.")
    if not lines:
        errors.setdefault("lines", []).append("Add at least one product.")
    seen = set()
    for line in lines:
        if line.product.pk in seen:
            errors.setdefault("lines", []).append(f"{line.product.name} is listed twice.")
        seen.add(line.product.pk)
        if not line.product.is_active:
            errors.setdefault("lines", []).append(f"{line.product.name} is no longer sold.")
        if line.quantity is None or line.quantity < 1:
            errors.setdefault("lines", []).append("Quantities must be at least 1.")
        if line.amount is None or line.amount < 0:
            errors.setdefault("lines", []).append("Amounts cannot be negative.")
    if errors:
        raise ValidationError(errors)


def _apply(deal: Deal, data: dict) -> None:
    for name in DEAL_FIELDS:
        if name in data:
            setattr(deal, name, data[name] if data[name] is not None else "")
    deal.customer_name = deal.customer_name.strip()
    deal.customer_name_normalized = normalize_company_name(value=deal.customer_name)
    deal.customer_domain = web_domain(deal.customer_domain)
    deal.country = (deal.country or "").strip().upper()


def _write_lines(deal: Deal, lines: list[LineInput]) -> None:
    DealLine.objects.filter(deal=deal).delete()
    DealLine.objects.bulk_create(
        [
            DealLine(
                tenant_id=deal.tenant_id,
                deal=deal,
                product=line.product,
                quantity=line.quantity,
                amount=line.amount,
            )
            for line in lines
        ]
    )
    deal.amount = sum((line.amount for line in lines), Decimal("0"))


def deal_create(
    *,
    organization: PartnerOrganization,
    acting_membership: Membership,
    motion: Motion,
    data: dict,
    lines: list[LineInput],
    idempotency_key: str | None = None,
    submit: bool = False,
) -> Deal:
    """Register a deal as a draft (and submit it when asked).

    The same idempotency key from the same partner returns the deal it created the
    first time: a double click, a retried POST or a second tab make one deal. Requests
    carrying the same key wait for each other on a transaction lock, so the second one
    finds the first one's deal (the unique constraint is the last wall behind it).
    """
    user = acting_membership.user
    _validate_registration(
        organization=organization, motion=motion, data=data, lines=lines, is_new=True
    )
    with transaction.atomic():
        if idempotency_key:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))",
                    [f"deals.create:{organization.pk}:{idempotency_key}"],
                )
            existing = Deal.objects.filter(
                organization=organization, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                if submit and existing.status == DealStatus.DRAFT:
                    return deal_submit(deal=existing, acting_membership=acting_membership)
                return existing
        deal = Deal(
            organization=organization,
            motion=motion,
            created_by=user,
            idempotency_key=idempotency_key or None,
        )
        _apply(deal, data)
        deal.number = _next_number()
        deal.save()
        _write_lines(deal, lines)
        deal.save(update_fields=["amount"])
        _record(deal, kind=TransitionKind.STATUS, from_value="", to_value=deal.status, actor=user)
        if submit:
            deal = deal_submit(deal=deal, acting_membership=acting_membership)
    return deal


def deal_update(
    *,
    deal: Deal,
    acting_membership: Membership,
    motion: Motion,
    data: dict,
    lines: list[LineInput],
) -> Deal:
    """Edit a draft, or a registration the vendor asked more information about."""
    with transaction.atomic():
        deal = _locked(deal)
        if not deal.is_editable_by_partner:
            raise ValidationError(
                f"A {deal.get_status_display().lower()} registration can no longer be edited."
            )
        _validate_registration(
            organization=deal.organization,
            motion=motion,
            data=data,
            lines=lines,
            is_new=deal.status == DealStatus.DRAFT,
        )
        deal.motion = motion
        _apply(deal, data)
        _write_lines(deal, lines)
        deal.save()
    return deal


def _conflict_lock() -> None:
    """Serialise conflict checks of one tenant: two submissions of the same customer at
    the same moment would otherwise each miss the other (neither has committed yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('deals.conflicts'), %s)",
            [require_current_tenant().pk],
        )


def deal_submit(*, deal: Deal, acting_membership: Membership) -> Deal:
    """Send a registration to the vendor: the agreement gate, then the conflict check."""
    user = acting_membership.user
    with transaction.atomic():
        _conflict_lock()
        deal = _locked(deal)
        if deal.status == DealStatus.SUBMITTED:
            return deal  # a double click: already done, nothing more to do
        if not partner_services.partner_can_transact(organization=deal.organization):
            raise ValidationError(
                "Your organization must accept the program agreement before submitting deals."
            )
        blockers = deal_registration_blockers(organization=deal.organization, motion=deal.motion)
        if blockers:
            raise ValidationError(blockers)
        if deal.expected_close_date < timezone.localdate():
            raise ValidationError(
                {"expected_close_date": "The expected close date cannot be in the past."}
            )
        if not DealLine.objects.filter(deal=deal).exists():
            raise ValidationError({"lines": "Add at least one product before submitting."})
        is_first = not Deal.objects.filter(
            organization=deal.organization, first_submitted_at__isnull=False
        ).exists()
        before = _transition(deal, "submit")
        now = timezone.now()
        deal.submitted_at = now
        deal.submitted_by = user
        if deal.first_submitted_at is None:
            deal.first_submitted_at = now
        deal.info_request = ""
        deal.save()
        notifications_settle(prefixes=[f"deal:{deal.pk}:info:"])  # answered
        _record(
            deal, kind=TransitionKind.STATUS, from_value=before, to_value=deal.status, actor=user
        )
        conflicts = _conflicts_record(deal)
        if is_first:
            partner_services.onboarding_event_record(
                organization=deal.organization, event="first_deal_registered"
            )
        partner_services.partner_activity_record(organization=deal.organization)
        staff = _deal_staff(deal)
        notify(
            recipients=staff,
            kind="deal.submitted",
            title=f"{deal.reference} submitted by {deal.organization.name}: {deal.customer_name}",
            body="A registration is waiting for your review."
            + (f" It matches {len(conflicts)} earlier registration(s)." if conflicts else ""),
            url=_console_url(deal),
            dedupe_key=f"deal:{deal.pk}:submitted:{now.isoformat()}",
            actor=user,
        )
    return deal


def deal_registration_blockers(*, organization: PartnerOrganization, motion: Motion) -> list[str]:
    """Why this partner may not register deals in this motion, beyond the agreement gate.

    The rules come from the apps above (deals/providers.py): e.g. a learning path the
    motion requires. Empty when nothing stands in the way.
    """
    return _gate_reasons(organization=organization, motions=[motion])[motion.pk]


def _gate_reasons(*, organization: PartnerOrganization, motions: list[Motion]) -> dict:
    """{motion pk: reasons} from every registration gate of the apps above, each asked
    once for all the motions when it can answer for several (`for_motions`)."""
    reasons: dict = {motion.pk: [] for motion in motions}
    for gate in providers.registration_gates:
        for_motions = getattr(gate, "for_motions", None)
        if for_motions is not None:
            answers = for_motions(organization, motions)
        else:
            answers = {motion.pk: gate(organization, motion) for motion in motions}
        for motion in motions:
            reasons[motion.pk].extend(answers[motion.pk])
    return reasons


@dataclass
class RegistrationGate:
    """What stands between a partner and registering a deal, shown where it is offered."""

    organization_reasons: list[str]
    motion_reasons: list[tuple[Motion, list[str]]]
    open_motions: list[Motion]

    @property
    def can_register(self) -> bool:
        return not self.organization_reasons and bool(self.open_motions)

    @property
    def is_open(self) -> bool:
        return self.can_register and not self.motion_reasons


def deal_registration_gate(*, organization: PartnerOrganization) -> RegistrationGate:
    """The agreement gate and every registration gate of every motion the partner may
    use, in words for the partner; what deal submission would refuse, known before it."""

    organization_reasons = [
        reason[:1].upper() + reason[1:] + "."
        for reason in partner_services.partner_transact_blockers(organization=organization)
    ]
    motions = list(motions_available_list(organization=organization))
    blockers = _gate_reasons(organization=organization, motions=motions)
    motion_reasons, open_motions = [], []
    for motion in motions:
        reasons = blockers[motion.pk]
        if reasons:
            motion_reasons.append((motion, reasons))
        else:
            open_motions.append(motion)
    return RegistrationGate(organization_reasons, motion_reasons, open_motions)


def _conflicts_record(deal: Deal) -> list[DealConflict]:
    created = []
    for match in deal_conflicts_find(deal=deal):
        # One record per pair, whichever of the two was checked first.
        if DealConflict.objects.filter(
            Q(deal=deal, other_deal=match.other_deal) | Q(deal=match.other_deal, other_deal=deal)
        ).exists():
            continue
        created.append(
            DealConflict.objects.create(
                deal=deal,
                other_deal=match.other_deal,
                score=match.score,
                domain_match=match.domain_match,
                name_similarity=match.name_similarity,
                overlapping_products=match.overlapping_products,
                reasons=match.reasons,
            )
        )
    return created


def _protection_days(organization: PartnerOrganization) -> int:
    value = partner_services.partner_benefit_value(
        organization=organization, benefit_key="deal_protection_days"
    )
    try:
        days = int(value) if value not in (None, "", False) else 0
    except (TypeError, ValueError):
        days = 0
    return days if days > 0 else require_current_tenant().default_deal_protection_days
