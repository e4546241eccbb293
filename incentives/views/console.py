"""Vendor console pages: programs, approval queues, statements, payout batches, budgets."""

from __future__ import annotations

import csv
import uuid

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.utils.text import Truncator
from django.views import View
from django.views.generic import ListView

from prm.core.dates import day_month, day_month_year
from prm.core.htmx import render_fragment, vary_on_htmx, wants_partial
from prm.core.templatetags.rowurls import row_urls
from prm.core.text import csv_cell
from prm.core.views import AdminRequiredMixin, StaffRequiredMixin
from prm.tenancy.choices import Role

from .. import selectors, services
from ..choices import PeriodUnit, RequestStatus, StatementStatus
from ..forms import (
    AllocationForm,
    DecisionForm,
    FundForm,
    GenerateStatementsForm,
    IncentiveSettingsForm,
    MarkPaidForm,
    ProgramForm,
    RejectForm,
)
from ..models import Fund, FundClaim, FundRequest, IncentiveProgram, PayoutBatch, Statement
from .common import apply_errors, error_text, statement_period

ADMIN_ONLY = frozenset({Role.ADMIN})


def _ids(values) -> list[uuid.UUID]:
    ids = []
    for value in values[:500]:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue  # not an id of anything: ignored rather than a 500
    return ids


# ---------------------------------------------------------------------------------------
# Programs and settings
# ---------------------------------------------------------------------------------------


class ProgramListView(StaffRequiredMixin, ListView):
    template_name = "incentives/console/program_list.html"
    context_object_name = "programs"
    paginate_by = 50

    def get_queryset(self):
        return IncentiveProgram.objects.select_related("min_tier").order_by("name")


class ProgramFormView(StaffRequiredMixin, View):
    """Create (no pk) or change a program: staff read it, admins write it."""

    method_roles = {"POST": ADMIN_ONLY}

    def get_program(self, pk):
        if pk is None:
            return IncentiveProgram(currency=self.request.tenant.currency)
        return get_object_or_404(IncentiveProgram.objects.all(), pk=pk)

    def get(self, request, pk=None):
        program = self.get_program(pk)
        return render(
            request,
            "incentives/console/program_form.html",
            {"form": ProgramForm(instance=program), "program": program},
        )

    def post(self, request, pk=None):
        program = self.get_program(pk)
        form = ProgramForm(request.POST, instance=program)
        if form.is_valid():
            try:
                form.save_program()
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Program saved.")
                return redirect("incentives:program_list")
        return render(
            request,
            "incentives/console/program_form.html",
            {"form": form, "program": program},
            status=400,
        )


class SettingsView(AdminRequiredMixin, View):
    def get(self, request):
        form = IncentiveSettingsForm(instance=services.incentive_settings())
        return render(request, "incentives/console/settings.html", {"form": form})

    def post(self, request):
        form = IncentiveSettingsForm(request.POST, instance=services.incentive_settings())
        if form.is_valid():
            form.save()
            messages.success(request, "Incentive settings saved.")
            return redirect("incentives:settings")
        return render(request, "incentives/console/settings.html", {"form": form}, status=400)


# ---------------------------------------------------------------------------------------
# Approval queues (htmx, in place)
# ---------------------------------------------------------------------------------------


class QueueView(StaffRequiredMixin, ListView):
    paginate_by = 50
    partial = "queue"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#{self.partial}"]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Vary"] = "HX-Request"
        return response


