"""Leads: the console list, creation, CSV import, detail; the partner's offered leads."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.views import (
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
    TenantMemberRequiredMixin,
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
    LeadOffer,
    Motion,
    Product,
)
from ._common import FilteredListMixin, PartnerObjectMixin, _error_text


class LeadListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Lead
    template_name = "deals/lead_list.html"
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
        return render(request, "deals/lead_form.html", {"form": LeadForm()})

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
        return render(request, "deals/lead_form.html", {"form": form})


class LeadImportView(StaffRequiredMixin, View):
    """Import leads from CSV; each row is validated and routed like a typed-in lead."""

    def get(self, request):
        return render(request, "deals/lead_import.html", {"form": LeadImportForm()})

    def post(self, request):
        form = LeadImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "deals/lead_import.html", {"form": form})
        try:
            text = form.cleaned_data["file"].read(2_000_000).decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file must be UTF-8 text.")
            return render(request, "deals/lead_import.html", {"form": form})
        products = {p.sku.lower(): p for p in Product.objects.filter(is_active=True)}
        motions = {m.key: m for m in Motion.objects.filter(is_active=True)}
        default_motion = next(iter(motions.values()), None)
        created, errors = 0, []
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            if number > 1001:
                errors.append("Only the first 1,000 rows were read.")
                break
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            sku = row.get("product_sku", "").lower()
            if sku and sku not in products:
                errors.append(f"Row {number}: no active product with SKU {sku}.")
                continue
            motion_key = row.get("motion_key", "")
            if motion_key and motion_key not in motions:
                errors.append(f"Row {number}: no active motion with key {motion_key}.")
                continue
            motion = motions.get(motion_key, default_motion)
            try:
                amount = Decimal(row.get("estimated_amount") or "0")
            except InvalidOperation:
                errors.append(f"Row {number}: estimated_amount is not a number.")
                continue
            try:
                services.lead_create(
                    acting_membership=request.membership,
                    motion=motion,
                    product=products.get(sku),
                    data={
                        "customer_name": row.get("customer_name", ""),
                        "customer_domain": row.get("customer_domain", ""),
                        "country": row.get("country", ""),
                        "contact_name": row.get("contact_name", ""),
                        "contact_email": row.get("contact_email", ""),
                        "estimated_amount": amount,
                    },
                )
                created += 1
            except ValidationError as exc:
                errors.append(f"Row {number}: {_error_text(exc)}")
        return render(
            request,
            "deals/lead_import.html",
            {"form": LeadImportForm(), "created": created, "errors": errors, "done": True},
        )


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
    template_name = "deals/portal_lead_list.html"
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


class PortalLeadDetailView(
    TenantMemberRequiredMixin, PartnerObjectMixin, ScopedQuerysetMixin, View
):
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
