"""Deal pages: the partner portal (/portal/...) and the vendor console (/manage/...).

Views are thin: they fetch through the scoped queryset (another tenant's or partner's
id is a 404), validate a form and call a service. Service refusals (ValidationError,
PermissionDenied) come back as messages on the page, never as a 500.
"""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView
from django_htmx.http import HttpResponseClientRedirect

from prm.core.forms import add_service_errors
from prm.core.text import csv_cell
from prm.core.views import (
    AdminRequiredMixin,
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
    TenantMemberRequiredMixin,
)
from prm.tenancy.context import tenant_context

from . import selectors, services
from .choices import DealStatus, ExtensionStatus, LeadStatus, OfferStatus, StageOwner
from .filtersets import (
    ConflictFilterSet,
    DealFilterSet,
    LeadFilterSet,
    ProductFilterSet,
    ReviewQueueFilterSet,
)
from .forms import (
    CloseForm,
    CommentForm,
    ConflictResolveForm,
    DealForm,
    DealLineFormSet,
    DealPartnerFormSet,
    DealSettingsForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    InfoRequestForm,
    LeadAssignForm,
    LeadDeclineForm,
    LeadForm,
    LeadImportForm,
    MotionForm,
    MotionStageForm,
    ProductForm,
    RejectForm,
    RoutingRuleForm,
    SalesRepForm,
    StageForm,
)
from .models import (
    Deal,
    DealComment,
    DealConflict,
    DealLine,
    DealPartner,
    DealTransition,
    Lead,
    LeadOffer,
    Motion,
    MotionStage,
    Product,
    ProtectionExtension,
    RoutingRule,
)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You cannot do this."


class PartnerObjectMixin:
    """Partner pages of one object: any member may ask, the scoped lookup decides.

    Another tenant's or another partner's id is a 404 for everyone (before any role
    check, so a refusal never confirms that the id exists); staff are sent to the
    console's page of the same object.
    """

    console_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        obj = get_object_or_404(self.model.objects.visible_to(request.membership), pk=kwargs["pk"])
        if request.membership.is_staff_role:
            if request.method == "GET" and self.console_url_name:
                return redirect(self.console_url_name, pk=obj.pk)
            raise PermissionDenied("This page is for partner users.")
        return super().dispatch(request, *args, **kwargs)


class PartnerDealMixin(TenantMemberRequiredMixin, PartnerObjectMixin):
    model = Deal
    console_url_name = "deals:console_deal_detail"


class FilteredListMixin:
    """A ListView whose rows go through a FilterSet (the same one the API uses)."""

    filterset_class = None
    paginate_by = 50

    def filter_queryset(self, queryset):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        return self.filterset.qs if self.filterset.is_bound else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


# ---------------------------------------------------------------------------------------
# Partner portal: my deals
# ---------------------------------------------------------------------------------------