def request_rows(fund_requests) -> list[dict]:
    """What each fund request queue row shows, worked out in Python once rather than by
    tags and filters in the template (three dates, a truncation, an amount and two links
    a row): a dict a row, which the template reads without an attribute lookup per value.
    For the page's rows and for a row re-rendered after a decision (RequestApproveView),
    both read by `selectors.request_queue_rows`.
    The same texts the filters wrote: `date`, `truncatechars:160`, `floatformat:2|intcomma`.
    """
    approve_url = row_urls("incentives:request_approve")
    reject_url = row_urls("incentives:request_reject")
    rows = []
    for fund_request in selectors.with_links(fund_requests):
        key = str(fund_request.pk)
        row = {
            "key": key,
            "title": fund_request.title,
            "summary": (
                f"{fund_request.get_activity_type_display()}"
                f" · {day_month(fund_request.starts_on)} – {day_month_year(fund_request.ends_on)}"
                f" · {fund_request.expected_leads} leads expected"
                f" · submitted {day_month_year(fund_request.created_at)}"
            ),
            "description": Truncator(fund_request.description).chars(160),
            "links": fund_request.links,
            "partner": fund_request.partner_name,
            "planned": (
                f"{intcomma(floatformat(fund_request.planned_spend, 2))} {fund_request.currency}"
            ),
            "submitted": fund_request.status == RequestStatus.SUBMITTED,
            "approve_url": approve_url(key),
            "reject_url": reject_url(key),
        }
        if not row["submitted"]:  # a row re-rendered after its decision
            row["status_display"] = fund_request.get_status_display()
            approved = fund_request.approved_amount
            row["approved"] = intcomma(floatformat(approved, 2)) if approved else ""
        rows.append(row)
    return rows


