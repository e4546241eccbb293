"""Conflicts between registrations: list and resolution."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.views import (
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from .. import selectors, services
from ..filtersets import (
    ConflictFilterSet,
)
from ..forms import (
    ConflictResolveForm,
)
from ..models import (
    DealConflict,
    DealLine,
)
from ._common import FilteredListMixin


class ConflictListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = DealConflict
    template_name = "deals/conflict_list.html"
    context_object_name = "conflicts"
    filterset_class = ConflictFilterSet

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related(
                "deal", "other_deal", "deal__organization", "other_deal__organization", "decided_by"
            )
            .order_by("status", "-created_at")
        )
        return self.filter_queryset(queryset)


class ConflictDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """The two registrations side by side: who came first, what overlaps, why."""

    model = DealConflict

    def get_conflict(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related(
                "deal",
                "other_deal",
                "deal__organization",
                "other_deal__organization",
                "deal__motion",
                "other_deal__motion",
                "decided_by",
            ),
            pk=pk,
        )

    def render_page(self, conflict, form):
        first = selectors.conflict_first_comer(conflict=conflict)
        later = conflict.other_deal if first.pk == conflict.deal_id else conflict.deal
        lines = {
            deal.pk: list(DealLine.objects.filter(deal=deal).select_related("product"))
            for deal in (first, later)
        }
        overlap = set(conflict.overlapping_products)
        return render(
            self.request,
            "deals/conflict_detail.html",
            {
                "conflict": conflict,
                "sides": [(first, lines[first.pk], True), (later, lines[later.pk], False)],
                "overlap": overlap,
                "form": form,
            },
        )

    def get(self, request, pk):
        return self.render_page(self.get_conflict(pk), ConflictResolveForm())

    def post(self, request, pk):
        conflict = self.get_conflict(pk)
        form = ConflictResolveForm(request.POST)
        if form.is_valid():
            try:
                services.conflict_resolve(
                    conflict=conflict,
                    acting_membership=request.membership,
                    decision=form.cleaned_data["decision"],
                    reason_code=form.cleaned_data["reason_code"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Conflict resolved; the decision is on the record.")
                return redirect("deals:conflict_detail", pk=conflict.pk)
        return self.render_page(conflict, form)
