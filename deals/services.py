"""Business rules of deal registration, co-selling and lead routing (writes).

Every state change happens here, inside a transaction, with a row lock on the deal so
that a double click, a retried request or two reviewers at once change it once; each is
recorded as a DealTransition and told to the other side through notify().
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from partners import selectors as partner_selectors
from partners import services as partner_services
from partners.models import PartnerOrganization
from prm.core import events
from prm.core.text import web_domain
from prm.notifications.services import notify
from prm.tenancy.choices import Role
from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership
from prm.tenancy.selectors import staff_users

from . import providers
from .choices import (
    OPEN_STATUSES,
    ConflictDecision,
    ConflictStatus,
    DealStatus,
    ExtensionStatus,
    LeadStatus,
    OfferStatus,
    RejectionCode,
    RoutingMethod,
    StageOwner,
    TransitionKind,
)
from .events import DEAL_STATUS_CHANGED
from .models import (
    Deal,
    DealComment,
    DealConflict,
    DealLine,
    DealNumberSequence,
    DealPartner,
    DealTransition,
    Lead,
    LeadOffer,
    Motion,
    MotionPartnerType,
    MotionStage,
    Product,
    ProtectionExtension,
    RoutingRule,
)
from .selectors import (
    conflict_first_comer,
    deal_conflicts_find,
    deal_settings_get,
    motion_first_stage,
)

# What a partner reads when its registration lost a conflict: never the other deal.
CONFLICT_REJECTION_TEXT = "An earlier registration exists for this customer."
CONFLICT_PREFERRED_TEXT = "Another registration for this customer was preferred."

LEGAL_SUFFIXES = {
    "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "corp", "corporation",
    "co", "company", "gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "srl", "spa", "oy",
    "ab", "as", "pty", "kk", "group", "holdings",
}  # fmt: skip


# ---------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------


DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_company_name(value: str) -> str:
    """Lower case, punctuation and legal suffixes removed: 'ACME, Inc.' → 'acme'.

    Dotted initials are joined first ("S.A." → "sa", "B.V." → "bv"), so the suffix
    list recognises them instead of leaving single letters that sway the similarity.
    """
    text = re.sub(r"\b(?:\w\.){2,}", lambda m: m.group(0).replace(".", ""), (value or "").lower())
    words = re.sub(r"[^\w\s]", " ", text).split()
    kept = [w for w in words if w not in LEGAL_SUFFIXES]
    return " ".join(kept or words)


# ---------------------------------------------------------------------------------------
# People to tell
# ---------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------
# Catalogue and motions
# ---------------------------------------------------------------------------------------


def product_save(*, product: Product) -> Product:
    product.sku = product.sku.strip()
    if Product.objects.filter(sku__iexact=product.sku).exclude(pk=product.pk).exists():
        raise ValidationError({"sku": "Another product already has this SKU."})
    product.full_clean(exclude=["tenant"])
    product.save()
    return product


def motion_save(*, motion: Motion, partner_types=None) -> Motion:
    if Motion.objects.filter(key=motion.key).exclude(pk=motion.pk).exists():
        raise ValidationError({"key": "Another motion already uses this key."})
    with transaction.atomic():
        motion.save()
        if partner_types is not None:
            wanted = {t.pk for t in partner_types}
            MotionPartnerType.objects.filter(motion=motion).exclude(
                partner_type_id__in=wanted
            ).delete()
            have = set(
                MotionPartnerType.objects.filter(motion=motion).values_list(
                    "partner_type_id", flat=True
                )
            )
            for type_id in wanted - have:
                MotionPartnerType.objects.create(motion=motion, partner_type_id=type_id)
    return motion


def motion_retire(*, motion: Motion, active: bool = False) -> Motion:
    """Retire (or bring back) a motion: no new deals; existing deals keep their stages."""
    motion.is_active = active
    motion.save(update_fields=["is_active"])
    return motion


def motion_stage_add(
    *,
    motion: Motion,
    name: str,
    owner: str,
    sla_days: int,
    is_won: bool = False,
    is_lost: bool = False,
) -> MotionStage:
    if is_won and is_lost:
        raise ValidationError("A stage cannot be both won and lost.")
    if owner not in StageOwner.values:
        raise ValidationError({"owner": "Choose partner, vendor or both."})
    with transaction.atomic():
        Motion.objects.select_for_update().filter(pk=motion.pk).first()
        last = MotionStage.objects.filter(motion=motion).aggregate(m=Max("position"))["m"] or 0
        return MotionStage.objects.create(
            motion=motion,
            name=name.strip(),
            owner=owner,
            sla_days=sla_days,
            is_won=is_won,
            is_lost=is_lost,
            position=last + 1,
        )


def motion_stage_update(
    *, stage: MotionStage, name: str, owner: str, sla_days: int, is_won: bool, is_lost: bool
) -> MotionStage:
    """Rename a stage, change its owner, SLA or closing flag (its place stays)."""
    if is_won and is_lost:
        raise ValidationError("A stage cannot be both won and lost.")
    if (is_won or is_lost) and Deal.objects.filter(
        stage=stage, status=DealStatus.APPROVED
    ).exists():
        raise ValidationError("Open deals are in this stage: it cannot become a closing stage.")
    stage.name = name.strip()
    stage.owner = owner
    stage.sla_days = sla_days
    stage.is_won = is_won
    stage.is_lost = is_lost
    stage.save()
    return stage


def motion_allowed_for(*, motion: Motion, organization: PartnerOrganization) -> bool:
    types = set(
        MotionPartnerType.objects.filter(motion=motion).values_list("partner_type_id", flat=True)
    )
    return not types or organization.partner_type_id in types


def motions_available_to(*, organization: PartnerOrganization):
    """Active motions this partner's type may use."""
    return (
        Motion.objects.filter(is_active=True)
        .filter(
            Q(type_links__isnull=True) | Q(type_links__partner_type_id=organization.partner_type_id)
        )
        .distinct()
        .order_by("name")
    )


