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

from prm.core.htmx import HtmxPartialMixin
from prm.core.templatetags.rowurls import row_url
from prm.core.views import (
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from .. import selectors, services
from ..filtersets import (
    ReviewQueueFilterSet,
)
from ..models import (
    Deal,
)
from ..templatetags.deals_tags import open_conflict
from ._common import FilteredListMixin


def queue_rows(deals, *, sla_days: int):
    """What each queue row shows beyond the deal's own fields, worked out in Python once
    rather than by tags and filters in the template: the days it has waited, its SLA
    pill, whether a conflict holds it, and its links (each pattern reversed once per
    page). For the page's rows and for a row re-rendered after a decision
    (deals.views.detail.DealActionView)."""
    now = timezone.now()
    for deal in deals:
        deal.waited = (now - deal.submitted_at).days if deal.submitted_at else 0
        deal.sla_class = sla_pill(deal.waited, sla_days)
        deal.conflicted = open_conflict(deal)
        deal.detail_url = row_url("deals:console_deal_detail", deal.pk)
        deal.approve_url = row_url("deals:deal_approve", deal.pk)
        deal.reject_url = row_url("deals:deal_reject", deal.pk)
        deal.info_url = row_url("deals:deal_request_info", deal.pk)
    return deals


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
        deals = selectors.deal_rows_related(context["deals"], motions=motions, stages={})
        sla_days = self.request.tenant.deal_review_sla_days
        rows = queue_rows(deals, sla_days=sla_days)
        context.update(sla_days=sla_days, deals=rows, object_list=rows)
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