class RequestQueueView(QueueView):
    template_name = "incentives/console/request_queue.html"
    context_object_name = "fund_requests"

    def get_queryset(self):
        return selectors.request_queue(membership=self.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # What each request names (the campaign it funds): one query per link, per page.
        rows = request_rows(context["fund_requests"])
        # row_error: named for the row partial, which a decision's response fills.
        context.update(fund_requests=rows, object_list=rows, row_error=None)
        return context


class ClaimQueueView(QueueView):
    template_name = "incentives/console/claim_queue.html"
    context_object_name = "claims"

    def get_queryset(self):
        return selectors.claim_queue(membership=self.membership)


class DecisionView(StaffRequiredMixin, View):
    """POST a decision; htmx gets the queue row back in place, a plain post a redirect."""

    model = None
    template_row = ""
    row_name = ""
    form_class = DecisionForm
    queue_url = ""

    def perform(self, obj, form):
        raise NotImplementedError

    def get_object(self, pk):
        return get_object_or_404(self.model.objects.visible_to(self.membership), pk=pk)

    def row(self, pk):
        """What the queue's row partial reads as `row_name`, read after the decision."""
        return self.get_object(pk)

    def post(self, request, pk):
        obj = self.get_object(pk)
        form = self.form_class(request.POST)
        error = None
        if not form.is_valid():
            error = "; ".join(" ".join(e) for e in form.errors.values())
        else:
            try:
                self.perform(obj, form)
            except (ValidationError, PermissionDenied) as exc:
                error = error_text(exc)
        if request.htmx:
            response = render(
                request, self.template_row, {self.row_name: self.row(pk), "row_error": error}
            )
            response["Vary"] = "HX-Request"
            return response
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Decision recorded.")
        return redirect(self.queue_url)


class RequestApproveView(DecisionView):
    """GET: the decision's form for one queue row (a partial approval here, a rejection
    in RequestRejectView), fetched by htmx when the channel manager opens it (the queue
    renders no form per row); without htmx, a page of the same form. POST: decide."""

    model = FundRequest
    template_row = "incentives/console/request_queue.html#row"
    row_name = "r"
    queue_url = "incentives:request_queue"
    action = "approve"

    def row(self, pk):
        return request_rows(self.rows().filter(pk=pk))[0]

    def rows(self):
        return selectors.request_queue_rows(membership=self.membership)

    def get(self, request, pk):
        fund_request = get_object_or_404(self.rows(), pk=pk)
        context = {"fund_request": fund_request, "action": self.action, "action_url": request.path}
        if wants_partial(request):
            context["in_row"] = True
            return render_fragment(
                request, "incentives/console/request_queue.html", "decide", context
            )
        title = fund_request.title
        context["heading"] = (
            f"Reject {title}" if self.action == "reject" else f"Approve part of {title}"
        )
        return vary_on_htmx(render(request, "incentives/console/request_decision.html", context))

    def perform(self, obj, form):
        services.fund_request_approve(
            request=obj,
            acting_membership=self.membership,
            amount=form.cleaned_data.get("amount"),
            reason=form.cleaned_data.get("reason") or "",
        )


class RequestRejectView(RequestApproveView):
    form_class = RejectForm
    action = "reject"

    def perform(self, obj, form):
        services.fund_request_reject(
            request=obj, acting_membership=self.membership, reason=form.cleaned_data["reason"]
        )


class ClaimApproveView(DecisionView):
    model = FundClaim
    template_row = "incentives/console/claim_queue.html#row"
    row_name = "claim"
    queue_url = "incentives:claim_queue"

    def perform(self, obj, form):
        services.fund_claim_approve(
            claim=obj, acting_membership=self.membership, amount=form.cleaned_data.get("amount")
        )


class ClaimRejectView(ClaimApproveView):
    form_class = RejectForm

    def perform(self, obj, form):
        services.fund_claim_reject(
            claim=obj, acting_membership=self.membership, reason=form.cleaned_data["reason"]
        )


# ---------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------


class StatementListView(StaffRequiredMixin, ListView):
    template_name = "incentives/console/statement_list.html"
    context_object_name = "statements"
    paginate_by = 50

    def get_queryset(self):
        queryset = Statement.objects.select_related("organization").order_by(
            "-period_start", "organization__name"
        )
        status = self.request.GET.get("status")
        if status in StatementStatus.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["generate_form"] = GenerateStatementsForm(initial={"unit": PeriodUnit.MONTH})
        context["statuses"] = StatementStatus.choices
        return context

    def post(self, request):
        form = GenerateStatementsForm(request.POST)
        if form.is_valid():
            try:
                count = services.statements_generate(
                    unit=form.cleaned_data["period_unit"], day=form.cleaned_data["day"]
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, f"{count} draft statement(s) drawn up.")
        else:
            messages.error(request, "Choose a period type and a day of the period.")
        return redirect("incentives:statement_list")


class ConsoleStatementView(StaffRequiredMixin, View):
    def get_statement(self, pk):
        return get_object_or_404(Statement.objects.select_related("organization"), pk=pk)

    def get(self, request, pk):
        statement = self.get_statement(pk)
        return render(
            request,
            "incentives/statement.html",
            {
                "statement": statement,
                "entries": services.statement_entries(statement=statement),
                "period": statement_period(statement),
                "back_url": "incentives:statement_list",
                "console": True,
            },
        )

    def post(self, request, pk):
        statement = self.get_statement(pk)
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.statement_approve(statement=statement, acting_membership=self.membership)
                messages.success(request, "Statement approved; the partner can see it now.")
            elif action == "release":
                services.statement_release(statement=statement, acting_membership=self.membership)
                messages.success(request, "Statement released for payment.")
            else:
                messages.error(request, "Unknown action.")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect("incentives:console_statement_detail", pk=statement.pk)


# ---------------------------------------------------------------------------------------
# Payout batches
# ---------------------------------------------------------------------------------------


class BatchListView(StaffRequiredMixin, ListView):
    """Batches, and the payables waiting for one (select and create)."""

    template_name = "incentives/console/batch_list.html"
    context_object_name = "batches"
    paginate_by = 50

    def get_queryset(self):
        return PayoutBatch.objects.select_related("created_by").order_by("-created_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statements, claims = services.payables()
        context["payable_statements"] = list(statements.order_by("organization__name")[:200])
        context["payable_claims"] = list(claims.order_by("organization__name")[:200])
        return context

    def post(self, request):
        try:
            batch = services.payout_batch_create(
                acting_membership=self.membership,
                statement_ids=_ids(request.POST.getlist("statement")),
                claim_ids=_ids(request.POST.getlist("claim")),
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("incentives:batch_list")
        messages.success(request, f"Batch {batch.reference} created.")
        return redirect("incentives:batch_detail", pk=batch.pk)


class BatchMixin:
    def get_batch(self, pk) -> PayoutBatch:
        return get_object_or_404(PayoutBatch.objects.all(), pk=pk)

    def lines(self, batch):
        return batch.lines.select_related("organization", "statement", "claim__request").order_by(
            "organization__name"
        )


class BatchDetailView(StaffRequiredMixin, BatchMixin, View):
    def get(self, request, pk):
        batch = self.get_batch(pk)
        return render(
            request,
            "incentives/console/batch_detail.html",
            {"batch": batch, "lines": self.lines(batch), "form": MarkPaidForm()},
        )

    def post(self, request, pk):
        """Mark the batch paid (once)."""
        batch = self.get_batch(pk)
        form = MarkPaidForm(request.POST)
        form.is_valid()
        try:
            services.payout_batch_mark_paid(
                batch=batch,
                acting_membership=self.membership,
                payment_reference=form.cleaned_data.get("payment_reference", ""),
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"Batch {batch.reference} marked paid.")
        return redirect("incentives:batch_detail", pk=batch.pk)


class BatchExportView(StaffRequiredMixin, BatchMixin, View):
    """The batch as CSV for the payables system."""

    def get(self, request, pk):
        batch = self.get_batch(pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
        writer = csv.writer(response)
        writer.writerow(["batch", "partner", "payable", "reference", "amount", "currency"])
        for line in self.lines(batch):
            if line.statement_id:
                payable = ("statement", statement_period(line.statement))
            else:
                payable = ("fund claim", line.claim.request.title)
            writer.writerow(
                [
                    batch.reference,
                    csv_cell(line.organization.name),
                    payable[0],
                    csv_cell(payable[1]),
                    line.amount,
                    line.currency,
                ]
            )
        return response


# ---------------------------------------------------------------------------------------
# Funds: budgets, allocations, utilisation
# ---------------------------------------------------------------------------------------


class FundListView(StaffRequiredMixin, ListView):
    template_name = "incentives/console/fund_list.html"
    context_object_name = "funds"
    paginate_by = 50
    method_roles = {"POST": ADMIN_ONLY}

    def get_queryset(self):
        return selectors.funds_with_utilisation()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or FundForm(
            initial={"currency": self.request.tenant.currency}
        )
        return context

    def post(self, request):
        form = FundForm(request.POST)
        if form.is_valid():
            try:
                fund = services.fund_save(fund=form.save(commit=False))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Fund {fund.name} created.")
                return redirect("incentives:fund_detail", pk=fund.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class FundDetailView(StaffRequiredMixin, View):
    """One fund: utilisation per partner, allocate by hand or from the tier benefit."""

    method_roles = {"POST": ADMIN_ONLY}

    def get_fund(self, pk):
        return get_object_or_404(Fund.objects.all(), pk=pk)

    def render_page(self, fund, form=None, status=200):
        return render(
            self.request,
            "incentives/console/fund_detail.html",
            {
                "fund": fund,
                "allocations": selectors.allocations_with_utilisation(fund=fund),
                "form": form or AllocationForm(),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(self.get_fund(pk))

    def post(self, request, pk):
        fund = self.get_fund(pk)
        if request.POST.get("action") == "from_tiers":
            try:
                created, skipped = services.allocations_from_tier_benefit(
                    fund=fund, acting_membership=self.membership
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, f"{len(created)} allocation(s) made from tier benefits.")
                for line in skipped[:10]:
                    messages.warning(request, line)
            return redirect("incentives:fund_detail", pk=fund.pk)
        form = AllocationForm(request.POST)
        if form.is_valid():
            try:
                services.allocation_set(
                    fund=fund,
                    organization=form.cleaned_data["organization"],
                    amount=form.cleaned_data["amount"],
                    acting_membership=self.membership,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Allocation saved.")
                return redirect("incentives:fund_detail", pk=fund.pk)
        return self.render_page(self.get_fund(pk), form=form, status=400)


class LeaderboardView(StaffRequiredMixin, View):
    def get(self, request):
        start, end = selectors.current_quarter()
        return render(
            request,
            "incentives/console/leaderboard.html",
            {
                "rows": services.leaderboard(start=start, end_exclusive=end),
                "quarter_label": services.period_label(start, PeriodUnit.QUARTER),
            },
        )
