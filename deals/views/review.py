"""The review queue and bulk approval."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView
from django_htmx.http import HttpResponseClientRedirect

from prm.core.dates import day_month_year, day_month_year_time
from prm.core.htmx import HtmxPartialMixin
from prm.core.money import format_money
from prm.core.templatetags.rowurls import row_urls
from prm.core.views import (
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from .. import selectors, services
from ..choices import DealStatus
from ..filtersets import (
    ReviewQueueFilterSet,
)
from ..models import (
    Deal,
)
from ..templatetags.deals_tags import open_conflict
from ._common import FilteredListMixin


def queue_rows(deals, *, sla_days: int) -> list[dict]:
    """What each queue row shows, worked out in Python once rather than by tags and
    filters in the template: its texts (the partner's tier, the days it has waited, when
    it came, its amount), its SLA pill, whether a conflict holds it, which controls it
    offers, and its links (each pattern looked up once per page). A dict a row, which
    the template reads without an attribute lookup per value. For the page's rows and
    for a row re-rendered after a decision (deals.views.detail.DealActionView), both
    read by `selectors.review_queue_rows`."""
    now = timezone.now()
    detail_url = row_urls("deals:console_deal_detail")
    approve_url = row_urls("deals:deal_approve")
    reject_url = row_urls("deals:deal_reject")
    info_url = row_urls("deals:deal_request_info")
    rows = []
    for deal in deals:
        key = str(deal.pk)
        pending = deal.is_pending
        submitted = deal.status == DealStatus.SUBMITTED
        conflicted = open_conflict(deal)
        motion = deal.motion
        row = {
            "key": key,
            "reference": deal.reference,
            "customer_name": deal.customer_name,
            "details": " · ".join(
                (deal.customer_domain, deal.country, motion.name if motion else "")
            ),
            "partner": deal.partner_name,
            "tier": deal.partner_tier or "",
            "amount": format_money(deal.amount, whole=True),
            "pending": pending,
            "submitted": submitted,
            "with_partner": deal.status == DealStatus.INFO_REQUESTED,
            "conflicted": conflicted,
            "selectable": pending and submitted and not conflicted,
            "detail_url": detail_url(key),
            "approve_url": approve_url(key),
            "reject_url": reject_url(key),
            "info_url": info_url(key),
            "waited": "",
        }
        if deal.submitted_at:
            waited = (now - deal.submitted_at).days
            row["waited"] = f"{waited} day{'' if waited == 1 else 's'}"
            row["sla_class"] = sla_pill(waited, sla_days)
            row["submitted_at"] = day_month_year_time(deal.submitted_at)
        if not pending:  # a row re-rendered after its decision
            row["status"] = deal.status
            row["status_display"] = deal.get_status_display()
            row["protected_until"] = day_month_year(deal.protection_expires_on)
        rows.append(row)
    return rows


def sla_pill(waited: int, sla_days: int) -> str:
    """pill-ok within half the review SLA, pill-warn until it, pill-bad past it."""
    if waited >= sla_days:
        return "pill-bad"
    if waited * 2 >= sla_days:
        return "pill-warn"
    return "pill-ok"


class ReviewQueueView(HtmxPartialMixin, StaffRequiredMixin, FilteredListMixin, ListView):
    """Registrations waiting for review: filters, age, SLA badges, inline decisions."""

    template_name = "deals/console/review_queue.html"
    htmx_partial = "queue"
    context_object_name = "deals"
    filterset_class = ReviewQueueFilterSet

    def get_queryset(self):
        return self.filter_queryset(selectors.review_queue(membership=self.request.membership))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for name in ("submitted_after", "submitted_before", "stage"):
            context["filter"].form.fields.pop(name, None)
        motions, _stages = context["filter"].choice_objects()
        # The queue shows no stage: the rows' stage is left unread.
        deals = selectors.deal_rows_related(context["deals"], motions=motions, stages=None)
        sla_days = self.request.tenant.deal_review_sla_days
        rows = queue_rows(deals, sla_days=sla_days)
        # row_error: named for the row partial, which a decision's response fills.
        context.update(sla_days=sla_days, deals=rows, object_list=rows, row_error=None)
        return context


class ReviewBulkApproveView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Deal

    def post(self, request):
        ids = []
        for value in request.POST.getlist("deal")[:200]:
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                continue  # not an id of anything: ignored rather than a 500
        deals = list(self.get_queryset().filter(pk__in=ids).order_by("submitted_at"))
        if not deals:
            messages.error(request, "Tick the registrations to approve first.")
        else:
            approved, skipped = services.deals_bulk_approve(
                deals=deals, acting_membership=request.membership
            )
            if approved:
                messages.success(request, f"{len(approved)} registration(s) approved.")
            for reference, reason in skipped.items():
                messages.warning(request, f"{reference} not approved: {reason}")
        url = reverse("deals:review_queue")
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