# ---------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------


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
    deal.customer_name_normalized = normalize_company_name(deal.customer_name)
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
    user,
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
                    return deal_submit(deal=existing, user=user)
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
            deal = deal_submit(deal=deal, user=user)
    return deal


def deal_update(*, deal: Deal, user, motion: Motion, data: dict, lines: list[LineInput]) -> Deal:
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


def deal_submit(*, deal: Deal, user) -> Deal:
    """Send a registration to the vendor: the agreement gate, then the conflict check."""
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
    return [
        reason for gate in providers.registration_gates for reason in gate(organization, motion)
    ]


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


def deal_approve(*, deal: Deal, user, note: str = "", caused_by=None) -> Deal:
    """Approve a registration: protection starts and the deal enters its motion.

    `user` is the reviewer (None when the portal approves by itself); `caused_by` is who
    set it off when that is someone else (a partner accepting a lead), so that person is
    not told about their own action.
    """
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status == DealStatus.APPROVED:
            return deal
        if DealConflict.objects.involving(deal).open().exists():
            raise ValidationError(
                f"{deal.reference} has an open conflict: resolve it before approving."
            )
        before = _transition(deal, "approve")
        today = timezone.localdate()
        now = timezone.now()
        days = _protection_days(deal.organization)
        deal.approved_at = now
        deal.reviewed_by = user
        deal.protection_expires_on = today + timedelta(days=days)
        if deal.stage_id is None:
            deal.stage = motion_first_stage(motion=deal.motion)
            deal.stage_entered_at = now
        deal.save()
        DealPartner.objects.get_or_create(
            deal=deal,
            organization=deal.organization,
            defaults={"role": deal.motion.default_partner_role, "split_percent": Decimal("100")},
        )
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=note or f"Protected for {days} days, until {deal.protection_expires_on}.",
        )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.approved",
            title=f"{deal.reference} approved: {deal.customer_name}",
            body=f"Protected until {deal.protection_expires_on:%d %b %Y}.",
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:approved",
            actor=user or caused_by,
        )
    return deal