class PortalDealListView(PartnerRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    """My deals: filters, search, and the pipeline by stage."""

    model = Deal
    template_name = "deals/portal_deal_list.html"
    context_object_name = "deals"
    filterset_class = DealFilterSet

    def get_queryset(self):
        base = super().get_queryset()
        self.base_queryset = base
        return self.filter_queryset(base.with_list_relations().order_by("-number"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pipeline"] = selectors.deal_pipeline(queryset=self.base_queryset)
        context["counts"] = selectors.deal_status_counts(queryset=self.base_queryset)
        context["filter"].form.fields.pop("organization", None)
        return context


class DealFormMixin:
    def organization(self):
        return self.request.membership.partner_organization

    def render_form(self, form, formset, deal=None):
        return render(
            self.request,
            "deals/deal_form.html",
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
                user=request.user,
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
                user=request.user,
                motion=form.cleaned_data["motion"],
                data=data,
                lines=formset.lines(),
            )
            if "submit" in request.POST:
                deal = services.deal_submit(deal=deal, user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_form(form, formset, deal)
        messages.success(
            request,
            f"{deal.reference} submitted." if deal.status == DealStatus.SUBMITTED else "Saved.",
        )
        return redirect("deals:portal_deal_detail", pk=deal.pk)


class DealDetailMixin(ScopedQuerysetMixin):
    """One deal page for both sides; the template shows what the member's side may do."""

    model = Deal
    template_name = "deals/deal_detail.html"

    def get_deal(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related(
                "organization",
                "organization__tier",
                "organization__channel_manager",
                "motion",
                "stage",
                "vendor_sales_rep",
                "submitted_by",
            ),
            pk=pk,
        )

    def get(self, request, pk):
        deal = self.get_deal(pk)
        return render(request, self.template_name, self.context(deal))

    def context(self, deal, **extra):
        membership = self.request.membership
        staff = membership.is_staff_role
        stages = list(MotionStage.objects.filter(motion_id=deal.motion_id).order_by("position"))
        comments = list(
            DealComment.objects.visible_to(membership).filter(deal=deal).select_related("author")
        )
        transitions = list(
            DealTransition.objects.visible_to(membership).filter(deal=deal).select_related("actor")
        )
        timeline = sorted(
            [("transition", t.created_at, t) for t in transitions]
            + [("comment", c.created_at, c) for c in comments],
            key=lambda row: row[1],
        )
        extensions = list(
            ProtectionExtension.objects.visible_to(membership)
            .filter(deal=deal)
            .select_related("requested_by", "decided_by")
        )
        may_move = services.deal_stage_may_move(deal=deal, membership=membership)
        context = {
            "deal": deal,
            "staff": staff,
            "lines": DealLine.objects.filter(deal=deal).select_related("product"),
            "participants": DealPartner.objects.visible_to(membership)
            .filter(deal=deal)
            .select_related("organization"),
            "stages": stages,
            "timeline": timeline,
            "extensions": extensions,
            "pending_extension": next(
                (e for e in extensions if e.status == ExtensionStatus.PENDING), None
            ),
            "comment_form": CommentForm(staff=staff),
            "stage_form": StageForm(deal=deal) if may_move else None,
            "close_form": CloseForm() if deal.status == DealStatus.APPROVED else None,
            "extension_form": ExtensionRequestForm()
            if deal.status == DealStatus.APPROVED and not staff
            else None,
            "today": timezone.localdate(),
        }
        if staff:
            context.update(
                {
                    "reject_form": RejectForm(),
                    "info_form": InfoRequestForm(),
                    "sales_rep_form": SalesRepForm(initial={"rep": deal.vendor_sales_rep_id}),
                    "partners_formset": DealPartnerFormSet(
                        prefix="partners",
                        initial=[
                            {
                                "organization": p.organization_id,
                                "role": p.role,
                                "split_percent": p.split_percent,
                            }
                            for p in context["participants"]
                        ],
                    ),
                    "extension_decide_form": ExtensionDecideForm(),
                    "audit_trail": selectors.deal_audit_trail(deal=deal),
                    "conflicts": DealConflict.objects.involving(deal)
                    .select_related("deal", "other_deal", "deal__organization")
                    .order_by("-created_at"),
                }
            )
        context.update(extra)
        return context


class PortalDealDetailView(PartnerDealMixin, DealDetailMixin, View):
    pass


class ConsoleDealDetailView(StaffRequiredMixin, DealDetailMixin, View):
    pass


class DealActionView(DealDetailMixin, View):
    """POST-only: validate a form, call a service, come back to the deal page.

    htmx requests from the review queue get the queue row back instead.
    """

    form_class = None
    success_message = "Done."

    def form_kwargs(self, deal):
        return {}

    def perform(self, deal, form):
        raise NotImplementedError

    def post(self, request, pk):
        deal = self.get_deal(pk)
        form = self.form_class(request.POST, **self.form_kwargs(deal)) if self.form_class else None
        error = None
        if form is not None and not form.is_valid():
            error = "; ".join(
                f"{form.fields[f].label or f}: {' '.join(e)}" if f in form.fields else " ".join(e)
                for f, e in form.errors.items()
            )
        else:
            try:
                self.perform(deal, form)
            except (ValidationError, PermissionDenied) as exc:
                error = _error_text(exc)
        deal = self.get_deal(pk)
        if request.htmx and request.POST.get("from") == "queue":
            response = render(
                request,
                "deals/review_queue.html#row",
                {
                    "deal": deal,
                    "row_error": error,
                    "row_done": None if error else self.success_message,
                    "reject_form": RejectForm(),
                    "info_form": InfoRequestForm(),
                    "sla_days": request.tenant.deal_review_sla_days,
                    "now": timezone.now(),
                },
            )
            return response
        if error:
            messages.error(request, error)
        else:
            messages.success(request, self.success_message)
        name = (
            "deals:console_deal_detail"
            if request.membership.is_staff_role
            else "deals:portal_deal_detail"
        )
        return redirect(name, pk=deal.pk)


class PortalDealSubmitView(PartnerDealMixin, DealActionView):
    success_message = "Submitted for review."

    def perform(self, deal, form):
        services.deal_submit(deal=deal, user=self.request.user)


class ApproveView(StaffRequiredMixin, DealActionView):
    success_message = "Approved."

    def perform(self, deal, form):
        services.deal_approve(deal=deal, user=self.request.user)


class RejectView(StaffRequiredMixin, DealActionView):
    form_class = RejectForm
    success_message = "Rejected."

    def perform(self, deal, form):
        services.deal_reject(
            deal=deal,
            user=self.request.user,
            reason=form.cleaned_data["reason"],
            code=form.cleaned_data["code"],
        )


class RequestInfoView(StaffRequiredMixin, DealActionView):
    form_class = InfoRequestForm
    success_message = "Sent back to the partner for more information."

    def perform(self, deal, form):
        services.deal_request_info(
            deal=deal, user=self.request.user, message=form.cleaned_data["message"]
        )


class CommentView(DealActionView):
    form_class = CommentForm
    success_message = "Comment added."

    def form_kwargs(self, deal):
        return {"staff": self.request.membership.is_staff_role}

    def perform(self, deal, form):
        services.deal_comment_add(
            deal=deal,
            membership=self.request.membership,
            body=form.cleaned_data["body"],
            is_internal=form.cleaned_data.get("is_internal", False),
        )


class PortalCommentView(PartnerDealMixin, CommentView):
    pass


class ConsoleCommentView(StaffRequiredMixin, CommentView):
    pass


class StageView(DealActionView):
    form_class = StageForm
    success_message = "Stage updated."

    def form_kwargs(self, deal):
        return {"deal": deal}

    def perform(self, deal, form):
        services.deal_stage_change(
            deal=deal,
            membership=self.request.membership,
            stage=form.cleaned_data["stage"],
            note=form.cleaned_data.get("note", ""),
        )


class PortalStageView(PartnerDealMixin, StageView):
    pass


class ConsoleStageView(StaffRequiredMixin, StageView):
    pass


class CloseView(DealActionView):
    form_class = CloseForm
    success_message = "Outcome recorded."

    def perform(self, deal, form):
        services.deal_close(
            deal=deal,
            membership=self.request.membership,
            won=form.cleaned_data["outcome"] == "won",
            closed_on=form.cleaned_data["closed_on"],
            final_amount=form.cleaned_data.get("final_amount"),
        )


class PortalCloseView(PartnerDealMixin, CloseView):
    pass


class ConsoleCloseView(StaffRequiredMixin, CloseView):
    pass


class ExtensionRequestView(PartnerDealMixin, DealActionView):
    form_class = ExtensionRequestForm
    success_message = "Extension requested: your channel manager will decide."

    def perform(self, deal, form):
        services.extension_request(
            deal=deal,
            user=self.request.user,
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
        )


class SalesRepView(StaffRequiredMixin, DealActionView):
    form_class = SalesRepForm
    success_message = "Sales rep updated."

    def perform(self, deal, form):
        services.deal_sales_rep_assign(
            deal=deal, user=self.request.user, rep=form.cleaned_data["rep"]
        )


class DealPartnersView(StaffRequiredMixin, DealActionView):
    success_message = "Partners and splits saved."

    def perform(self, deal, form):
        formset = DealPartnerFormSet(self.request.POST, prefix="partners")
        if not formset.is_valid():
            raise ValidationError("Check the partners: each needs a role and a split.")
        participants = [
            (
                f.cleaned_data["organization"],
                f.cleaned_data["role"],
                f.cleaned_data["split_percent"],
            )
            for f in formset.forms
            if f.cleaned_data.get("organization")
        ]
        if any(split is None for _o, _r, split in participants):
            raise ValidationError("Give each partner a split.")
        services.deal_partners_set(deal=deal, user=self.request.user, participants=participants)


class ExtensionDecideView(StaffRequiredMixin, View):
    def post(self, request, pk):
        extension = get_object_or_404(
            ProtectionExtension.objects.visible_to(request.membership).select_related("deal"), pk=pk
        )
        form = ExtensionDecideForm(request.POST)
        if form.is_valid():
            try:
                services.extension_decide(
                    extension=extension,
                    user=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                )
                messages.success(request, "Extension decided.")
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
        else:
            messages.error(request, "Choose approve or decline.")
        return redirect("deals:console_deal_detail", pk=extension.deal_id)


# ---------------------------------------------------------------------------------------
# Console: all deals, review queue, export
# ---------------------------------------------------------------------------------------


class ConsoleDealListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Deal
    template_name = "deals/console_deal_list.html"
    context_object_name = "deals"
    filterset_class = DealFilterSet

    def get_queryset(self):
        return self.filter_queryset(
            super().get_queryset().with_list_relations().order_by("-number")
        )


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
                            deal.amount,
                            deal.submitted_at.isoformat() if deal.submitted_at else "",
                            deal.approved_at.isoformat() if deal.approved_at else "",
                            deal.protection_expires_on or "",
                            deal.expected_close_date,
                            deal.closed_on or "",
                            deal.final_amount if deal.final_amount is not None else "",
                        )
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="deals.csv"'
        return response


class ReviewQueueView(StaffRequiredMixin, FilteredListMixin, ListView):
    """Registrations waiting for review: filters, age, SLA badges, inline decisions."""

    template_name = "deals/review_queue.html"
    context_object_name = "deals"
    filterset_class = ReviewQueueFilterSet

    def get_queryset(self):
        return self.filter_queryset(selectors.review_queue(membership=self.request.membership))

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["deals/review_queue.html#queue"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            reject_form=RejectForm(),
            info_form=InfoRequestForm(),
            sla_days=self.request.tenant.deal_review_sla_days,
            now=timezone.now(),
        )
        for name in ("submitted_after", "submitted_before", "stage"):
            context["filter"].form.fields.pop(name, None)
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
            approved, skipped = services.deals_bulk_approve(deals=deals, user=request.user)
            if approved:
                messages.success(request, f"{len(approved)} registration(s) approved.")
            for reference, reason in skipped.items():
                messages.warning(request, f"{reference} not approved: {reason}")
        url = reverse("deals:review_queue")
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)


# ---------------------------------------------------------------------------------------
# Conflicts
# ---------------------------------------------------------------------------------------


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
                    user=request.user,
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


# ---------------------------------------------------------------------------------------
# Leads
# ---------------------------------------------------------------------------------------


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
                    user=request.user, motion=motion, product=product, data=data
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
                    user=request.user,
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
                services.lead_close(lead=lead, user=request.user)
                messages.success(request, "Lead closed.")
            elif request.POST.get("action") == "route":
                offer = services.lead_route(lead=lead, actor=request.user)
                if offer:
                    messages.success(request, f"Offered to {offer.organization}.")
                else:
                    messages.warning(request, "No routing rule found a partner.")
            else:
                form = LeadAssignForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Choose a partner.")
                offer = services.lead_assign(
                    lead=lead, organization=form.cleaned_data["organization"], user=request.user
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
                deal = services.lead_accept(lead=lead, membership=request.membership)
                messages.success(request, f"Lead accepted: {deal.reference} is approved.")
                return redirect("deals:portal_deal_detail", pk=deal.pk)
            form = LeadDeclineForm(request.POST)
            if not form.is_valid():
                return self.get(request, pk, form=form)
            services.lead_decline(
                lead=lead, membership=request.membership, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "Lead declined.")
            return redirect("deals:portal_lead_list")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("deals:portal_lead_list")


# ---------------------------------------------------------------------------------------
# Configuration: motions, products, routing rules, settings (admins)
# ---------------------------------------------------------------------------------------


class MotionListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Motion
    template_name = "deals/motion_list.html"
    context_object_name = "motions"
    paginate_by = 50

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                stage_count=Count("stages", distinct=True),
                open_deals=Count(
                    "deals", filter=Q(deals__status=DealStatus.APPROVED), distinct=True
                ),
            )
            .order_by("-is_active", "name")
        )


class MotionCreateView(AdminRequiredMixin, View):
    def get(self, request):
        return render(request, "deals/motion_form.html", {"form": MotionForm()})

    def post(self, request):
        form = MotionForm(request.POST)
        if form.is_valid():
            try:
                motion = services.motion_save(
                    motion=form.save(commit=False), partner_types=form.cleaned_data["partner_types"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{motion.name} created: now add its stages.")
                return redirect("deals:motion_detail", pk=motion.pk)
        return render(request, "deals/motion_form.html", {"form": form})


class MotionDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """A motion, its stages in order; admins edit it, add stages, retire it."""

    model = Motion

    def page(self, motion, form=None, stage_form=None):
        return render(
            self.request,
            "deals/motion_detail.html",
            {
                "motion": motion,
                "stages": MotionStage.objects.filter(motion=motion).order_by("position"),
                "form": form or MotionForm(instance=motion),
                "stage_form": stage_form or MotionStageForm(),
                "owner_choices": StageOwner.choices,
                "partner_types": [
                    link.partner_type for link in motion.type_links.select_related("partner_type")
                ],
            },
        )

    def get(self, request, pk):
        return self.page(get_object_or_404(self.get_queryset(), pk=pk))

    def post(self, request, pk):
        if not request.membership.is_admin:
            raise PermissionDenied("Only program admins change motions.")
        motion = get_object_or_404(self.get_queryset(), pk=pk)
        action = request.POST.get("action")
        if action in ("retire", "reactivate"):
            services.motion_retire(motion=motion, active=action == "reactivate")
            messages.success(
                request,
                f"{motion.name} retired: its deals keep their stages."
                if action == "retire"
                else f"{motion.name} is active again.",
            )
            return redirect("deals:motion_detail", pk=motion.pk)
        if action == "stage":
            stage_form = MotionStageForm(request.POST)
            if stage_form.is_valid():
                try:
                    services.motion_stage_add(motion=motion, **stage_form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(stage_form, exc)
                else:
                    messages.success(request, "Stage added.")
                    return redirect("deals:motion_detail", pk=motion.pk)
            return self.page(motion, stage_form=stage_form)
        if action == "stage_update":
            stage = get_object_or_404(
                MotionStage.objects.filter(motion=motion), pk=request.POST.get("stage")
            )
            stage_form = MotionStageForm(request.POST)
            if stage_form.is_valid():
                try:
                    services.motion_stage_update(stage=stage, **stage_form.cleaned_data)
                    messages.success(request, f"Stage “{stage.name}” saved.")
                except ValidationError as exc:
                    messages.error(request, _error_text(exc))
            else:
                messages.error(request, "Check the stage: a name, an owner and an SLA in days.")
            return redirect("deals:motion_detail", pk=motion.pk)
        form = MotionForm(request.POST, instance=motion)
        if form.is_valid():
            try:
                services.motion_save(
                    motion=form.save(commit=False), partner_types=form.cleaned_data["partner_types"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Motion saved.")
                return redirect("deals:motion_detail", pk=motion.pk)
        return self.page(motion, form=form)


class ProductListView(StaffRequiredMixin, ScopedQuerysetMixin, FilteredListMixin, ListView):
    model = Product
    template_name = "deals/product_list.html"
    context_object_name = "products"
    filterset_class = ProductFilterSet

    def get_queryset(self):
        return self.filter_queryset(super().get_queryset())


class ProductFormView(AdminRequiredMixin, ScopedQuerysetMixin, View):
    model = Product

    def get_product(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else Product()

    def get(self, request, pk=None):
        product = self.get_product(pk)
        return render(
            request,
            "deals/product_form.html",
            {"form": ProductForm(instance=product), "product": product},
        )

    def post(self, request, pk=None):
        product = self.get_product(pk)
        form = ProductForm(request.POST, instance=product)
        if form.is_valid():
            try:
                services.product_save(product=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Product saved.")
                return redirect("deals:product_list")
        return render(request, "deals/product_form.html", {"form": form, "product": product})


class RoutingRuleListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = RoutingRule
    template_name = "deals/routing_rule_list.html"
    context_object_name = "rules"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("partner_type", "min_tier", "product")


class RoutingRuleFormView(AdminRequiredMixin, ScopedQuerysetMixin, View):
    model = RoutingRule

    def get_rule(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else RoutingRule()

    def get(self, request, pk=None):
        rule = self.get_rule(pk)
        return render(
            request,
            "deals/routing_rule_form.html",
            {"form": RoutingRuleForm(instance=rule), "rule": rule},
        )

    def post(self, request, pk=None):
        rule = self.get_rule(pk)
        form = RoutingRuleForm(request.POST, instance=rule)
        if form.is_valid():
            form.save()
            messages.success(request, "Routing rule saved.")
            return redirect("deals:routing_rule_list")
        return render(request, "deals/routing_rule_form.html", {"form": form, "rule": rule})


class DealSettingsView(AdminRequiredMixin, View):
    def get(self, request):
        form = DealSettingsForm(instance=selectors.deal_settings_get())
        return render(request, "deals/settings.html", {"form": form})

    def post(self, request):
        form = DealSettingsForm(request.POST, instance=selectors.deal_settings_get())
        if form.is_valid():
            form.save()
            messages.success(request, "Deal settings saved.")
            return redirect("deals:settings")
        return render(request, "deals/settings.html", {"form": form})
