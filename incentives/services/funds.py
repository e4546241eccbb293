"""Market development funds: budgets → allocations → requests → claims → payment.

Integrity under concurrency comes from row locks taken in one order (fund, then
allocation, then request or claim): an allocation is written under its fund's lock and
keeps `fund.allocated` ≤ `fund.amount`; a request is written under its allocation's lock
and keeps `allocation.committed` ≤ `allocation.amount`. Check constraints in Postgres
hold the same lines should any code path forget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import PartnerOrganization, TierBenefit
from partners.selectors import partner_vendor_contacts
from partners.services import benefit_parse_value, partner_admin_users, partner_transact_blockers
from prm.core.money import format_money
from prm.notifications.services import notify
from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership

from ..choices import (
    FUND_BENEFIT_KEY,
    AccountKind,
    AllocationSource,
    ClaimStatus,
    EntryCause,
    RequestStatus,
)
from ..models import ClaimProof, Fund, FundAllocation, FundClaim, FundRequest
from ..providers import FundRequestLink, fund_request_links
from .earnings import incentive_settings
from .ledger import Posting, entry_post

# Proof of performance: what is accepted, recognised by content (never by the name).
PROOF_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/webp": "WebP image",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
}
# Attendee lists often come as CSV: plain UTF-8 text, which has no magic number.
TEXT_PROOF_SUFFIXES = (".csv", ".txt")
MAX_PROOF_BYTES = getattr(settings, "INCENTIVES_MAX_PROOF_BYTES", 5 * 1024 * 1024)
MAX_PROOFS = 10


# ---------------------------------------------------------------------------------------
# Budgets and allocations
# ---------------------------------------------------------------------------------------


def fund_save(*, fund: Fund) -> Fund:
    errors = {}
    if fund.amount is None or fund.amount <= 0:
        errors["amount"] = "Enter a budget greater than 0."
    elif fund.pk and fund.amount < fund.allocated:
        errors["amount"] = (
            f"{format_money(fund.allocated, fund.currency)} is allocated already: "
            "the budget cannot be lower."
        )
    if fund.starts_on and fund.ends_on and fund.ends_on < fund.starts_on:
        errors["ends_on"] = "The period cannot end before it starts."
    if Fund.objects.filter(name=fund.name).exclude(pk=fund.pk).exists():
        errors["name"] = "Another fund has this name."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if fund.pk:
            locked = Fund.objects.select_for_update().filter(pk=fund.pk).first()
            if locked is not None:
                fund.allocated = locked.allocated
                if fund.amount < fund.allocated:
                    raise ValidationError(
                        {"amount": "The budget cannot be below what is allocated."}
                    )
        fund.save()
    return fund


def allocation_set(
    *,
    fund: Fund,
    organization: PartnerOrganization,
    amount: Decimal,
    acting_membership: Membership,
    source: str = AllocationSource.MANUAL,
) -> FundAllocation:
    """Allocate (or change the allocation of) part of a fund to a partner, within budget."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter an amount greater than 0."})
    with transaction.atomic():
        fund = Fund.objects.select_for_update().get(pk=fund.pk)
        allocation = (
            FundAllocation.objects.select_for_update()
            .filter(fund=fund, organization=organization)
            .first()
        )
        previous = allocation.amount if allocation else Decimal("0")
        if allocation is not None and amount < allocation.committed:
            raise ValidationError(
                {
                    "amount": f"{format_money(allocation.committed, fund.currency)} of it is "
                    "requested or approved already: the allocation cannot be lower."
                }
            )
        left = fund.amount - fund.allocated + previous
        if amount > left:
            raise ValidationError(
                {
                    "amount": f"Only {format_money(left, fund.currency)} of {fund.name} is left to "
                    "allocate."
                }
            )
        if allocation is None:
            allocation = FundAllocation.objects.create(
                tenant=require_current_tenant(),
                fund=fund,
                organization=organization,
                amount=amount,
                source=source,
            )
        else:
            allocation.amount = amount
            allocation.save(update_fields=["amount"])
        fund.allocated = fund.allocated - previous + amount
        fund.save(update_fields=["allocated"])
        notify(
            recipients=partner_admin_users(organization=organization),
            kind="incentives.fund_allocated",
            title=f"{format_money(amount, fund.currency)} of marketing funds for you: {fund.name}",
            url=reverse("incentives:portal_funds"),
            dedupe_key=f"allocation:{allocation.pk}:{amount}",
            actor=acting_membership.user,
        )
    return allocation