def deal_reject(*, deal: Deal, user, reason: str, code: str = RejectionCode.OTHER) -> Deal:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the partner a reason for the rejection."})
    if code not in RejectionCode.values:
        raise ValidationError({"code": "Choose a rejection reason."})
    with transaction.atomic():
        deal = _locked(deal)
        before = _transition(deal, "reject")
        deal.rejection_code = code
        deal.rejection_reason = reason
        deal.reviewed_by = user
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=reason,
        )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.rejected",
            title=f"{deal.reference} rejected: {deal.customer_name}",
            body=reason,
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:rejected",
            actor=user,
        )
    return deal


def deal_request_info(*, deal: Deal, user, message: str) -> Deal:
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": "Say what information you need."})
    with transaction.atomic():
        deal = _locked(deal)
        before = _transition(deal, "request_info")
        deal.info_request = message
        deal.reviewed_by = user
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=message,
        )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.info_requested",
            title=f"{deal.reference}: more information requested",
            body=message,
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:info:{timezone.now().isoformat()}",
            actor=user,
        )
    return deal


def deals_bulk_approve(*, deals, user) -> tuple[list[Deal], dict[str, str]]:
    """Approve several registrations; returns those approved and why others were not."""
    approved, skipped = [], {}
    for deal in deals:
        try:
            approved.append(deal_approve(deal=deal, user=user))
        except ValidationError as exc:
            skipped[deal.reference] = " ".join(exc.messages)
    return approved, skipped


# ---------------------------------------------------------------------------------------
# Co-selling
# ---------------------------------------------------------------------------------------


def _side_may_move(owner: str, membership) -> bool:
    if membership.is_staff_role:
        return owner in (StageOwner.VENDOR, StageOwner.BOTH)
    return owner in (StageOwner.PARTNER, StageOwner.BOTH)


def deal_stage_may_move(*, deal: Deal, membership) -> bool:
    """Whether this member's side may move the deal on: approved, and its current stage
    owned by that side (or by both). The page shows the control only when this holds."""
    if deal.status != DealStatus.APPROVED:
        return False
    return deal.stage is None or _side_may_move(deal.stage.owner, membership)


def deal_stage_change(*, deal: Deal, membership, stage: MotionStage, note: str = "") -> Deal:
    """Move an approved deal forward to `stage`, by the party that owns the current one."""
    user = membership.user
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status != DealStatus.APPROVED:
            raise ValidationError("Only an approved deal moves through its motion's stages.")
        if stage.motion_id != deal.motion_id:
            raise ValidationError({"stage": "That stage belongs to another motion."})
        if stage.is_closing:
            raise ValidationError(
                {"stage": "Close the deal as won or lost to enter a closing stage."}
            )
        current = deal.stage
        if current is not None and stage.position <= current.position:
            raise ValidationError({"stage": "Stages only move forward."})
        if current is not None and not _side_may_move(current.owner, membership):
            raise PermissionDenied(
                f"“{current.name}” is owned by the {current.get_owner_display().lower()}: "
                "only they can move the deal on."
            )
        deal.stage = stage
        deal.stage_entered_at = timezone.now()
        deal.save(update_fields=["stage", "stage_entered_at", "updated_at"])
        _record(
            deal,
            kind=TransitionKind.STAGE,
            from_value=current.name if current else "",
            to_value=stage.name,
            actor=user,
            reason=note,
        )
        _handoff_notify(deal, previous=current, actor=user)
    return deal


def _handoff_notify(deal: Deal, *, previous: MotionStage | None, actor) -> None:
    stage = deal.stage
    if previous is not None and previous.owner == stage.owner:
        return
    title = f"{deal.reference} handed to you: {stage.name}"
    if stage.owner in (StageOwner.PARTNER, StageOwner.BOTH):
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.handoff",
            title=title,
            body=f"{deal.customer_name} is now at “{stage.name}”.",
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:stage:{stage.pk}",
            actor=actor,
        )
    if stage.owner in (StageOwner.VENDOR, StageOwner.BOTH):
        notify(
            recipients=_deal_staff(deal),
            kind="deal.handoff",
            title=title,
            body=f"{deal.customer_name} is now at “{stage.name}”.",
            url=_console_url(deal),
            dedupe_key=f"deal:{deal.pk}:stage:{stage.pk}",
            actor=actor,
        )


