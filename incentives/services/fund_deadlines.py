"""Fund deadlines and reminders, and budget utilisation (per tenant, idempotent).

Reminders carry dedupe keys and expiries check the state under a row lock, so a job run
twice notifies nobody twice and expires nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone

from partners.selectors import partner_vendor_contacts
from partners.services import partner_admin_users
from prm.core.money import format_money
from prm.notifications.services import notify

from ..choices import ClaimStatus, RequestStatus
from ..models import FundAllocation, FundRequest
from .earnings import incentive_settings

# ---------------------------------------------------------------------------------------
# Deadlines and reminders (per tenant, idempotent: dedupe keys and state checks)
# ---------------------------------------------------------------------------------------


def funds_send_reminders(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    config = incentive_settings()
    counts = {"claim_due": 0, "claim_expired": 0, "allocation_expiring": 0, "request_sla": 0}

    due = FundRequest.objects.filter(
        status=RequestStatus.APPROVED,
        claim_due_on__gte=today,
        claim_due_on__lte=today + timedelta(days=config.claim_reminder_days),
    ).select_related("organization")
    for request in due:
        counts["claim_due"] += notify(
            recipients=partner_admin_users(organization=request.organization),
            kind="incentives.claim_due",
            title=f"Claim due by {request.claim_due_on:%d %b %Y}: {request.title}",
            url=reverse("incentives:portal_request_detail", args=[request.pk]),
            dedupe_key=f"fundrequest:{request.pk}:claim-due",
        )

    for request in FundRequest.objects.filter(
        status=RequestStatus.APPROVED, claim_due_on__lt=today
    ).select_related("organization"):
        with transaction.atomic():
            allocation = FundAllocation.objects.select_for_update().get(pk=request.allocation_id)
            locked = FundRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status != RequestStatus.APPROVED:
                continue
            # The unclaimed approval goes back to the partner's allocation.
            allocation.committed -= locked.approved_amount
            allocation.save(update_fields=["committed"])
            locked.expire()
            locked.save()
            counts["claim_expired"] += 1
            notify(
                recipients=partner_admin_users(organization=request.organization),
                kind="incentives.claim_expired",
                title=f"Claim window passed: {request.title}",
                body="The approved amount went back to your allocation.",
                url=reverse("incentives:portal_request_detail", args=[request.pk]),
                dedupe_key=f"fundrequest:{request.pk}:claim-expired",
            )

    expiring = FundAllocation.objects.filter(
        fund__ends_on__gte=today,
        fund__ends_on__lte=today + timedelta(days=14),
        committed__lt=F("amount"),
    ).select_related("fund", "organization")
    for allocation in expiring:
        counts["allocation_expiring"] += notify(
            recipients=partner_admin_users(organization=allocation.organization),
            kind="incentives.allocation_expiring",
            title=(
                f"{format_money(allocation.available, allocation.fund.currency)} of marketing "
                f"funds unused; {allocation.fund.name} ends {allocation.fund.ends_on:%d %b %Y}"
            ),
            url=reverse("incentives:portal_funds"),
            dedupe_key=f"allocation:{allocation.pk}:expiring",
        )

    late = FundRequest.objects.filter(
        status=RequestStatus.SUBMITTED,
        created_at__lt=timezone.now() - timedelta(days=config.request_sla_days),
    ).select_related("organization__channel_manager")
    for request in late:
        counts["request_sla"] += notify(
            recipients=partner_vendor_contacts(organization=request.organization),
            kind="incentives.request_sla",
            title=f"Fund request waiting over {config.request_sla_days} days: {request.title}",
            url=reverse("incentives:request_queue"),
            dedupe_key=f"fundrequest:{request.pk}:sla",
        )
    return counts


# ---------------------------------------------------------------------------------------
# Utilisation
# ---------------------------------------------------------------------------------------

_APPROVED_STATES = (RequestStatus.APPROVED, RequestStatus.CLAIMED)


def utilisation_annotations(prefix: str = "") -> dict:
    """Sums over the requests (and their one claim) reached through `prefix`."""
    r = f"{prefix}requests__" if prefix else "requests__"
    return {
        "requested": Sum(f"{r}planned_spend", filter=Q(**{f"{r}status": RequestStatus.SUBMITTED})),
        "approved": Sum(f"{r}approved_amount", filter=Q(**{f"{r}status__in": _APPROVED_STATES})),
        "claimed": Sum(
            f"{r}claim__approved_amount",
            filter=Q(**{f"{r}claim__status__in": (ClaimStatus.APPROVED, ClaimStatus.PAID)}),
        ),
        "paid": Sum(
            f"{r}claim__approved_amount", filter=Q(**{f"{r}claim__status": ClaimStatus.PAID})
        ),
    }
