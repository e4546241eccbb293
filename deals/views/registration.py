"""Deal lists and registration forms: the partner's deals, the console list and export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.listing import filterset_narrows
from prm.core.money import format_money
from prm.core.templatetags.rowurls import row_url
from prm.core.text import csv_cell
from prm.core.views import (
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)
from prm.tenancy.context import tenant_context

from .. import selectors, services
from ..choices import DealStatus
from ..filtersets import (
    DealFilterSet,
)
from ..forms import (
    DealForm,
    DealLineFormSet,
)
from ..models import (
    Deal,
)
from ._common import FilteredListMixin, PartnerDealMixin


def portal_rows(deals, *, organization_id) -> list:
    """What each row of the partner's list shows beyond the deal's own fields, worked out
    once in Python rather than by a tag, a filter and a method call per row in the
    template (as the review queue's `queue_rows`): its link (the pattern reversed once
    per page), its status in words, its amount, and whether another partner registered
    it (a deal the organization takes part in)."""
    labels = {value: str(label) for value, label in DealStatus.choices}
    for deal in deals:
        deal.detail_url = row_url("deals:portal_deal_detail", deal.pk)
        deal.status_label = labels.get(deal.status, deal.status)
        deal.amount_text = format_money(deal.amount, whole=True)
        deal.co_partnered = deal.organization_id != organization_id
    return deals


class PortalDealListView(PartnerRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    """My deals: filters, search, and the pipeline by stage."""

    model = Deal
    template_name = "deals/portal/deal_list.html"
    context_object_name = "deals"
    filterset_class = DealFilterSet
    # What a row shows: the other twenty-odd columns of a deal (its contact, notes,
    # people, times) would be read and converted for nothing.
    row_fields = (
        "number",
        "organization",
        "motion",
        "stage",
        "status",
        "customer_name",
        "customer_domain",
        "amount",
        "protection_expires_on",
    )

    def get_queryset(self):
        # Figures count the partner's own registrations; the list also shows, read-only,
        # the multi-partner deals it takes part in.
        membership = self.request.membership
        self.base_queryset = super().get_queryset()
        self.shared_ids = Deal.objects.co_partnered_ids(membership)
        readable = Deal.objects.readable_by(membership, shared=self.shared_ids)
        return self.filter_queryset(readable.only(*self.row_fields).order_by("-number"))

    def get_context_data(self, **kwargs):
        self.filterset.form.fields.pop("organization", None)
        motions, stages = self.filterset.choice_objects()
        counts, pipeline = selectors.deal_list_figures(queryset=self.base_queryset, stages=stages)
        if not self.shared_ids and not filterset_narrows(self.filterset):
            # The list's rows are then the figures' rows (readable_by without shared
            # deals is visible_to): their number is the figures' total, not a COUNT.
            self.known_count = sum(counts.values())
        context = super().get_context_data(**kwargs)
        context["counts"], context["pipeline"] = counts, pipeline
        membership = self.request.membership
        rows = selectors.deal_rows_related(
            context["deals"],
            motions=motions,
            stages=stages,
            organizations={membership.partner_organization_id: membership.partner_organization},
        )
        context["deals"] = context["object_list"] = portal_rows(
            rows, organization_id=membership.partner_organization_id
        )
        return context


class DealFormMixin:
    def organization(self):
        return self.request.membership.partner_organization

    def render_form(self, form, formset, deal=None):
        return render(
            self.request,
            "deals/portal/deal_form.html",
            {"form": form, "formset": formset, "deal": deal},
        )


class PortalDealCreateView(PartnerRequiredMixin, DealFormMixin, View):
    """Register a deal: save as a draft, or submit it straight away."""

    def get(self, request):
        form = DealForm(organization=self.organization())
        return self.render_form(form, DealLineFormSet(prefix="lines"))

    def post(self, request):
        form = DealForm(request.POST, organization=self.organization())
        formset = DealLineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(form, formset)
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in ("motion", "idempotency_key")
        }
        try:
            deal = services.deal_create(
                organization=self.organization(),
                acting_membership=request.membership,
                motion=form.cleaned_data["motion"],
                data=data,
                lines=formset.lines(),
                idempotency_key=form.cleaned_data.get("idempotency_key") or None,
                submit="submit" in request.POST,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, formset)
        if deal.status == DealStatus.SUBMITTED:
            messages.success(request, f"{deal.reference} submitted for review.")
        else:
            messages.success(request, f"{deal.reference} saved as a draft.")
        return redirect("deals:portal_deal_detail", pk=deal.pk)


class PortalDealEditView(PartnerDealMixin, ScopedQuerysetMixin, DealFormMixin, View):
    """Edit a draft, or answer the vendor's request for more information."""

    model = Deal

    def get_deal(self, pk):
        return get_object_or_404(self.get_queryset().select_related("motion"), pk=pk)

    def get(self, request, pk):
        deal = self.get_deal(pk)
        if not deal.is_editable_by_partner:
            messages.error(request, f"{deal.reference} can no longer be edited.")
            return redirect("deals:portal_deal_detail", pk=deal.pk)
        initial = {f: getattr(deal, f) for f in services.DEAL_FIELDS}
        initial["motion"] = deal.motion_id
        form = DealForm(initial=initial, organization=self.organization(), deal=deal)
        lines = [
            {"product": line.product_id, "quantity": line.quantity, "amount": line.amount}
            for line in deal.lines.all()
        ]
        return self.render_form(form, DealLineFormSet(prefix="lines", initial=lines), deal)

    def post(self, request, pk):
        deal = self.get_deal(pk)
        form = DealForm(request.POST, organization=self.organization(), deal=deal)
        formset = DealLineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and formset.is_valid()):
            return self.render_form(form, formset, deal)
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in ("motion", "idempotency_key")
        }
        try:
            deal = services.deal_update(
                deal=deal,
                acting_membership=request.membership,
                motion=form.cleaned_data["motion"],
                data=data,
                lines=formset.lines(),
            )
            if "submit" in request.POST:
                deal = services.deal_submit(deal=deal, acting_membership=request.membership)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, formset, deal)
        messages.success(
            request,
            f"{deal.reference} submitted." if deal.status == DealStatus.SUBMITTED else "Saved.",
        )
        return redirect("deals:portal_deal_detail", pk=deal.pk)


class ConsoleDealListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Deal
    template_name = "deals/console/deal_list.html"
    context_object_name = "deals"
    filterset_class = DealFilterSet

    def get_queryset(self):
        return self.filter_queryset(super().get_queryset().order_by("-number"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        motions, stages = context["filter"].choice_objects()
        context["deals"] = context["object_list"] = selectors.deal_rows_related(
            context["deals"], motions=motions, stages=stages, organizations={}
        )
        return context


class _Echo:
    def write(self, value):
        return value


class ConsoleDealExportView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """The filtered deal list as CSV, streamed."""

    model = Deal

    def get(self, request):
        filterset = DealFilterSet(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        queryset = (
            filterset.qs if filterset.is_bound else filterset.queryset
        ).with_list_relations()
        writer = csv.writer(_Echo())
        header = [
            "number", "partner", "customer", "domain", "country", "motion", "stage", "status",
            "amount", "submitted_at", "approved_at", "protection_expires_on", "expected_close_date",
            "closed_on", "final_amount",
        ]  # fmt: skip
        # Money as people read it, in the tenant's currency and locale (prm.core.money).

        tenant = request.tenant

        def rows():
            # The response streams after the middleware has left the tenant's context:
            # enter it again for the rows' queries (scoped manager and RLS).
            with tenant_context(tenant):
                yield from _rows()

        def _rows():
            yield writer.writerow(header)
            for deal in queryset.order_by("number").iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        csv_cell(v)
                        for v in (
                            deal.reference,
                            deal.organization.name,
                            deal.customer_name,
                            deal.customer_domain,
                            deal.country,
                            deal.motion.name,
                            deal.stage.name if deal.stage else "",
                            deal.get_status_display(),
                            format_money(deal.amount),
                            deal.submitted_at.isoformat() if deal.submitted_at else "",
                            deal.approved_at.isoformat() if deal.approved_at else "",
                            deal.protection_expires_on or "",
                            deal.expected_close_date,
                            deal.closed_on or "",
                            format_money(deal.final_amount),
                        )
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="deals.csv"'
        return response
