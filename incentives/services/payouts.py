"""Statements and payout batches.

A statement sums one earnings account's entries posted in a closed month or quarter
(in the tenant's time zone); the entries never change, so neither do its figures. The
vendor approves it and releases it for payment; staff gather payable statements and
approved fund claims of one currency into a batch, export it, and mark it paid, which
posts one payout entry per line. A batch is paid once: its row is locked and its status
checked inside the same transaction, and every payout entry's key names its line.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from partners.services import partner_admin_users
from prm.notifications.services import notify
from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership

from ..choices import (
    AccountKind,
    BatchStatus,
    ClaimStatus,
    EntryCause,
    PeriodUnit,
    StatementStatus,
)
from ..models import FundClaim, LedgerEntry, PayoutBatch, PayoutLine, Statement
from .earnings import period_end, period_label, period_start
from .ledger import Posting, entry_post

# One row per earnings account with entries up to the period's end: its opening balance,
# what the period credited and debited, and what it asks to be paid (the period's
# postings other than payouts). Set-based; an existing statement is left as it is.
GENERATE_SQL = """
INSERT INTO incentives_statement
    (id, tenant_id, organization_id, account_id, currency, period_unit, period_start,
     period_end, opening_balance, credits, debits, closing_balance, amount_due, entry_count,
     status, created_at)
SELECT gen_random_uuid(), a.tenant_id, a.organization_id, a.id, a.currency, %(unit)s,
       %(start)s, %(end)s,
       coalesce(sum(e.amount) FILTER (WHERE e.local_day < %(start)s), 0),
       coalesce(sum(e.amount) FILTER (WHERE e.local_day >= %(start)s AND e.amount > 0), 0),
       coalesce(sum(e.amount) FILTER (WHERE e.local_day >= %(start)s AND e.amount < 0), 0),
       coalesce(sum(e.amount), 0),
       coalesce(sum(e.amount) FILTER (
           WHERE e.local_day >= %(start)s AND e.cause <> 'payout'), 0),
       count(*) FILTER (WHERE e.local_day >= %(start)s),
       'draft', now()
