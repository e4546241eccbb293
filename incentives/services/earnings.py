"""Incentive programs and what partners earn from them.

Two paths, one ledger:
- when a deal is won, the per-deal programs it qualifies for (SPIFF, referral fee) post
  at once (`earnings_for_won_deal`, run by a Celery task the deal event enqueues);
- every night, `earnings_compute_periods` posts the rebates of closed periods for a
  whole tenant in set-based SQL (one aggregate over the won deals, no Python loop).
Both are idempotent: each posting's key names its program, its source and its period.
A won deal that leaves "won" within the clawback window gets reversal entries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from deals.choices import DealPartnerRole, DealStatus
from deals.models import Deal, DealLine
from partners.models import PartnerOrganization
from partners.services import partner_can_transact
from prm.tenancy.context import require_current_tenant

from ..choices import PER_DEAL_KINDS, AccountKind, EntryCause, PeriodUnit, ProgramKind
from ..models import IncentiveProgram, IncentiveSettings, LedgerEntry, RebateBand, TierMultiplier
from ..money import cents
from ..providers import multiplier_providers
from .ledger import Posting, account_for, entry_post, entry_reverse

logger = logging.getLogger(__name__)

# Entries a won deal earned, reversed when it leaves "won".
DEAL_EARNING_CAUSES = (EntryCause.SPIFF, EntryCause.REFERRAL, EntryCause.POINTS_DEAL_WON)


def incentive_settings() -> IncentiveSettings:
    tenant = require_current_tenant()
    found = IncentiveSettings.objects.filter().first()
    if found is None:
        found, _ = IncentiveSettings.objects.get_or_create(tenant=tenant)
    return found


# ---------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------


def period_start(day: date, unit: str) -> date:
    if unit == PeriodUnit.MONTH:
        return day.replace(day=1)
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def period_end(start: date, unit: str) -> date:
    """The last day of the period that begins on `start`."""
    months = 1 if unit == PeriodUnit.MONTH else 3
    month = start.month - 1 + months
    following = start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)
    return following - timedelta(days=1)


def period_label(start: date, unit: str) -> str:
    if unit == PeriodUnit.MONTH:
        return start.strftime("%b %Y")
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


# ---------------------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandInput:
    from_amount: Decimal
    rate_percent: Decimal


def program_save(
    *, program: IncentiveProgram, bands: list[BandInput] | None = None
) -> IncentiveProgram:
    """Create or change a program after checking what its kind needs; bands for rebates."""
    errors: dict[str, str] = {}
    tenant = require_current_tenant()
    if program.kind == ProgramKind.SPIFF and not program.amount_per_deal:
        errors["amount_per_deal"] = "A SPIFF needs a positive amount per won deal."
    if program.kind == ProgramKind.REFERRAL and not program.rate_percent:
        errors["rate_percent"] = "A referral fee needs a positive percentage."
    if program.kind in (ProgramKind.REBATE, ProgramKind.REFERRAL) and (
        program.currency != tenant.currency
    ):
        # Revenue-based programs pay in the currency deals are recorded in.
        errors["currency"] = f"Deals are recorded in {tenant.currency}: use {tenant.currency}."
    if program.kind == ProgramKind.REBATE:
        if bands is not None and not bands:
            errors["bands"] = "A rebate needs at least one band (e.g. 2 % from 0)."
        if bands:
            starts = [b.from_amount for b in bands]
            if len(set(starts)) != len(starts):
                errors["bands"] = "Two bands start at the same amount."
            elif min(starts) != 0:
                errors["bands"] = "The first band must start at 0."
    if program.ends_on and program.ends_on < program.starts_on:
        errors["ends_on"] = "The program cannot end before it starts."
    if IncentiveProgram.objects.filter(name=program.name).exclude(pk=program.pk).exists():
        errors["name"] = "Another program has this name."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        program.save()
        if bands is not None:
            RebateBand.objects.filter(program=program).delete()
            RebateBand.objects.bulk_create(
                [
                    RebateBand(
                        tenant=tenant,
                        program=program,
                        from_amount=b.from_amount,
                        rate_percent=b.rate_percent,
                    )
                    for b in sorted(bands, key=lambda b: b.from_amount)
                ]
            )
    return program


def rebate_amount(*, revenue: Decimal, bands: list[BandInput]) -> Decimal:
    """The marginal rebate of `revenue` over the bands (full precision, not rounded)."""
    ordered = sorted(bands, key=lambda b: b.from_amount)
    total = Decimal("0")
    for index, band in enumerate(ordered):
        upper = ordered[index + 1].from_amount if index + 1 < len(ordered) else None
        if revenue <= band.from_amount:
            break
        top = revenue if upper is None else min(revenue, upper)
        total += (top - band.from_amount) * band.rate_percent / 100
    return total


def multiplier_for(*, organization: PartnerOrganization) -> Decimal:
    """The partner's multiplier of per-deal earnings: a provider's, else its tier's, else 1."""
    for provider in multiplier_providers:
        value = provider(organization)
        if value is not None:
            return Decimal(value)
    if organization.tier_id is not None:
        found = TierMultiplier.objects.filter(tier_id=organization.tier_id).first()
        if found is not None:
            return found.multiplier
    return Decimal("1")