def deal_close(
    *, deal: Deal, membership, won: bool, closed_on: date, final_amount: Decimal | None
) -> Deal:
    """Record the outcome of an approved deal: won (with its final amount) or lost."""
    user = membership.user
    errors = {}
    if closed_on is None:
        errors["closed_on"] = "Enter the close date."
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "The close date cannot be in the future."
    if won and (final_amount is None or final_amount < 0):
        errors["final_amount"] = "Enter the final amount of the won deal."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deal = _locked(deal)
        # Partners record the outcome of stages they own; the vendor may always.
        if (
            deal.stage is not None
            and not membership.is_staff_role
            and not _side_may_move(deal.stage.owner, membership)
        ):
            raise PermissionDenied("The vendor owns this stage: it records the outcome.")
        before = _transition(deal, "win" if won else "lose")
        closing = (
            MotionStage.objects.filter(motion=deal.motion)
            .filter(is_won=won, is_lost=not won)
            .order_by("position")
            .first()
        )
        previous_stage = deal.stage
        if closing is not None:
            deal.stage = closing
            deal.stage_entered_at = timezone.now()
        deal.closed_on = closed_on
        deal.final_amount = final_amount if won else (final_amount or Decimal("0"))
        deal.save()
        _record(
            deal,
            kind=TransitionKind.STATUS,
            from_value=before,
            to_value=deal.status,
            actor=user,
            reason=f"Closed on {closed_on}" + (f", final amount {final_amount}" if won else ""),
        )
        if closing is not None and previous_stage != closing:
            _record(
                deal,
                kind=TransitionKind.STAGE,
                from_value=previous_stage.name if previous_stage else "",
                to_value=closing.name,
                actor=user,
            )
        other_side = _deal_staff(deal) if not membership.is_staff_role else None
        notify(
            recipients=other_side or _partner_users(deal.organization_id),
            kind=f"deal.{deal.status}",
            title=f"{deal.reference} {deal.get_status_display().lower()}: {deal.customer_name}",
            url=_console_url(deal) if other_side else _portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:{deal.status}",
            actor=user,
        )
    return deal


def deal_sales_rep_assign(*, deal: Deal, user, rep) -> Deal:
    if rep is not None and not staff_users().filter(pk=rep.pk).exists():
        raise ValidationError({"rep": "The sales rep must be a member of the vendor's staff."})
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status not in OPEN_STATUSES:
            raise ValidationError("A closed deal takes no sales rep.")
        before = deal.vendor_sales_rep
        if before == rep:
            return deal  # a repeated submit: nothing changes, nobody is told again
        deal.vendor_sales_rep = rep
        deal.save(update_fields=["vendor_sales_rep", "updated_at"])
        _record(
            deal,
            kind=TransitionKind.SALES_REP,
            from_value=before.display_name if before else "",
            to_value=rep.display_name if rep else "",
            actor=user,
        )
        if rep is not None:
            notify(
                recipients=[rep],
                kind="deal.sales_rep",
                title=f"You are the sales rep of {deal.reference}: {deal.customer_name}",
                url=_console_url(deal),
                # Per assignment, so a rep assigned again later is told again.
                dedupe_key=f"deal:{deal.pk}:rep:{rep.pk}:{timezone.now().isoformat()}",
                actor=user,
            )
    return deal