FROM incentives_ledgeraccount a
JOIN LATERAL (
    SELECT amount, cause, (created_at AT TIME ZONE %(tz)s)::date AS local_day
    FROM incentives_ledgerentry
    WHERE tenant_id = a.tenant_id AND account_id = a.id
      AND created_at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s
) e ON true
WHERE a.tenant_id = %(tenant)s AND a.kind = 'earnings'
GROUP BY a.id
HAVING count(*) FILTER (WHERE e.local_day >= %(start)s) > 0
ON CONFLICT (tenant_id, account_id, period_unit, period_start) DO NOTHING
"""


def statements_generate(*, unit: str = PeriodUnit.MONTH, day: date | None = None) -> int:
    """Draft statements of the closed period containing `day` (default: the last one)."""
    tenant = require_current_tenant()
    today = timezone.localdate()
    if day is None:
        day = period_start(today, unit) - timedelta(days=1)
    start = period_start(day, unit)
    end = period_end(start, unit)
    if end >= today:
        raise ValidationError({"period": "Statements are drawn up once the period has ended."})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            GENERATE_SQL,
            {
                "tenant": tenant.pk,
                "unit": unit,
                "start": start,
                "end": end,
                "tz": tenant.time_zone,
            },
        )
        return cursor.rowcount


def statement_entries(*, statement: Statement):
    """The entries behind every figure of the statement, oldest first."""
    tz = ZoneInfo(require_current_tenant().time_zone)
    start = datetime.combine(statement.period_start, time.min, tz)
    end = datetime.combine(statement.period_end + timedelta(days=1), time.min, tz)
    return LedgerEntry.objects.filter(
        account_id=statement.account_id, created_at__gte=start, created_at__lt=end
    ).order_by("created_at", "id")


def _label(statement: Statement) -> str:
    return period_label(statement.period_start, statement.period_unit)


def _locked_statement(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().get(pk=statement.pk)


def statement_approve(*, statement: Statement, acting_membership: Membership) -> Statement:
    with transaction.atomic():
        statement = _locked_statement(statement)
        if statement.status != StatementStatus.DRAFT:
            raise ValidationError("Only a draft statement can be approved.")
        statement.approve()
        statement.approved_by = acting_membership.user
        statement.approved_at = timezone.now()
        statement.save()
        notify(
            recipients=partner_admin_users(organization=statement.organization),
            kind="incentives.statement_approved",
            title=f"Your statement for {_label(statement)} is ready",
            url=reverse("incentives:portal_statement_detail", args=[statement.pk]),
            dedupe_key=f"statement:{statement.pk}:approved",
            actor=acting_membership.user,
        )
    return statement


def statement_release(*, statement: Statement, acting_membership: Membership) -> Statement:
    """Approved → payable: it may now be put in a payout batch (only if it asks for money)."""
    with transaction.atomic():
        statement = _locked_statement(statement)
        if statement.status != StatementStatus.APPROVED:
            raise ValidationError("Only an approved statement can be released for payment.")
        if statement.amount_due <= 0:
            raise ValidationError(
                "This statement asks for no payment (its postings do not add up to more than 0)."
            )
        statement.release()
        statement.save()
    return statement


# ---------------------------------------------------------------------------------------
# Payout batches
# ---------------------------------------------------------------------------------------


def payables(*, currency: str | None = None):
    """Payable statements and approved claims not yet in a batch."""
    statements = Statement.objects.filter(
        status=StatementStatus.PAYABLE, payout_line__isnull=True
    ).select_related("organization")
    claims = FundClaim.objects.filter(
        status=ClaimStatus.APPROVED, payout_line__isnull=True
    ).select_related("organization", "request")
    if currency:
        statements = statements.filter(currency=currency)
        claims = claims.filter(currency=currency)
    return statements, claims


def payout_batch_create(
    *, acting_membership: Membership, statement_ids: list, claim_ids: list
) -> PayoutBatch:
    """Put the chosen payables (one currency) in a new draft batch."""
    tenant = require_current_tenant()
    if not statement_ids and not claim_ids:
        raise ValidationError("Choose at least one payable.")
    with transaction.atomic():
        statements = list(
            Statement.objects.select_for_update()
            .filter(pk__in=statement_ids, status=StatementStatus.PAYABLE)
            .order_by("pk")
        )
        claims = list(
            FundClaim.objects.select_for_update()
            .filter(pk__in=claim_ids, status=ClaimStatus.APPROVED)
            .order_by("pk")
        )
        if len(statements) != len(set(statement_ids)) or len(claims) != len(set(claim_ids)):
            raise ValidationError("Some of the chosen payables are not payable (any more).")
        taken = PayoutLine.objects.filter(statement__in=statements).exists() or (
            PayoutLine.objects.filter(claim__in=claims).exists()
        )
        if taken:
            raise ValidationError("Some of the chosen payables are in another batch already.")
        currencies = {s.currency for s in statements} | {c.currency for c in claims}
        if len(currencies) != 1:
            raise ValidationError("A batch pays one currency: choose payables of one currency.")
        currency = currencies.pop()
        count = PayoutBatch.objects.count() + 1
        batch = PayoutBatch.objects.create(
            tenant=tenant,
            reference=f"PB-{timezone.localdate():%Y%m%d}-{count:04d}",
            currency=currency,
            created_by=acting_membership.user,
        )
        lines = [
            PayoutLine(
                tenant=tenant,
                batch=batch,
                organization_id=s.organization_id,
                statement=s,
                amount=s.amount_due,
                currency=s.currency,
            )
            for s in statements
        ] + [
            PayoutLine(
                tenant=tenant,
                batch=batch,
                organization_id=c.organization_id,
                claim=c,
                amount=c.approved_amount,
                currency=c.currency,
            )
            for c in claims
        ]
        PayoutLine.objects.bulk_create(lines)
        batch.total = sum((line.amount for line in lines), Decimal("0"))
        batch.save(update_fields=["total"])
    return batch


def payout_batch_mark_paid(
    *, batch: PayoutBatch, acting_membership: Membership, payment_reference: str = ""
) -> PayoutBatch:
    """Pay a batch once: payout entries on the ledger, its statements and claims paid."""
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == BatchStatus.PAID:
            raise ValidationError(
                f"Batch {batch.reference} was marked paid on "
                f"{timezone.localtime(batch.paid_at):%d %b %Y %H:%M} already: nothing was done."
            )
        lines = list(
            PayoutLine.objects.filter(batch=batch).select_related("statement", "claim__request")
        )
        for line in lines:
            kind = AccountKind.EARNINGS if line.statement_id else AccountKind.MDF
            what = (
                f"statement {_label(line.statement)}"
                if line.statement_id
                else f"fund claim: {line.claim.request.title}"
            )
            entry_post(
                organization_id=line.organization_id,
                kind=kind,
                currency=line.currency,
                posting=Posting(
                    amount=-line.amount,
                    cause=EntryCause.PAYOUT,
                    description=f"Paid in {batch.reference}: {what}",
                    key=f"payout:{line.pk}",
                    statement_id=line.statement_id,
                    claim_id=line.claim_id,
                    batch_id=batch.pk,
                ),
                acting_membership=acting_membership,
            )
            payable = line.statement or line.claim
            payable.pay()
            payable.save()
        batch.pay()
        batch.paid_by = acting_membership.user
        batch.paid_at = timezone.now()
        batch.payment_reference = payment_reference[:100]
        batch.save()
        organizations = {line.organization_id: line.organization for line in lines}
        for organization in organizations.values():
            notify(
                recipients=partner_admin_users(organization=organization),
                kind="incentives.paid",
                title=f"Payment sent ({batch.reference})",
                url=reverse("incentives:portal_earnings"),
                dedupe_key=f"batch:{batch.pk}:paid:{organization.pk}",
                actor=acting_membership.user,
            )
    return batch