def program_accepts(
    *, program: IncentiveProgram, deal: Deal, product_ids: set, can_transact: bool
) -> bool:
    """Does this won deal qualify for this program? (eligibility and dates)"""
    organization = deal.organization
    closed = deal.closed_on
    if not program.is_active or closed is None or closed < program.starts_on:
        return False
    if program.ends_on and closed > program.ends_on:
        return False
    if program.partner_type_ids and organization.partner_type_id not in program.partner_type_ids:
        return False
    if program.min_tier_id is not None and (
        organization.tier is None or organization.tier.rank < program.min_tier.rank
    ):
        return False
    if program.motion_ids and deal.motion_id not in program.motion_ids:
        return False
    if program.product_ids and not (set(program.product_ids) & product_ids):
        return False
    if program.requires_agreement and not can_transact:
        return False
    if program.kind == ProgramKind.REFERRAL:
        return deal.motion.default_partner_role == DealPartnerRole.REFERRAL
    return True


def deal_revenue(deal: Deal) -> Decimal:
    return deal.final_amount if deal.final_amount is not None else deal.amount


def _won_key(key: str, *, deal: Deal, **same) -> str:
    """The idempotency key of what a deal earns for this winning.

    A deal reopened after it was won has its entries reversed; won again, it earns again.
    The key counts the reversed entries of the same kind, so a retried job finds its
    entry and a new winning gets a new key.
    """
    reversed_before = LedgerEntry.objects.filter(
        deal=deal, reversed_by__isnull=False, **same
    ).count()
    return f"{key}:{reversed_before}" if reversed_before else key


def earnings_for_won_deal(*, deal_id) -> list[LedgerEntry]:
    """Post what a won deal earns from every per-deal program, and its points. Idempotent."""
    deal = Deal.objects.select_related("organization__tier", "motion").filter(pk=deal_id).first()
    if deal is None or deal.status != DealStatus.WON:
        return []
    organization = deal.organization
    product_ids = set(DealLine.objects.filter(deal=deal).values_list("product_id", flat=True))
    can_transact = partner_can_transact(organization=organization)
    programs = IncentiveProgram.objects.filter(
        is_active=True, kind__in=PER_DEAL_KINDS
    ).select_related("min_tier")
    multiplier = None
    posted: list[LedgerEntry] = []
    for program in programs:
        if not program_accepts(
            program=program, deal=deal, product_ids=product_ids, can_transact=can_transact
        ):
            continue
        if multiplier is None:
            multiplier = multiplier_for(organization=organization)
        entry = _post_deal_earning(program=program, deal=deal, multiplier=multiplier)
        if entry is not None:
            posted.append(entry)
    from .points import points_award

    points = incentive_settings().points_deal_won
    if points:
        entry = points_award(
            organization_id=organization.pk,
            points=points,
            cause=EntryCause.POINTS_DEAL_WON,
            description=f"Deal won: {deal.reference}",
            key=_won_key(f"points:won:{deal.pk}", deal=deal, cause=EntryCause.POINTS_DEAL_WON),
            deal_id=deal.pk,
        )
        if entry is not None:
            posted.append(entry)
    return posted


