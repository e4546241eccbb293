"""Reads of the deals app that span models: conflict matching, queues, pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from partners.models import PartnerOrganization
from prm.core.listing import attach_related
from prm.core.money import format_money
from prm.tenancy.context import require_current_tenant
from prm.tenancy.models import Membership

from .choices import DealStatus
from .models import Deal, DealConflict, DealLine, DealSettings, Motion, MotionStage


def deal_settings_get() -> DealSettings:
    """The current tenant's deal settings (created with defaults on first use)."""
    settings_row = DealSettings.objects.first()
    if settings_row is None:
        settings_row, _ = DealSettings.objects.get_or_create(tenant=require_current_tenant())
    return settings_row


@dataclass
class ConflictMatch:
    """Why an open registration looks like the same customer as the one being checked."""

    other_deal: Deal
    score: float
    domain_match: bool
    name_similarity: float
    overlapping_products: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def deal_conflicts_find(*, deal: Deal, threshold: float | None = None) -> list[ConflictMatch]:
    """Live or protected registrations of the tenant that claim the same customer.

    Channel conflict is about the customer first: another partner's open registration
    (submitted, waiting for information, or approved and protected) with the same
    normalised customer domain, or with a company name at least `threshold` similar
    (pg_trgm) in the same country, is a conflict whatever the products. Shared products
    raise the score and are given as a reason, never the only gate. The partner's own
    open registrations of the same customer match only when they share a product (a
    duplicate registration); a partner may well register two different opportunities
    at one customer.

    Closed registrations (rejected, won, lost, expired) and drafts never match; other
    tenants' rows are out of reach of the scoped manager and of row-level security.
    A fixed number of queries whatever the size of the table: the products, similar
    names (a tenant-first trigram index scan), the candidates (by id or by the
    tenant-first domain index) and their overlapping products.
    """
    if threshold is None:
        threshold = deal_settings_get().name_similarity_threshold
    products = dict(DealLine.objects.filter(deal=deal).values_list("product_id", "product__name"))
    # Similar names come from a function that can use the tenant-first trigram index
    # under row-level security (see migration 0002); it reads the tenant from the same
    # setting as the policy. Rows are then read through the scoped manager as usual.
    similar: dict = {}
    if deal.customer_name_normalized:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT deal_id, name_similarity FROM deals_open_similar_names(%s, %s)",
                [deal.customer_name_normalized, threshold],
            )
            similar = {row[0]: float(row[1]) for row in cursor.fetchall()}
    match = Q(pk__in=list(similar), country=deal.country)
    if deal.customer_domain:
        match |= Q(customer_domain=deal.customer_domain)
    candidates = list(
        Deal.objects.open()
        .filter(match)
        .exclude(pk=deal.pk)
        .annotate(
            name_similarity=TrigramSimilarity(
                "customer_name_normalized", deal.customer_name_normalized
            )
        )
        .select_related("organization")
        .order_by("first_submitted_at", "number")[:200]
    )
    if not candidates:
        return []
    lines_by_deal: dict = {}
    if products:
        for deal_id, product_id in DealLine.objects.filter(
            deal_id__in=[c.pk for c in candidates], product_id__in=list(products)
        ).values_list("deal_id", "product_id"):
            lines_by_deal.setdefault(deal_id, set()).add(product_id)
    matches: list[ConflictMatch] = []
    for candidate in candidates:
        overlap = lines_by_deal.get(candidate.pk, set())
        same_partner = candidate.organization_id == deal.organization_id
        if same_partner and not overlap:
            continue  # another opportunity of the same partner at this customer
        domain_match = bool(deal.customer_domain) and (
            candidate.customer_domain == deal.customer_domain
        )
        similarity = float(candidate.name_similarity or 0)
        reasons = []
        if domain_match:
            reasons.append(f"Same customer domain: {deal.customer_domain}")
        if similarity >= threshold:
            reasons.append(
                f"Similar company name ({similarity:.0%}): "
                f"“{deal.customer_name}” and “{candidate.customer_name}”"
                + (f", both in {deal.country.upper()}" if deal.country else "")
            )
        if same_partner:
            reasons.append("Same partner: a duplicate registration")
        if candidate.status == DealStatus.APPROVED:
            reasons.append(
                "The other registration is approved"
                + (
                    f" and protected until {candidate.protection_expires_on:%d %b %Y}"
                    if candidate.protection_expires_on
                    else ""
                )
            )
        names = sorted(products[p] for p in overlap)
        if names:
            reasons.append("Overlapping products: " + ", ".join(names))
        else:
            reasons.append("No products in common: the customer is the same")
        identity = 1.0 if domain_match else similarity
        share = len(overlap) / len(products) if products else 0
        score = round(0.7 * identity + 0.3 * share, 3)
        matches.append(
            ConflictMatch(
                other_deal=candidate,
                score=score,
                domain_match=domain_match,
                name_similarity=round(similarity, 3),
                overlapping_products=names,
                reasons=reasons,
            )
        )
    return matches