def deal_partners_set(*, deal: Deal, user, participants: list[tuple]) -> list[DealPartner]:
    """Set the partners of a multi-partner deal: (organization, role, split) each.

    The registering partner always takes part, no partner twice, splits total 100.
    """
    errors = []
    orgs = [org.pk for org, _role, _split in participants]
    if deal.organization_id not in orgs:
        errors.append(f"{deal.organization.name} registered the deal and must stay on it.")
    if len(set(orgs)) != len(orgs):
        errors.append("Each partner can appear only once.")
    total = sum((Decimal(str(split)) for _o, _r, split in participants), Decimal("0"))
    if any(Decimal(str(split)) <= 0 for _o, _r, split in participants):
        errors.append("Every split must be more than 0%.")
    if total != Decimal("100"):
        errors.append(f"Splits must total 100% (they total {total.normalize()}%).")
    if errors:
        raise ValidationError({"participants": errors})
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status != DealStatus.APPROVED:
            raise ValidationError("Partners can be added to an approved deal only.")
        before = ", ".join(
            f"{p.organization.name} {p.split_percent}%"
            for p in DealPartner.objects.filter(deal=deal).select_related("organization")
        )
        DealPartner.objects.filter(deal=deal).exclude(organization_id__in=orgs).delete()
        rows = []
        for org, role, split in participants:
            row, _ = DealPartner.objects.update_or_create(
                deal=deal,
                organization=org,
                defaults={"role": role, "split_percent": Decimal(str(split))},
            )
            rows.append(row)
        _record(
            deal,
            kind=TransitionKind.PARTNERS,
            from_value=before[:200],
            to_value=", ".join(f"{o.name} {s}%" for o, _r, s in participants)[:200],
            actor=user,
        )
    return rows


def deal_comment_add(*, deal: Deal, membership, body: str, is_internal: bool = False):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    if is_internal and not membership.is_staff_role:
        # Partners cannot write vendor-internal notes (nor read them).
        raise PermissionDenied("Only the vendor's staff write internal notes.")
    comment = DealComment.objects.create(
        deal=deal, author=membership.user, body=body, is_internal=is_internal
    )
    if membership.is_staff_role:
        if not is_internal:
            notify(
                recipients=_partner_users(deal.organization_id),
                kind="deal.comment",
                title=f"New comment on {deal.reference}",
                body=body[:300],
                url=_portal_url(deal),
                dedupe_key=f"comment:{comment.pk}",
                actor=membership.user,
            )
    else:
        notify(
            recipients=_deal_staff(deal),
            kind="deal.comment",
            title=f"{deal.organization.name} commented on {deal.reference}",
            body=body[:300],
            url=_console_url(deal),
            dedupe_key=f"comment:{comment.pk}",
            actor=membership.user,
        )
    return comment


# ---------------------------------------------------------------------------------------
# Protection: extensions, warnings, expiry
# ---------------------------------------------------------------------------------------


def extension_request(
    *, deal: Deal, user, days: int, reason: str, tell_staff: bool = True
) -> ProtectionExtension:
    errors = {}
    if not days or days < 1 or days > 365:
        errors["days"] = "Ask for 1 to 365 days."
    if not (reason or "").strip():
        errors["reason"] = "Say why the deal needs more time."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deal = _locked(deal)
        if deal.status != DealStatus.APPROVED:
            raise ValidationError("Only an approved deal's protection can be extended.")
        if ProtectionExtension.objects.filter(deal=deal, status=ExtensionStatus.PENDING).exists():
            raise ValidationError("An extension request is already waiting for a decision.")
        extension = ProtectionExtension.objects.create(
            deal=deal, days=days, reason=reason.strip(), requested_by=user
        )
        if not tell_staff:
            return extension
        notify(
            recipients=_deal_staff(deal),
            kind="deal.extension_requested",
            title=f"{deal.reference}: {days} more days of protection requested",
            body=reason.strip(),
            url=_console_url(deal),
            dedupe_key=f"extension:{extension.pk}:requested",
            actor=user,
        )
    return extension


def extension_grant(*, deal: Deal, user, days: int, reason: str) -> ProtectionExtension:
    """Staff extend the protection themselves: a request and its approval, in one go
    (one transaction; nobody is asked to decide what is already decided)."""
    with transaction.atomic():
        extension = extension_request(
            deal=deal, user=user, days=days, reason=reason, tell_staff=False
        )
        return extension_decide(extension=extension, user=user, approve=True)