def _post_deal_earning(
    *, program: IncentiveProgram, deal: Deal, multiplier: Decimal
) -> LedgerEntry | None:
    key = _won_key(f"earn:{program.pk}:{deal.pk}", deal=deal, program=program)
    start = period_start(deal.closed_on, program.period_unit)
    if program.kind == ProgramKind.SPIFF:
        amount = program.amount_per_deal * multiplier
        cause = EntryCause.SPIFF
    else:
        amount = deal_revenue(deal) * program.rate_percent / 100 * multiplier
        cause = EntryCause.REFERRAL
    with transaction.atomic():
        # The account lock serialises this partner's postings, so two deals won at once
        # cannot both fit under the cap.
        account_for(
            organization_id=deal.organization_id,
            kind=AccountKind.EARNINGS,
            currency=program.currency,
            lock=True,
        )
        if LedgerEntry.objects.filter(key=key).exists():
            return None
        if program.cap_per_period is not None:
            used = LedgerEntry.objects.filter(
                program=program, organization_id=deal.organization_id, period_start=start
            ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
            amount = min(amount, program.cap_per_period - used)
        amount = cents(amount)
        if amount <= 0:
            return None
        entry, _ = entry_post(
            organization_id=deal.organization_id,
            kind=AccountKind.EARNINGS,
            currency=program.currency,
            posting=Posting(
                amount=amount,
                cause=cause,
                description=f"{program.name}: {deal.reference} {deal.customer_name}",
                key=key,
                program_id=program.pk,
                deal_id=deal.pk,
                period_start=start,
            ),
        )
    return entry


def earnings_reverse_for_deal(*, deal_id, today: date | None = None) -> list[LedgerEntry]:
    """A deal left "won": reverse what it earned, if still inside the clawback window."""
    deal = Deal.objects.filter(pk=deal_id).first()
    if deal is None or deal.status == DealStatus.WON:
        return []
    today = today or timezone.localdate()
    window = incentive_settings().clawback_days
    reversed_entries = []
    entries = LedgerEntry.objects.filter(
        deal=deal, cause__in=DEAL_EARNING_CAUSES, reversed_by__isnull=True
    ).order_by("created_at")
    for entry in entries:
        won_on = deal.closed_on or timezone.localdate(entry.created_at)
        if today > won_on + timedelta(days=window):
            logger.info("clawback window passed", extra={"entry": str(entry.pk)})
            continue
        reversal = entry_reverse(entry=entry, reason=f"{deal.reference} is no longer won")
        if reversal is not None:
            reversed_entries.append(reversal)
    return reversed_entries


# ---------------------------------------------------------------------------------------
# The nightly job: rebates of closed periods, set-based
# ---------------------------------------------------------------------------------------

# One aggregate per program and period: the won revenue of each eligible partner, the
# marginal bands applied in SQL, times the partner's tier multiplier, rounded half-up to
# cents; minus what was already posted for that program, partner and period. Only the
# differences are posted, each with a key that counts the postings before it, so a run
# repeated with the same data posts nothing and a deal reopened within the clawback
# window is corrected by a negative adjustment.
REBATE_DELTAS_SQL = """
CREATE TEMP TABLE incentives_rebate_delta ON COMMIT DROP AS
WITH eligible AS (
    SELECT o.id, coalesce(m.multiplier, 1) AS multiplier
    FROM partners_partnerorganization o
    LEFT JOIN partners_tier t ON t.id = o.tier_id AND t.tenant_id = o.tenant_id
    LEFT JOIN incentives_tiermultiplier m ON m.tier_id = o.tier_id AND m.tenant_id = o.tenant_id
    WHERE o.tenant_id = %(tenant)s
      AND (cardinality(%(types)s::uuid[]) = 0 OR o.partner_type_id = ANY(%(types)s::uuid[]))
      AND (%(min_rank)s::int IS NULL OR t.rank >= %(min_rank)s::int)
      AND (NOT %(agreement)s OR (
          -- partners.services.partner_transact_blockers, as SQL over every partner
          o.is_active AND o.lifecycle_stage IN ('active', 'at_risk') AND (
              NOT EXISTS (
                  SELECT 1 FROM partners_agreement ag
                  WHERE ag.tenant_id = o.tenant_id AND ag.partner_type_id = o.partner_type_id
                    AND ag.published_at IS NOT NULL)
              OR EXISTS (
                  SELECT 1 FROM partners_agreementacceptance aa
                  WHERE aa.tenant_id = o.tenant_id AND aa.organization_id = o.id
                    AND aa.expires_at > now()
                    AND aa.agreement_id = (
                        SELECT ag.id FROM partners_agreement ag
                        WHERE ag.tenant_id = o.tenant_id
                          AND ag.partner_type_id = o.partner_type_id
                          AND ag.published_at IS NOT NULL
                        ORDER BY ag.version DESC LIMIT 1)))))
),
revenue AS (
    SELECT d.organization_id, sum(coalesce(d.final_amount, d.amount)) AS revenue
    FROM deals_deal d
    WHERE d.tenant_id = %(tenant)s AND d.status = 'won'
      AND d.closed_on BETWEEN %(start)s AND %(end)s
      AND (cardinality(%(motions)s::uuid[]) = 0 OR d.motion_id = ANY(%(motions)s::uuid[]))
      AND (cardinality(%(products)s::uuid[]) = 0 OR EXISTS (
          SELECT 1 FROM deals_dealline l
          WHERE l.tenant_id = d.tenant_id AND l.deal_id = d.id
            AND l.product_id = ANY(%(products)s::uuid[])))
    GROUP BY d.organization_id
),
bands AS (
    SELECT from_amount, rate_percent,
           lead(from_amount) OVER (ORDER BY from_amount) AS to_amount
    FROM incentives_rebateband
    WHERE tenant_id = %(tenant)s AND program_id = %(program)s
),
target AS (
    SELECT r.organization_id,
           round(sum((least(r.revenue, coalesce(b.to_amount, r.revenue)) - b.from_amount)
                     * b.rate_percent / 100) * e.multiplier, 2) AS amount,
           r.revenue
    FROM revenue r
    JOIN eligible e ON e.id = r.organization_id
    JOIN bands b ON r.revenue > b.from_amount
    GROUP BY r.organization_id, r.revenue, e.multiplier
),
posted AS (
    SELECT organization_id, sum(amount) AS amount, count(*) AS n
    FROM incentives_ledgerentry
    WHERE tenant_id = %(tenant)s AND program_id = %(program)s AND period_start = %(start)s
    GROUP BY organization_id
)
SELECT coalesce(t.organization_id, p.organization_id) AS organization_id,
       coalesce(t.amount, 0) - coalesce(p.amount, 0) AS delta,
       coalesce(p.n, 0) AS n,
       t.revenue
FROM target t FULL JOIN posted p ON p.organization_id = t.organization_id
WHERE coalesce(t.amount, 0) - coalesce(p.amount, 0) <> 0
"""

ENSURE_ACCOUNTS_SQL = """
INSERT INTO incentives_ledgeraccount
    (id, tenant_id, organization_id, kind, currency, balance, entry_count)
SELECT gen_random_uuid(), %(tenant)s, organization_id, 'earnings', %(currency)s, 0, 0
FROM incentives_rebate_delta
ON CONFLICT (tenant_id, organization_id, kind, currency) DO NOTHING
"""

POST_DELTAS_SQL = """
WITH locked AS (
    SELECT a.id, a.organization_id, a.balance
    FROM incentives_ledgeraccount a
    JOIN incentives_rebate_delta d ON d.organization_id = a.organization_id
    WHERE a.tenant_id = %(tenant)s AND a.kind = 'earnings' AND a.currency = %(currency)s
    ORDER BY a.id
    FOR UPDATE OF a
),
inserted AS (
    INSERT INTO incentives_ledgerentry
        (id, tenant_id, account_id, organization_id, kind, currency, amount, running_balance,
         cause, description, key, program_id, period_start, created_at)
    SELECT gen_random_uuid(), %(tenant)s, l.id, l.organization_id, 'earnings', %(currency)s,
           d.delta, l.balance + d.delta,
           CASE WHEN d.n = 0 THEN 'rebate' ELSE 'adjustment' END,
           CASE WHEN d.n = 0 THEN %(label)s || ': ' || d.revenue || ' won revenue'
                ELSE %(label)s || ': correction' END,
           'rebate:' || %(program)s || ':' || l.organization_id || ':' || %(start)s || ':' || d.n,
           %(program)s, %(start)s, now()
    FROM locked l JOIN incentives_rebate_delta d ON d.organization_id = l.organization_id
    ON CONFLICT (tenant_id, key) DO NOTHING
    RETURNING account_id, amount
)
UPDATE incentives_ledgeraccount a
SET balance = a.balance + s.total, entry_count = a.entry_count + s.n
FROM (SELECT account_id, sum(amount) AS total, count(*) AS n FROM inserted GROUP BY account_id) s
WHERE a.id = s.account_id
"""


def rebate_periods_due(
    *, program: IncentiveProgram, today: date, clawback_days: int
) -> list[tuple[date, date]]:
    """Closed periods of the program still open to correction (end within the window)."""
    periods = []
    start = period_start(today, program.period_unit)
    while True:
        # step back one period
        start = period_start(start - timedelta(days=1), program.period_unit)
        end = period_end(start, program.period_unit)
        if end < program.starts_on or end < today - timedelta(days=clawback_days):
            break
        if program.ends_on is None or start <= program.ends_on:
            periods.append((start, end))
    return periods


def rebate_post_period(*, program: IncentiveProgram, start: date, end: date) -> int:
    """Post one program's rebates of one period for the whole tenant; returns the count."""
    tenant = require_current_tenant()
    params = {
        "tenant": tenant.pk,
        "program": str(program.pk),
        "types": [str(i) for i in program.partner_type_ids],
        "motions": [str(i) for i in program.motion_ids],
        "products": [str(i) for i in program.product_ids],
        "min_rank": program.min_tier.rank if program.min_tier_id else None,
        "agreement": program.requires_agreement,
        "start": max(start, program.starts_on),
        "end": min(end, program.ends_on) if program.ends_on else end,
        "currency": program.currency,
        "label": f"{program.name} {period_label(start, program.period_unit)}",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REBATE_DELTAS_SQL, params)
        cursor.execute("SELECT count(*) FROM incentives_rebate_delta")
        if cursor.fetchone()[0] == 0:
            cursor.execute("DROP TABLE incentives_rebate_delta")
            return 0
        params["start"] = start  # the key and the entries name the whole period
        cursor.execute(ENSURE_ACCOUNTS_SQL, params)
        cursor.execute(POST_DELTAS_SQL, params)
        posted = cursor.rowcount
        cursor.execute("DROP TABLE incentives_rebate_delta")
    return posted


def earnings_compute_periods(*, today: date | None = None) -> dict[str, int]:
    """The nightly job of one tenant: every rebate program, every closed period due."""
    today = today or timezone.localdate()
    window = incentive_settings().clawback_days
    done: dict[str, int] = {}
    programs = IncentiveProgram.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today - timedelta(days=window + 366)),
        kind=ProgramKind.REBATE,
        is_active=True,
    ).select_related("min_tier")
    for program in programs:
        for start, end in rebate_periods_due(program=program, today=today, clawback_days=window):
            done[f"{program.pk}:{start}"] = rebate_post_period(
                program=program, start=start, end=end
            )
    return done