def allocations_from_tier_benefit(
    *, fund: Fund, acting_membership: Membership
) -> tuple[list[FundAllocation], list[str]]:
    """Allocate each partner its tier's "marketing funds per quarter", while budget lasts.

    Partners that have an allocation in this fund already are left as they are. Returns
    the new allocations and, in words, who got nothing and why.
    """
    values = {
        row.tier_id: benefit_parse_value(kind=row.benefit.kind, raw=row.value)
        for row in TierBenefit.objects.filter(benefit__key=FUND_BENEFIT_KEY).select_related(
            "benefit"
        )
    }
    values = {tier: v for tier, v in values.items() if isinstance(v, Decimal) and v > 0}
    if not values:
        raise ValidationError("No tier has a 'marketing funds per quarter' benefit above 0.")
    allocated_orgs = set(
        FundAllocation.objects.filter(fund=fund).values_list("organization_id", flat=True)
    )
    created, skipped = [], []
    partners = PartnerOrganization.objects.filter(
        tier_id__in=list(values), is_active=True
    ).order_by("-tier__rank", "name")
    for organization in partners:
        if organization.pk in allocated_orgs:
            continue
        try:
            created.append(
                allocation_set(
                    fund=fund,
                    organization=organization,
                    amount=values[organization.tier_id],
                    acting_membership=acting_membership,
                    source=AllocationSource.TIER_BENEFIT,
                )
            )
        except ValidationError as exc:
            skipped.append(f"{organization.name}: {' '.join(exc.messages)}")
    return created, skipped


# ---------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestInput:
    title: str
    activity_type: str
    description: str
    starts_on: date
    ends_on: date
    planned_spend: Decimal
    expected_leads: int = 0
    expected_pipeline: Decimal = Decimal("0")
    # What the request names through incentives.providers.fund_request_links, by link
    # name (e.g. {"campaign": "<id>"}); names no registered link has are ignored.
    links: Mapping[str, str] | None = None


def _links_resolve(
    acting_membership: Membership, values: Mapping[str, str] | None, errors: dict
) -> list[tuple[FundRequestLink, object]]:
    """The rows the partner chose through the registered links; a refusal is an error of
    that link's field."""
    chosen = []
    for link in fund_request_links:
        value = (values or {}).get(link.name)
        if value is None or str(value).strip() == "":
            continue
        try:
            chosen.append((link, link.resolve(acting_membership, str(value).strip())))
        except ValidationError as exc:
            errors[link.name] = exc.messages
    return chosen


