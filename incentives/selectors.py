"""Reads of the incentives app that span models (one call per page)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from partners.models import PartnerOrganization

from .choices import AccountKind, ClaimStatus, PeriodUnit, RequestStatus
from .models import (
    Fund,
    FundAllocation,
    FundClaim,
    FundRequest,
    LedgerAccount,
    LedgerEntry,
    Statement,
)
from .services import (
    incentive_settings,
    leaderboard,
    leaderboard_position,
    period_end,
    period_label,
    period_start,
    utilisation_annotations,
)


def current_quarter():
    start = period_start(timezone.localdate(), PeriodUnit.QUARTER)
    return start, period_end(start, PeriodUnit.QUARTER) + timedelta(days=1)


def earnings_overview(*, membership) -> dict:
    """Balances (one per account, never summed across currencies), statements and rank."""
    organization_id = membership.partner_organization_id
    accounts = list(
        LedgerAccount.objects.visible_to(membership).filter(organization_id=organization_id)
    )
    statements = list(
        Statement.objects.visible_to(membership)
        .filter(organization_id=organization_id)
        .exclude(status="draft")
        .order_by("-period_start")[:24]
    )
    start, end = current_quarter()
    shows_names = incentive_settings().leaderboard_shows_names
    board = [
        {**row, "is_me": row["organization_id"] == organization_id}
        for row in leaderboard(start=start, end_exclusive=end, limit=10)
    ]
    for row in board:
        if not (shows_names or row["is_me"]):
            row["name"] = ""  # other partners' names stay hidden unless the vendor shows them
    return {
        "board": board,
        "money_accounts": [a for a in accounts if a.kind != AccountKind.POINTS],
        "points_account": next((a for a in accounts if a.kind == AccountKind.POINTS), None),
        "statements": statements,
        "rank": leaderboard_position(
            organization_id=organization_id, start=start, end_exclusive=end
        ),
        "quarter_label": period_label(start, PeriodUnit.QUARTER),
        "shows_names": shows_names,
    }


def entries_for(*, membership, kind: str | None = None):
    queryset = LedgerEntry.objects.visible_to(membership).order_by("-created_at", "-id")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def fund_overview(*, membership) -> dict:
    allocations = list(
        FundAllocation.objects.visible_to(membership)
        .select_related("fund")
        .order_by("-fund__starts_on")
    )
    return {"allocations": allocations}


def requests_for(*, membership):
    return (
        FundRequest.objects.visible_to(membership)
        .select_related("allocation__fund", "organization")
        .prefetch_related(Prefetch("claim", queryset=FundClaim.objects.all()))
        .order_by("-created_at")
    )


def request_queue(*, membership):
    """Fund requests waiting for a decision, oldest first, as the queue's rows read them
    (`request_queue_rows`)."""
    return (
        request_queue_rows(membership=membership)
        .filter(status=RequestStatus.SUBMITTED)
        .order_by("created_at")
    )


def request_queue_rows(*, membership):
    """Fund requests with what a queue row shows and no more: the partner's name and the
    fund's currency as columns of the request (`partner_name`, `currency`) rather than
    three related objects built for each row, and not the decision's fields but the
    approved amount. For the queue, and for a row re-rendered after a decision."""
    return (
        FundRequest.objects.visible_to(membership)
        .only(
            "title",
            "activity_type",
            "description",
            "starts_on",
            "ends_on",
            "expected_leads",
            "created_at",
            "planned_spend",
            "status",
            "approved_amount",
        )
        # Subqueries by primary key rather than joins, which the page's count would
        # carry too.
        .annotate(
            partner_name=Subquery(
                PartnerOrganization.objects.filter(pk=OuterRef("organization_id"))
                .order_by()
                .values("name")
            ),
            currency=Subquery(
                FundAllocation.objects.filter(pk=OuterRef("allocation_id"))
                .order_by()
                .values("fund__currency")
            ),
        )
    )


def claim_queue(*, membership):
    return (
        FundClaim.objects.visible_to(membership)
        .filter(status=ClaimStatus.SUBMITTED)
        .select_related("request", "organization")
        .prefetch_related("proofs")
        .order_by("created_at")
    )


def funds_with_utilisation():
    return Fund.objects.annotate(**utilisation_annotations("allocations__")).order_by(
        "-starts_on", "name"
    )


def allocations_with_utilisation(*, fund: Fund):
    return (
        FundAllocation.objects.filter(fund=fund)
        .select_related("organization")
        .annotate(**utilisation_annotations())
        .order_by("organization__name")
    )


# --- what fund requests name through the registered links (incentives.providers) -------


def fund_request_link_items(fund_requests) -> dict:
    """{request pk: {link name: LinkedItem}} for the given requests (every pk present,
    empty when it names nothing): one `describe` call per registered link."""
    from .providers import fund_request_links

    rows = list(fund_requests)
    items: dict = {row.pk: {} for row in rows}
    if not rows:
        return items
    for link in fund_request_links:
        for pk, item in link.describe(rows).items():
            if pk in items:
                items[pk][link.name] = item
    return items


def with_links(fund_requests):
    """Set `.links` on each request: [(link label, LinkedItem)] for the templates."""
    from .providers import fund_request_links

    rows = list(fund_requests)
    items = fund_request_link_items(rows)
    labels = {link.name: link.label for link in fund_request_links}
    for row in rows:
        row.links = [(labels[name], item) for name, item in items[row.pk].items()]
    return rows


def fund_request_totals(*, requests, group_by: str) -> dict:
    """MDF asked for and granted, per `group_by` value and currency (never summed across
    currencies), for the given FundRequest queryset; one query.

    `requested`: the planned spend of every request; `approved`: the approved amount of
    those approved or claimed (not of those rejected or past their claim window).
    {group value: [{"currency", "requests", "requested", "approved"}, ...]}
    """
    from django.db.models import Count, DecimalField, Q, Sum, Value
    from django.db.models.functions import Coalesce

    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))
    granted = Q(status__in=(RequestStatus.APPROVED, RequestStatus.CLAIMED))
    rows = (
        requests.order_by()
        .values(group_by, "allocation__fund__currency")
        .annotate(
            n=Count("pk"),
            requested=Coalesce(Sum("planned_spend"), zero),
            approved=Coalesce(Sum("approved_amount", filter=granted), zero),
        )
        .order_by(group_by, "allocation__fund__currency")
    )
    totals: dict = {}
    for row in rows:
        totals.setdefault(row[group_by], []).append(
            {
                "currency": row["allocation__fund__currency"],
                "requests": row["n"],
                "requested": row["requested"],
                "approved": row["approved"],
            }
        )
    return totals