def extension_decide(
    *, extension: ProtectionExtension, user, approve: bool, note: str = ""
) -> ProtectionExtension:
    with transaction.atomic():
        extension = ProtectionExtension.objects.select_for_update().get(pk=extension.pk)
        if extension.status != ExtensionStatus.PENDING:
            raise ValidationError("This request was already decided.")
        deal = _locked(extension.deal)
        if approve and deal.status != DealStatus.APPROVED:
            raise ValidationError("The deal is no longer approved: its protection cannot grow.")
        if not approve and not (note or "").strip():
            raise ValidationError({"note": "Give the partner a reason for declining."})
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DECLINED
        extension.decided_by = user
        extension.decided_at = timezone.now()
        extension.decision_note = (note or "").strip()
        extension.save()
        if approve:
            before = deal.protection_expires_on
            deal.protection_expires_on = before + timedelta(days=extension.days)
            deal.save(update_fields=["protection_expires_on", "updated_at"])
            _record(
                deal,
                kind=TransitionKind.PROTECTION,
                from_value=before.isoformat(),
                to_value=deal.protection_expires_on.isoformat(),
                actor=user,
                reason=extension.reason,
            )
        notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.extension_decided",
            title=f"{deal.reference}: extension {extension.get_status_display().lower()}",
            body=(
                f"Protected until {deal.protection_expires_on:%d %b %Y}."
                if approve
                else extension.decision_note
            ),
            url=_portal_url(deal),
            dedupe_key=f"extension:{extension.pk}:decided",
            actor=user,
        )
    return extension


def deals_expire_lapsed(*, today: date | None = None) -> int:
    """Expire approved deals whose protection ended before today. Idempotent."""
    today = today or timezone.localdate()
    count = 0
    ids = list(
        Deal.objects.filter(status=DealStatus.APPROVED, protection_expires_on__lt=today)
        .order_by("protection_expires_on")
        .values_list("pk", flat=True)[:5000]
    )
    for deal_id in ids:
        with transaction.atomic():
            deal = (
                Deal.objects.select_for_update(of=("self",))
                .select_related("organization")
                .get(pk=deal_id)
            )
            if deal.status != DealStatus.APPROVED or deal.protection_expires_on >= today:
                continue
            before = _transition(deal, "expire")
            deal.save(update_fields=["status", "updated_at"])
            _record(
                deal,
                kind=TransitionKind.STATUS,
                from_value=before,
                to_value=deal.status,
                actor=None,
                reason=f"Protection ended on {deal.protection_expires_on}.",
            )
            notify(
                recipients=_partner_users(deal.organization_id) + _deal_staff(deal),
                kind="deal.expired",
                title=f"{deal.reference} expired: {deal.customer_name}",
                body=f"Its protection ended on {deal.protection_expires_on:%d %b %Y}.",
                url=_portal_url(deal),
                dedupe_key=f"deal:{deal.pk}:expired",
            )
            count += 1
    return count


def deals_warn_expiring(*, today: date | None = None) -> int:
    """Warn partners 7 days and 1 day before protection ends (once per deal and date)."""
    today = today or timezone.localdate()
    sent = 0
    deals = Deal.objects.filter(
        status=DealStatus.APPROVED,
        protection_expires_on__gte=today,
        protection_expires_on__lte=today + timedelta(days=7),
    ).select_related("organization", "organization__channel_manager")
    for deal in deals.iterator(chunk_size=500):
        days_left = (deal.protection_expires_on - today).days
        window = 1 if days_left <= 1 else 7
        plural = "" if days_left == 1 else "s"
        # The expiry date is in the key: an extension re-arms the warnings.
        sent += notify(
            recipients=_partner_users(deal.organization_id),
            kind="deal.expiring",
            title=f"{deal.reference} protection ends in {days_left} day{plural}",
            body=(
                f"Protection of {deal.customer_name} ends on "
                f"{deal.protection_expires_on:%d %b %Y}. Close it or request an extension."
            ),
            url=_portal_url(deal),
            dedupe_key=f"deal:{deal.pk}:expiry-warning-{window}:{deal.protection_expires_on}",
        )
    return sent