def fund_request_submit(
    *, acting_membership: Membership, allocation: FundAllocation, data: RequestInput
) -> FundRequest:
    """A partner asks to spend part of its allocation; the planned spend is held at once."""
    organization = acting_membership.partner_organization
    if organization is None or allocation.organization_id != organization.pk:
        raise PermissionDenied("This allocation is not your organization's.")
    errors = {}
    if data.planned_spend is None or data.planned_spend <= 0:
        errors["planned_spend"] = "Enter a planned spend greater than 0."
    if data.ends_on < data.starts_on:
        errors["ends_on"] = "The activity cannot end before it starts."
    fund = allocation.fund
    if data.starts_on > fund.ends_on or data.ends_on < fund.starts_on:
        errors["starts_on"] = (
            f"The activity must take place in the fund's period "
            f"({fund.starts_on:%d %b %Y} – {fund.ends_on:%d %b %Y})."
        )
    blockers = partner_transact_blockers(organization=organization)
    if blockers:
        errors["__all__"] = "You cannot request funds yet: " + "; ".join(blockers) + "."
    links = _links_resolve(acting_membership, data.links, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        allocation = FundAllocation.objects.select_for_update().get(pk=allocation.pk)
        if data.planned_spend > allocation.available:
            raise ValidationError(
                {
                    "planned_spend": f"Only {format_money(allocation.available, fund.currency)} of "
                    "your allocation is available."
                }
            )
        allocation.committed += data.planned_spend
        allocation.save(update_fields=["committed"])
        request = FundRequest.objects.create(
            tenant=require_current_tenant(),
            allocation=allocation,
            organization=organization,
            title=data.title,
            activity_type=data.activity_type,
            description=data.description,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            planned_spend=data.planned_spend,
            expected_leads=data.expected_leads or 0,
            expected_pipeline=data.expected_pipeline or Decimal("0"),
            submitted_by=acting_membership.user,
        )
        for link, target in links:
            link.attach(fund_request=request, target=target, acting_membership=acting_membership)
        notify(
            recipients=partner_vendor_contacts(organization=organization),
            kind="incentives.fund_request",
            title=f"Fund request from {organization.name}: {request.title}",
            body=f"{format_money(request.planned_spend, fund.currency)} planned.",
            url=reverse("incentives:request_queue"),
            dedupe_key=f"fundrequest:{request.pk}:submitted",
            actor=acting_membership.user,
        )
    return request


def _check_approver(acting_membership: Membership, amount: Decimal) -> None:
    if not acting_membership.is_staff_role:
        raise PermissionDenied("Only the vendor decides fund requests and claims.")
    limit = incentive_settings().admin_approval_above
    if amount > limit and not acting_membership.is_admin:
        raise PermissionDenied(
            f"Amounts above {format_money(limit)} are approved by a program admin."
        )


def fund_request_approve(
    *,
    request: FundRequest,
    acting_membership: Membership,
    amount: Decimal | None = None,
    reason: str = "",
) -> FundRequest:
    """Approve in full, or partly (amount below the planned spend, with a reason)."""
    amount = request.planned_spend if amount is None else amount
    if amount <= 0:
        raise ValidationError({"amount": "Enter an amount greater than 0, or reject instead."})
    if amount > request.planned_spend:
        raise ValidationError(
            {"amount": f"Approve at most the planned {format_money(request.planned_spend)}."}
        )
    if amount < request.planned_spend and not reason.strip():
        raise ValidationError({"reason": "Say why only part of the request is approved."})
    _check_approver(acting_membership, amount)
    with transaction.atomic():
        allocation = FundAllocation.objects.select_for_update().get(pk=request.allocation_id)
        request = FundRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.SUBMITTED:
            raise ValidationError(f"This request is {request.get_status_display().lower()}.")
        allocation.committed -= request.planned_spend - amount
        allocation.save(update_fields=["committed"])
        request.approve()
        request.approved_amount = amount
        request.decision_reason = reason.strip()
        request.decided_by = acting_membership.user
        request.decided_at = timezone.now()
        request.claim_due_on = request.ends_on + timedelta(days=incentive_settings().claim_due_days)
        request.save()
        partial = amount < request.planned_spend
        notify(
            recipients=partner_admin_users(organization=request.organization),
            kind="incentives.fund_request_decided",
            title=(
                f"Fund request {'partly ' if partial else ''}approved: {request.title}"
                f" ({format_money(amount, allocation.fund.currency)})"
            ),
            body=request.decision_reason,
            url=reverse("incentives:portal_request_detail", args=[request.pk]),
            dedupe_key=f"fundrequest:{request.pk}:decided",
            actor=acting_membership.user,
        )
    return request


def fund_request_reject(
    *, request: FundRequest, acting_membership: Membership, reason: str
) -> FundRequest:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the request is rejected."})
    if not acting_membership.is_staff_role:
        raise PermissionDenied("Only the vendor decides fund requests.")
    with transaction.atomic():
        allocation = FundAllocation.objects.select_for_update().get(pk=request.allocation_id)
        request = FundRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.SUBMITTED:
            raise ValidationError(f"This request is {request.get_status_display().lower()}.")
        allocation.committed -= request.planned_spend
        allocation.save(update_fields=["committed"])
        request.reject()
        request.decision_reason = reason.strip()
        request.decided_by = acting_membership.user
        request.decided_at = timezone.now()
        request.save()
        notify(
            recipients=partner_admin_users(organization=request.organization),
            kind="incentives.fund_request_decided",
            title=f"Fund request rejected: {request.title}",
            body=request.decision_reason,
            url=reverse("incentives:portal_request_detail", args=[request.pk]),
            dedupe_key=f"fundrequest:{request.pk}:decided",
            actor=acting_membership.user,
        )
    return request


# ---------------------------------------------------------------------------------------
# Claims and proofs
# ---------------------------------------------------------------------------------------


def proof_check(upload: UploadedFile) -> str:
    """The proof's content type, from its content; ValidationError when not accepted."""
    if upload.size > MAX_PROOF_BYTES:
        raise ValidationError(
            f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB; "
            f"the limit is {MAX_PROOF_BYTES // 1024 // 1024} MB."
        )
    if upload.size == 0:
        raise ValidationError(f"{upload.name} is empty.")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in PROOF_TYPES:
        return kind.mime
    if kind is None and upload.name.lower().endswith(TEXT_PROOF_SUFFIXES) and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A multi-byte character cut at the 8 KiB boundary is still text.
            head[:-4].decode("utf-8", errors="strict")
        return "text/csv" if upload.name.lower().endswith(".csv") else "text/plain"
    accepted = ", ".join(sorted(set(PROOF_TYPES.values()))) + ", CSV or text"
    raise ValidationError(f"{upload.name} is not an accepted proof file ({accepted}).")


def fund_claim_submit(
    *,
    acting_membership: Membership,
    request: FundRequest,
    amount: Decimal,
    notes: str = "",
    leads_generated: int = 0,
    proofs: list[UploadedFile],
) -> FundClaim:
    """Claim what was spent on an approved request, with proof; at most the approved amount."""
    organization = acting_membership.partner_organization
    if organization is None or request.organization_id != organization.pk:
        raise PermissionDenied("This request is not your organization's.")
    errors: dict[str, list[str]] = {}
    if request.status != RequestStatus.APPROVED:
        errors.setdefault("__all__", []).append(
            f"Only an approved request can be claimed; this one is "
            f"{request.get_status_display().lower()}."
        )
    if amount is None or amount <= 0:
        errors.setdefault("amount", []).append("Enter the amount spent, greater than 0.")
    elif request.approved_amount is not None and amount > request.approved_amount:
        errors.setdefault("amount", []).append(
            f"You can claim at most the approved {format_money(request.approved_amount)}."
        )
    if not proofs:
        errors.setdefault("proofs", []).append("Attach at least one proof of performance.")
    elif len(proofs) > MAX_PROOFS:
        errors.setdefault("proofs", []).append(f"Attach at most {MAX_PROOFS} files.")
    checked = []
    for upload in proofs[:MAX_PROOFS]:
        try:
            checked.append((upload, proof_check(upload)))
        except ValidationError as exc:
            errors.setdefault("proofs", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    tenant = require_current_tenant()
    with transaction.atomic():
        request = FundRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.APPROVED:
            raise ValidationError("This request was claimed already.")
        request.mark_claimed()
        request.save()
        claim = FundClaim.objects.create(
            tenant=tenant,
            request=request,
            organization=organization,
            amount=amount,
            currency=request.allocation.fund.currency,
            notes=notes,
            leads_generated=leads_generated or 0,
            submitted_by=acting_membership.user,
        )
        for upload, content_type in checked:
            ClaimProof.objects.create(
                tenant=tenant,
                claim=claim,
                file=upload,
                original_name=upload.name[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=acting_membership.user,
            )
        notify(
            recipients=partner_vendor_contacts(organization=organization),
            kind="incentives.fund_claim",
            title=f"Fund claim from {organization.name}: {request.title}",
            body=f"{format_money(amount, claim.currency)} claimed.",
            url=reverse("incentives:claim_queue"),
            dedupe_key=f"fundclaim:{claim.pk}:submitted",
            actor=acting_membership.user,
        )
    return claim


def fund_claim_approve(
    *, claim: FundClaim, acting_membership: Membership, amount: Decimal | None = None
) -> FundClaim:
    """Approve a claim (at most what was claimed and what the request was approved for);
    the amount is posted to the partner's fund account, to be paid through a batch."""
    amount = claim.amount if amount is None else amount
    if amount <= 0:
        raise ValidationError({"amount": "Enter an amount greater than 0, or reject instead."})
    if amount > claim.amount:
        raise ValidationError(
            {"amount": f"Approve at most the claimed {format_money(claim.amount, claim.currency)}."}
        )
    if amount > claim.request.approved_amount:
        raise ValidationError(
            {
                "amount": "Approve at most the approved "
                + format_money(claim.request.approved_amount, claim.currency)
                + "."
            }
        )
    _check_approver(acting_membership, amount)
    with transaction.atomic():
        claim = FundClaim.objects.select_for_update().select_related("request").get(pk=claim.pk)
        if claim.status != ClaimStatus.SUBMITTED:
            raise ValidationError(f"This claim is {claim.get_status_display().lower()}.")
        claim.approve()
        claim.approved_amount = amount
        claim.decided_by = acting_membership.user
        claim.decided_at = timezone.now()
        claim.save()
        entry_post(
            organization_id=claim.organization_id,
            kind=AccountKind.MDF,
            currency=claim.currency,
            posting=Posting(
                amount=amount,
                cause=EntryCause.MDF_CLAIM,
                description=f"Fund claim approved: {claim.request.title}",
                key=f"claim:{claim.pk}",
                claim_id=claim.pk,
            ),
            acting_membership=acting_membership,
        )
        notify(
            recipients=partner_admin_users(organization=claim.organization),
            kind="incentives.fund_claim_decided",
            title=f"Claim approved: {claim.request.title} ({format_money(amount, claim.currency)})",
            url=reverse("incentives:portal_request_detail", args=[claim.request_id]),
            dedupe_key=f"fundclaim:{claim.pk}:decided",
            actor=acting_membership.user,
        )
    return claim


def fund_claim_reject(*, claim: FundClaim, acting_membership: Membership, reason: str) -> FundClaim:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the claim is rejected."})
    if not acting_membership.is_staff_role:
        raise PermissionDenied("Only the vendor decides claims.")
    with transaction.atomic():
        claim = FundClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.SUBMITTED:
            raise ValidationError(f"This claim is {claim.get_status_display().lower()}.")
        claim.reject()
        claim.decision_reason = reason.strip()
        claim.decided_by = acting_membership.user
        claim.decided_at = timezone.now()
        claim.save()
        notify(
            recipients=partner_admin_users(organization=claim.organization),
            kind="incentives.fund_claim_decided",
            title=f"Claim rejected: {claim.request.title}",
            body=claim.decision_reason,
            url=reverse("incentives:portal_request_detail", args=[claim.request_id]),
            dedupe_key=f"fundclaim:{claim.pk}:decided",
            actor=acting_membership.user,
        )
    return claim
