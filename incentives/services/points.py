"""Points: what the vendor wants to encourage, on the same ledger as money.

Points live in each organization's points account (currency "PTS", never added to
money). The leaderboard ranks partners by the points posted in a period.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection

from prm.tenancy.context import require_current_tenant

from ..choices import POINTS_CURRENCY, AccountKind
from ..models import LedgerEntry
from .ledger import Posting, entry_post


def points_award(
    *, organization_id, points: int, cause: str, description: str, key: str, deal_id=None
) -> LedgerEntry | None:
    """Credit points once per key; None when this key was credited before."""
    if points <= 0:
        return None
    entry, created = entry_post(
        organization_id=organization_id,
        kind=AccountKind.POINTS,
        currency=POINTS_CURRENCY,
        posting=Posting(
            amount=Decimal(points), cause=cause, description=description, key=key, deal_id=deal_id
        ),
    )
    return entry if created else None


LEADERBOARD_SQL = """
SELECT o.id, o.name, s.points,
       rank() OVER (ORDER BY s.points DESC) AS position
FROM (
    SELECT organization_id, sum(amount) AS points
    FROM incentives_ledgerentry
    WHERE tenant_id = %(tenant)s AND kind = 'points'
      AND created_at >= %(start)s AND created_at < %(end)s
    GROUP BY organization_id
) s
JOIN partners_partnerorganization o ON o.id = s.organization_id AND o.tenant_id = %(tenant)s
WHERE s.points > 0
ORDER BY s.points DESC, o.name
"""

# One partner's row of the same ranking (the whole tenant is ranked, one row returned).
LEADERBOARD_POSITION_SQL = "SELECT * FROM (" + LEADERBOARD_SQL + ") board WHERE id = %(org)s"  # noqa: S608 - constant SQL


def leaderboard(*, start: date, end_exclusive: date, limit: int = 50) -> list[dict]:
    """Partners ranked by points posted in [start, end): one aggregate, ties share a rank."""
    tenant = require_current_tenant()
    with connection.cursor() as cursor:
        cursor.execute(
            LEADERBOARD_SQL + " LIMIT %(limit)s",
            {"tenant": tenant.pk, "start": start, "end": end_exclusive, "limit": limit},
        )
        rows = cursor.fetchall()
    return [{"organization_id": r[0], "name": r[1], "points": r[2], "position": r[3]} for r in rows]


def leaderboard_position(*, organization_id, start: date, end_exclusive: date) -> dict | None:
    """One partner's row of the leaderboard (its rank and points), or None without points."""
    tenant = require_current_tenant()
    with connection.cursor() as cursor:
        cursor.execute(
            LEADERBOARD_POSITION_SQL,
            {"tenant": tenant.pk, "start": start, "end": end_exclusive, "org": organization_id},
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return {"organization_id": row[0], "name": row[1], "points": row[2], "position": row[3]}


def points_for_deal_registered(*, deal_id) -> LedgerEntry | None:
    """Points for a registration's first submission (a resubmission earns nothing more)."""
    from deals.models import Deal

    from ..choices import EntryCause
    from .earnings import incentive_settings

    deal = Deal.objects.filter(pk=deal_id).first()
    if deal is None:
        return None
    return points_award(
        organization_id=deal.organization_id,
        points=incentive_settings().points_deal_registered,
        cause=EntryCause.POINTS_DEAL_REGISTERED,
        description=f"Deal registered: {deal.reference}",
        key=f"points:registered:{deal.pk}",
        deal_id=deal.pk,
    )


def points_for_certification(
    *, award_id, organization_id, renewal: bool = False
) -> LedgerEntry | None:
    """Points for a certification earned by a partner's person (not for renewals)."""
    from ..choices import EntryCause
    from .earnings import incentive_settings

    if organization_id is None or renewal:
        return None
    return points_award(
        organization_id=organization_id,
        points=incentive_settings().points_certification,
        cause=EntryCause.POINTS_CERTIFICATION,
        description="Certification earned",
        key=f"points:certification:{award_id}",
    )