def conflict_first_comer(*, conflict: DealConflict) -> Deal:
    """The registration that came first: by first submission time, then by number."""
    a, b = conflict.deal, conflict.other_deal
    far = timezone.now() + timedelta(days=36500)
    return min((a, b), key=lambda d: (d.first_submitted_at or far, d.number))


# What a queue row reads of a deal (deals.views.review.queue_rows): not its notes,
# contacts and decision texts.
QUEUE_ROW_FIELDS = (
    "number",
    "organization",
    "motion",
    "status",
    "customer_name",
    "customer_domain",
    "country",
    "amount",
    "submitted_at",
    "protection_expires_on",
)


def review_queue(*, membership: Membership) -> QuerySet[Deal]:
    """Registrations waiting for the vendor, oldest first, as the queue's rows read them
    (`review_queue_rows`)."""
    return (
        review_queue_rows(membership=membership).pending_review().order_by("submitted_at", "number")
    )


def review_queue_rows(*, membership: Membership) -> QuerySet[Deal]:
    """Deals with what a review queue row shows but its motion (`deal_rows_related`,
    from the page's filter): the partner's name and tier as columns of the deal
    (`partner_name`, `partner_tier`), read by primary key in subqueries rather than as
    two related objects a row (and not joins, which the page's count would carry too),
    and whether an open conflict holds it. For the queue, and for a row re-rendered
    after a decision."""
    partner = PartnerOrganization.objects.filter(pk=OuterRef("organization_id")).order_by()
    return (
        Deal.objects.visible_to(membership)
        .only(*QUEUE_ROW_FIELDS)
        .annotate(
            partner_name=Subquery(partner.values("name")),
            partner_tier=Subquery(partner.values("tier__name")),
            # Either side of a pair: the earlier registration shows the conflict too.
            has_open_conflict=Exists(DealConflict.objects.involving(OuterRef("pk")).open()),
        )
    )


def deal_rows_related(
    deals, *, motions: dict, stages: dict | None, organizations: dict | None = None
) -> list[Deal]:
    """A page of deals with each row's motion, stage and organization taken from objects
    the page has already read, keyed by primary key (the filter's choices, the member's
    own organization), and only those missing read, one query per relation at most
    (None: a relation left as it is, read already or not shown). Like
    `with_list_relations`, without reading the same motions and stages a second time for
    the rows."""
    return attach_related(
        deals, {"motion": motions, "stage": stages, "organization": organizations}
    )