def deals_escalate_review_sla(*, now=None) -> int:
    """Registrations waiting longer than the review SLA: the channel manager first,
    then (after twice the SLA) the admins. Each step notifies once per submission."""
    now = now or timezone.now()
    sla = timedelta(days=require_current_tenant().deal_review_sla_days)
    sent = 0
    late = Deal.objects.filter(
        status=DealStatus.SUBMITTED, submitted_at__lt=now - sla
    ).select_related("organization", "organization__channel_manager")
    admins = None
    for deal in late.iterator(chunk_size=500):
        stamp = deal.submitted_at.isoformat()
        waited = (now - deal.submitted_at).days
        if deal.organization.channel_manager_id:
            sent += notify(
                recipients=[deal.organization.channel_manager],
                kind="deal.review_overdue",
                title=f"{deal.reference} waits for review ({waited} days)",
                body=f"{deal.organization.name} registered {deal.customer_name}.",
                url=_console_url(deal),
                dedupe_key=f"deal:{deal.pk}:sla-cm:{stamp}",
            )
        if deal.submitted_at < now - 2 * sla or not deal.organization.channel_manager_id:
            admins = admins if admins is not None else _admins()
            sent += notify(
                recipients=admins,
                kind="deal.review_overdue",
                title=f"Escalation: {deal.reference} waits for review ({waited} days)",
                body=f"{deal.organization.name} registered {deal.customer_name}.",
                url=_console_url(deal),
                dedupe_key=f"deal:{deal.pk}:sla-admin:{stamp}",
            )
    return sent


def deals_remind_stage_sla(*, now=None) -> int:
    """Approved deals that stayed in a stage longer than its SLA: remind the party that
    owns the stage, once per deal and stage entry."""
    from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value

    now = now or timezone.now()
    due = ExpressionWrapper(
        F("stage_entered_at") + F("stage__sla_days") * Value(timedelta(days=1), DurationField()),
        output_field=DateTimeField(),
    )
    late = (
        Deal.objects.filter(status=DealStatus.APPROVED, stage__isnull=False, stage__sla_days__gt=0)
        .annotate(due=due)
        .filter(due__lt=now)
        .select_related("organization", "organization__channel_manager", "stage")
    )
    sent = 0
    for deal in late.iterator(chunk_size=500):
        stage = deal.stage
        key = f"deal:{deal.pk}:stage-sla:{stage.pk}:{deal.stage_entered_at.isoformat()}"
        title = f"{deal.reference} is past the {stage.sla_days}-day SLA of “{stage.name}”"
        if stage.owner in (StageOwner.PARTNER, StageOwner.BOTH):
            sent += notify(
                recipients=_partner_users(deal.organization_id),
                kind="deal.stage_overdue",
                title=title,
                url=_portal_url(deal),
                dedupe_key=key,
            )
        if stage.owner in (StageOwner.VENDOR, StageOwner.BOTH):
            sent += notify(
                recipients=_deal_staff(deal),
                kind="deal.stage_overdue",
                title=title,
                url=_console_url(deal),
                dedupe_key=key,
            )
    return sent


# ---------------------------------------------------------------------------------------
# Conflicts
# ---------------------------------------------------------------------------------------


def conflict_resolve(
    *, conflict: DealConflict, user, decision: str, reason_code: str, note: str = ""
) -> DealConflict:
    """Decide a conflict; the losing registration, if still pending, is rejected.

    The partner that lost reads only that an earlier registration exists.
    """
    if decision not in ConflictDecision.values:
        raise ValidationError({"decision": "Choose a decision."})
    if not reason_code:
        raise ValidationError({"reason_code": "Choose a reason code."})
    with transaction.atomic():
        conflict = (
            DealConflict.objects.select_for_update(of=("self",))
            .select_related("deal", "other_deal")
            .get(pk=conflict.pk)
        )
        if conflict.status != ConflictStatus.OPEN:
            raise ValidationError("This conflict was already decided.")
        first = conflict_first_comer(conflict=conflict)
        later = conflict.other_deal if first.pk == conflict.deal_id else conflict.deal
        loser = None
        if decision == ConflictDecision.EARLIER_WINS:
            loser = later
        elif decision == ConflictDecision.LATER_WINS:
            loser = first
        if loser is not None:
            loser = _locked(loser)
            if loser.status == DealStatus.APPROVED:
                raise ValidationError(
                    f"{loser.reference} is already approved and protected: it cannot lose "
                    "this conflict."
                )
        conflict.status = ConflictStatus.RESOLVED
        conflict.decision = decision
        conflict.reason_code = reason_code
        conflict.decision_note = (note or "").strip()
        conflict.decided_by = user
        conflict.decided_at = timezone.now()
        conflict.full_clean(exclude=["tenant", "deal", "other_deal"])
        conflict.save()
        if loser is not None and loser.is_pending:
            # Other open conflicts of the loser end with it.
            DealConflict.objects.involving(loser).open().update(
                status=ConflictStatus.RESOLVED,
                decision=decision,
                reason_code=reason_code,
                decision_note=f"Resolved with {first.reference} / {later.reference}.",
                decided_by=user,
                decided_at=conflict.decided_at,
            )
            deal_reject(
                deal=loser,
                user=user,
                reason=CONFLICT_REJECTION_TEXT if loser.pk == later.pk else CONFLICT_PREFERRED_TEXT,
                code=RejectionCode.CONFLICT,
            )
    return conflict


