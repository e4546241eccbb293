"""Leads: the console list, creation, CSV import, detail; the partner's offered leads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.htmx import render_htmx
from prm.core.views import (
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from .. import services
from ..choices import LeadStatus, OfferStatus
from ..filtersets import (
    LeadFilterSet,
)
from ..forms import (
    LeadAssignForm,
    LeadDeclineForm,
    LeadForm,
    LeadImportForm,
)
from ..models import (
    Lead,
    LeadImport,
    LeadOffer,
)
from ._common import FilteredListMixin, PartnerObjectMixin, _error_text


class LeadListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Lead
    template_name = "deals/console/lead_list.html"
    context_object_name = "leads"
    filterset_class = LeadFilterSet

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("assigned_organization", "product", "motion", "deal")
            .prefetch_related(
                Prefetch(
                    "offers",
                    queryset=LeadOffer.objects.filter(status=OfferStatus.PENDING),
                    to_attr="pending_offers",
                )
            )
        )
        return self.filter_queryset(queryset)


class LeadCreateView(StaffRequiredMixin, View):
    def get(self, request):
        return render(request, "deals/console/lead_form.html", {"form": LeadForm()})

    def post(self, request):
        form = LeadForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            motion, product = data.pop("motion"), data.pop("product")
            try:
                lead = services.lead_create(
                    acting_membership=request.membership, motion=motion, product=product, data=data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if lead.status == LeadStatus.OFFERED:
                    messages.success(request, f"Lead offered to {lead.assigned_organization}.")
                else:
                    messages.warning(request, "No routing rule matched: assign the lead by hand.")
                return redirect("deals:lead_detail", pk=lead.pk)
        return render(request, "deals/console/lead_form.html", {"form": form})


class LeadImportView(StaffRequiredMixin, View):
    """Upload a CSV of leads; the import runs as a job and its page shows the progress."""

    template_name = "deals/console/lead_import.html"

    def _page(self, request, form, status=200):
        recent = LeadImport.objects.visible_to(request.membership).select_related(
            "requested_by__user"
        )[:10]
        context = {"form": form, "imports": recent, "columns": services.LEAD_IMPORT_COLUMNS}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._page(request, LeadImportForm())

    def post(self, request):
        form = LeadImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                lead_import = services.lead_import_start(
                    acting_membership=request.membership, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("deals:lead_import_detail", pk=lead_import.pk)
        return self._page(request, form, status=400)


class LeadImportTemplateView(StaffRequiredMixin, View):
    """The CSV to fill in, with the columns the import reads."""

    def get(self, request):
        response = HttpResponse(services.lead_import_template_csv(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="leads-template.csv"'
        return response


class LeadImportDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """One import: a progress bar that htmx refreshes until the job is done, then the
    count of leads created and every refused row with its reasons."""

    model = LeadImport
    template_name = "deals/console/lead_import_detail.html"

    def get(self, request, pk):
        lead_import = get_object_or_404(self.get_queryset(), pk=pk)
        context = {
            "lead_import": lead_import,
            "progress": services.lead_import_progress(lead_import=lead_import),
        }
        return render_htmx(request, self.template_name, context, partial="progress")


class LeadDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Lead

    def get_lead(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related(
                "assigned_organization", "product", "motion", "deal", "created_by"
            ),
            pk=pk,
        )

    def get(self, request, pk):
        lead = self.get_lead(pk)
        offers = lead.offers.select_related("organization", "rule", "answered_by", "offered_by")
        return render(
            request,
            "deals/lead_detail.html",
            {"lead": lead, "offers": offers, "assign_form": LeadAssignForm(), "staff": True},
        )

    def post(self, request, pk):
        lead = self.get_lead(pk)
        try:
            if request.POST.get("action") == "close":
                services.lead_close(lead=lead, acting_membership=request.membership)
                messages.success(request, "Lead closed.")
            elif request.POST.get("action") == "route":
                offer = services.lead_route(lead=lead, acting_membership=request.membership)
                if offer:
                    messages.success(request, f"Offered to {offer.organization}.")
                else:
                    messages.warning(request, "No routing rule found a partner.")
            else:
                form = LeadAssignForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Choose a partner.")
                offer = services.lead_assign(
                    lead=lead,
                    organization=form.cleaned_data["organization"],
                    acting_membership=request.membership,
                )
                messages.success(request, f"Offered to {offer.organization}.")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("deals:lead_detail", pk=lead.pk)


class PortalLeadListView(PartnerRequiredMixin, ScopedQuerysetMixin, ListView):
    """Leads the vendor offered to my organization, and those I accepted."""

    model = Lead
    template_name = "deals/portal/lead_list.html"
    context_object_name = "leads"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("product", "motion", "deal")
            .prefetch_related(
                Prefetch(
                    "offers",
                    queryset=LeadOffer.objects.visible_to(self.request.membership).filter(
                        status=OfferStatus.PENDING
                    ),
                    to_attr="my_pending",
                )
            )
            .order_by("-created_at")
        )


class PortalLeadDetailView(PartnerObjectMixin, ScopedQuerysetMixin, View):
    model = Lead
    console_url_name = "deals:lead_detail"

    def get_lead(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related("product", "motion", "deal"), pk=pk
        )

    def get(self, request, pk, form=None):
        lead = self.get_lead(pk)
        # Only this organization's own offers: never who else was asked.
        offers = LeadOffer.objects.visible_to(request.membership).filter(lead=lead)
        pending = next((o for o in offers if o.status == OfferStatus.PENDING), None)
        return render(
            request,
            "deals/lead_detail.html",
            {
                "lead": lead,
                "offers": offers,
                "pending": pending,
                "decline_form": form or LeadDeclineForm(),
                "staff": False,
            },
        )

    def post(self, request, pk):
        lead = self.get_lead(pk)
        try:
            if request.POST.get("action") == "accept":
                deal = services.lead_accept(lead=lead, acting_membership=request.membership)
                messages.success(request, f"Lead accepted: {deal.reference} is approved.")
                return redirect("deals:portal_deal_detail", pk=deal.pk)
            form = LeadDeclineForm(request.POST)
            if not form.is_valid():
                return self.get(request, pk, form=form)
            services.lead_decline(
                lead=lead, acting_membership=request.membership, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "Lead declined.")
            return redirect("deals:portal_lead_list")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("deals:portal_lead_list")
