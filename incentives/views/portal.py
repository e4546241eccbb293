"""Partner portal pages: Earnings (balances, entries, statements, points) and Funds."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.text import csv_cell
from prm.core.views import PartnerRequiredMixin, TenantMemberRequiredMixin

from .. import selectors, services
from ..forms import ClaimForm, FundRequestForm
from ..models import ClaimProof, FundAllocation, FundRequest, Statement
from ..providers import fund_request_links
from .common import apply_errors, statement_period


class PartnerObjectMixin:
    """Partner pages of one object: the scoped lookup decides before any role check.

    Another tenant's or another partner's id is a 404 for everyone, so a refusal never
    confirms that the id exists; staff are then sent to the console's page of the same
    object where there is one, else refused.
    """

    model = None
    console_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        get_object_or_404(self.model.objects.visible_to(request.membership), pk=kwargs["pk"])
        if request.membership.is_staff_role:
            if request.method == "GET" and self.console_url_name:
                return redirect(self.console_url_name, pk=kwargs["pk"])
            raise PermissionDenied("This page is for partner users.")
        return super().dispatch(request, *args, **kwargs)


class EarningsView(PartnerRequiredMixin, ListView):
    """Balances per account and currency, every entry, statements, points and rank."""

    template_name = "incentives/portal/earnings.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        return selectors.entries_for(membership=self.membership, kind=self.request.GET.get("kind"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.earnings_overview(membership=self.membership))
        return context


class StatementMixin:
    def get_statement(self, pk) -> Statement:
        queryset = Statement.objects.visible_to(self.membership).select_related("organization")
        if not self.membership.is_staff_role:
            queryset = queryset.exclude(status="draft")
        return get_object_or_404(queryset, pk=pk)


class PortalStatementView(TenantMemberRequiredMixin, PartnerObjectMixin, StatementMixin, View):
    """A print-styled statement with every entry behind its figures."""

    model = Statement
    console_url_name = "incentives:console_statement_detail"

    def get(self, request, pk):
        statement = self.get_statement(pk)
        return render(
            request,
            "incentives/statement.html",
            {
                "statement": statement,
                "entries": services.statement_entries(statement=statement),
                "period": statement_period(statement),
                "back_url": "incentives:portal_earnings",
            },
        )


class StatementCsvView(TenantMemberRequiredMixin, StatementMixin, View):
    """The statement's entries as CSV (partner: its own; staff: any)."""

    def get(self, request, pk):
        statement = self.get_statement(pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"statement-{statement.period_start:%Y-%m}-{statement.currency}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        writer = csv.writer(response)
        writer.writerow(["date", "description", "cause", "amount", "currency", "balance"])
        for entry in services.statement_entries(statement=statement):
            writer.writerow(
                [
                    entry.created_at.date().isoformat(),
                    csv_cell(entry.description),
                    entry.get_cause_display(),
                    entry.amount,
                    entry.currency,
                    entry.running_balance,
                ]
            )
        writer.writerow(["", "Opening balance", "", statement.opening_balance, statement.currency])
        writer.writerow(["", "Closing balance", "", statement.closing_balance, statement.currency])
        writer.writerow(["", "Amount due", "", statement.amount_due, statement.currency])
        return response


class FundsView(PartnerRequiredMixin, ListView):
    """My allocations (available, committed) and my requests with their claims."""

    template_name = "incentives/portal/funds.html"
    context_object_name = "fund_requests"
    paginate_by = 50

    def get_queryset(self):
        return selectors.requests_for(membership=self.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.fund_overview(membership=self.membership))
        context["fund_requests"] = selectors.with_links(context["fund_requests"])
        # Arriving from a higher app's page with its row chosen (?campaign=<id>), the
        # request links carry the choice on to the request form.
        chosen = {
            link.name: self.request.GET[link.name]
            for link in fund_request_links
            if self.request.GET.get(link.name)
        }
        context["link_query"] = f"?{urlencode(chosen)}" if chosen else ""
        return context


class RequestCreateView(TenantMemberRequiredMixin, PartnerObjectMixin, View):
    """Ask to spend part of an allocation."""

    model = FundAllocation

    def get_allocation(self, pk) -> FundAllocation:
        return get_object_or_404(
            FundAllocation.objects.visible_to(self.membership).select_related("fund"), pk=pk
        )

    def get(self, request, pk):
        allocation = self.get_allocation(pk)
        form = FundRequestForm(membership=self.membership)
        # A page of a higher app may link here with its row chosen (?campaign=<id>).
        form.initial = {name: request.GET[name] for name in form.link_names if name in request.GET}
        return render(
            request,
            "incentives/portal/request_form.html",
            {"allocation": allocation, "form": form},
        )

    def post(self, request, pk):
        allocation = self.get_allocation(pk)
        form = FundRequestForm(request.POST, membership=self.membership)
        if form.is_valid():
            try:
                fund_request = services.fund_request_submit(
                    acting_membership=self.membership, allocation=allocation, data=form.to_input()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Request sent to the vendor for approval.")
                return redirect("incentives:portal_request_detail", pk=fund_request.pk)
        return render(
            request,
            "incentives/portal/request_form.html",
            {"allocation": allocation, "form": form},
            status=400,
        )


class RequestDetailView(TenantMemberRequiredMixin, PartnerObjectMixin, View):
    """A request's status and decision, and the claim (with uploads) once approved."""

    model = FundRequest

    def get_request(self, pk) -> FundRequest:
        return get_object_or_404(
            FundRequest.objects.visible_to(self.membership).select_related("allocation__fund"),
            pk=pk,
        )

    def render_page(self, fund_request, form=None, status=200):
        selectors.with_links([fund_request])
        claim = getattr(fund_request, "claim", None) if hasattr(fund_request, "claim") else None
        return render(
            self.request,
            "incentives/portal/request_detail.html",
            {
                "fund_request": fund_request,
                "claim": claim,
                "proofs": list(claim.proofs.all()) if claim else [],
                "form": form or ClaimForm(),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(self.get_request(pk))

    def post(self, request, pk):
        """Submit the claim."""
        fund_request = self.get_request(pk)
        form = ClaimForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.fund_claim_submit(
                    acting_membership=self.membership,
                    request=fund_request,
                    amount=form.cleaned_data["amount"],
                    notes=form.cleaned_data["notes"],
                    leads_generated=form.cleaned_data.get("leads_generated") or 0,
                    proofs=form.cleaned_data["proofs"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Claim sent to the vendor.")
                return redirect("incentives:portal_request_detail", pk=fund_request.pk)
        return self.render_page(self.get_request(pk), form=form, status=400)


class ProofDownloadView(TenantMemberRequiredMixin, View):
    """A proof file, only to its partner organization and the vendor's staff."""

    def get(self, request, pk):
        proof = get_object_or_404(ClaimProof.objects.visible_to(self.membership), pk=pk)
        try:
            handle = proof.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing from storage.") from None
        response = FileResponse(
            handle,
            content_type=proof.content_type,
            as_attachment=True,
            filename=proof.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