def deal_list_figures(
    *, queryset: QuerySet[Deal], stages: dict | None = None
) -> tuple[dict[str, int], list[dict]]:
    """The partner deal list's tiles (deals per status) and pipeline (approved deals per
    motion stage: count and amount), from one aggregate over the deals alone (by status
    and stage), then the few stages' names by primary key, unless the page has read
    them already (`stages`, each with its motion). Joining the stages and motions to
    every approved deal cost more than the counts themselves (bench/RESULTS.md)."""
    rows = list(
        queryset.order_by()
        .values_list("status", "stage_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
    )
    counts: dict[str, int] = {}
    staged: dict = {}
    for status, stage_id, n, amount in rows:
        counts[status] = counts.get(status, 0) + n
        if status == DealStatus.APPROVED and stage_id is not None:
            staged[stage_id] = (n, amount)
    known = stages or {}
    if staged.keys() - known.keys():
        known = MotionStage.objects.select_related("motion").in_bulk(list(staged))
    stages = [known[pk] for pk in staged if pk in known]
    pipeline = (
        [
            {
                "stage_id": stage.pk,
                "stage__motion__name": stage.motion.name,
                "stage__name": stage.name,
                "stage__position": stage.position,
                "count": staged[stage.pk][0],
                "amount": staged[stage.pk][1],
            }
            for stage in stages
        ]
        if staged
        else []
    )
    pipeline.sort(key=lambda row: (row["stage__motion__name"], row["stage__position"]))
    return counts, pipeline


def motion_first_stage(*, motion: Motion) -> MotionStage | None:
    return (
        MotionStage.objects.filter(motion=motion, is_won=False, is_lost=False)
        .order_by("position")
        .first()
    )


AUDITED_FIELDS = (
    ("status", "Status"),
    ("stage_id", "Stage"),
    ("protection_expires_on", "Protected until"),
    ("vendor_sales_rep_id", "Sales rep"),
    ("customer_name", "Customer"),
    ("customer_domain", "Domain"),
    ("expected_close_date", "Expected close"),
    ("amount", "Amount"),
    ("closed_on", "Closed on"),
    ("final_amount", "Final amount"),
)


MONEY_FIELDS = frozenset({"amount", "final_amount"})


def deal_audit_trail(
    *, deal: Deal, limit: int = 30, stages: list[MotionStage] | None = None
) -> list[dict]:
    """The deal's recorded changes (database triggers, bulk updates included), newest
    first: when, by whom (from the request's context) and which fields changed.
    `stages`: the deal's motion's stages when the caller has read them already."""
    from prm.accounts.models import User
    from prm.audit.history import history_for

    events = list(reversed(history_for(deal, limit=limit + 1)))
    users = {
        str(u.pk): u.display_name
        for u in User.objects.filter(pk__in={e.changed_by for e in events if e.changed_by})
    }
    if stages is None:
        stages = MotionStage.objects.filter(motion_id=deal.motion_id)
    stage_names = {stage.pk: stage.name for stage in stages}
    trail = []
    for previous, event in zip([None, *events], events, strict=False):
        if previous is None and len(events) > limit:
            continue  # the oldest event only serves as the baseline of the next one
        changes = []
        for attname, label in AUDITED_FIELDS:
            new = getattr(event, attname)
            old = getattr(previous, attname) if previous is not None else None
            if previous is not None and old == new:
                continue
            if previous is None and new in (None, ""):
                continue
            if attname == "stage_id":
                old, new = stage_names.get(old, old), stage_names.get(new, new)
            elif attname in MONEY_FIELDS:
                old, new = format_money(old), format_money(new)
            changes.append((label, old, new))
        if changes:
            trail.append(
                {
                    "at": event.pgh_created_at,
                    "by": users.get(event.changed_by or "", ""),
                    "url": (event.pgh_context or {}).get("url", ""),
                    "changes": changes,
                }
            )
    return list(reversed(trail))


def partner_deal_metrics(*, organization: PartnerOrganization) -> dict:
    """A partner's trailing-12-month deal figures, in one aggregate query.

    What tier requirements are measured against (partners.selectors.partner_metrics):
    revenue and number of deals won, and registrations approved, in the last 365 days.
    """
    from decimal import Decimal

    from django.db.models import Sum
    from django.db.models.functions import Coalesce

    today = timezone.localdate()
    won = Q(status=DealStatus.WON, closed_on__gt=today - timedelta(days=365))
    return Deal.objects.filter(organization=organization).aggregate(
        won_revenue=Coalesce(Sum("final_amount", filter=won), Decimal("0")),
        won_deals=Count("id", filter=won),
        approved_registrations=Count(
            "id", filter=Q(approved_at__gt=timezone.now() - timedelta(days=365))
        ),
    )


def partner_tier_metrics(organization: PartnerOrganization) -> dict:
    """The deal figures of partners' tier requirements (registered in DealsConfig.ready)."""
    from decimal import Decimal

    found = partner_deal_metrics(organization=organization)
    return {
        "min_won_revenue": Decimal(found["won_revenue"] or 0),
        "min_won_deals": int(found["won_deals"] or 0),
        "min_approved_registrations": int(found["approved_registrations"] or 0),
    }


def partner_options(
    *, membership: Membership, text: str, active_only: bool = False, limit: int = 20
) -> list[str]:
    """Names of the partners the member may see that contain `text`, for the partner
    autocomplete of the deal filters and editors (a page never lists every partner)."""
    queryset = PartnerOrganization.objects.visible_to(membership)
    if active_only:
        queryset = queryset.filter(is_active=True)
    text = text.strip()[:200]
    if text:
        queryset = queryset.filter(name__icontains=text)
    return list(queryset.order_by("name").values_list("name", flat=True)[:limit])