# ---------------------------------------------------------------------------------------
# Leads and routing
# ---------------------------------------------------------------------------------------

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


def lead_create(*, user, motion: Motion, product: Product | None, data: dict, route=True) -> Lead:
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
    with transaction.atomic():
        lead = Lead(motion=motion, product=product, created_by=user)
        for name in LEAD_FIELDS:
            if name in data and data[name] is not None:
                setattr(lead, name, data[name])
        lead.customer_name = lead.customer_name.strip()
        lead.customer_domain = web_domain(lead.customer_domain)
        lead.country = country
        lead.save()
        if route:
            lead_route(lead=lead, actor=user)
    return lead


def _rule_matches(rule: RoutingRule, lead: Lead) -> bool:
    if rule.countries and lead.country not in rule.countries:
        return False
    return not (rule.product_id and rule.product_id != lead.product_id)


def _rule_candidates(rule: RoutingRule, lead: Lead, excluded: set):
    """Partners the rule may offer the lead to: those that could accept it, i.e. through
    the program's agreement gate and of a partner type the lead's motion allows."""
    orgs = partner_selectors.organizations_with_gate(
        PartnerOrganization.objects.exclude(pk__in=excluded)
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


def lead_route(*, lead: Lead, actor=None) -> LeadOffer | None:
    """Offer the lead to the next partner by the rules in priority order, or leave it
    waiting for manual assignment when no rule finds anyone not yet asked.

    A pending offer is withdrawn first (staff re-routing an offered lead), so a lead never
    has two pending offers and a released lead is offered to nobody.
    """
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.status not in (LeadStatus.UNASSIGNED, LeadStatus.OFFERED):
            raise ValidationError("This lead was already accepted or closed.")
        offer = _lead_route_locked(lead=locked, actor=actor)
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


def lead_assign(*, lead: Lead, organization, user) -> LeadOffer:
    """Offer a lead to a partner chosen by hand (withdrawing any pending offer).

    Only to a partner that may transact (active, not offboarded, agreement accepted): the
    offer hands over the customer's contact details.
    """
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


def lead_accept(*, lead: Lead, membership) -> Deal:
    """The partner accepts: the lead becomes an approved deal registration."""
    user = membership.user
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("motion", "product")
            .get(pk=lead.pk)
        )
        if lead.status == LeadStatus.ACCEPTED and lead.deal_id:
            if lead.assigned_organization_id != membership.partner_organization_id:
                raise ValidationError("This lead is no longer offered to your organization.")
            return lead.deal  # a double click: already accepted by this organization
        offer = _pending_offer(lead, membership.partner_organization_id)
        organization = PartnerOrganization.objects.get(pk=membership.partner_organization_id)
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
        deal = deal_approve(
            deal=deal, user=None, note="Lead accepted: approved on creation.", caused_by=user
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


def lead_decline(*, lead: Lead, membership, reason: str) -> LeadOffer | None:
    """The partner declines with a reason; the lead goes to the next partner."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decline this lead."})
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        offer = _pending_offer(lead, membership.partner_organization_id)
        offer.status = OfferStatus.DECLINED
        offer.answered_at = timezone.now()
        offer.answered_by = membership.user
        offer.reason = reason
        offer.save()
        return lead_route(lead=lead, actor=None)


def leads_expire_offers(*, now=None) -> int:
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


def lead_close(*, lead: Lead, user) -> Lead:
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
