"""The deal page (portal and console) and the actions posted from it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from prm.core.htmx import render_fragment, vary_on_htmx, wants_partial
from prm.core.views import (
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from .. import selectors, services
from ..choices import DealStatus, ExtensionStatus
from ..forms import (
    CloseForm,
    CommentForm,
    DealPartnerFormSet,
    ExtensionDecideForm,
    ExtensionRequestForm,
    InfoRequestForm,
    RejectForm,
    ReopenForm,
    SalesRepForm,
    StageForm,
)
from ..models import (
    Deal,
    DealComment,
    DealConflict,
    DealLine,
    DealPartner,
    DealTransition,
    MotionStage,
    ProtectionExtension,
)
from ._common import PartnerDealMixin, _error_text


class DealDetailMixin(ScopedQuerysetMixin):
    """One deal page for both sides; the template shows what the member's side may do."""

    model = Deal
    template_name = "deals/deal_detail.html"

    def get_queryset(self):
        if self.request.method in ("GET", "HEAD"):
            return Deal.objects.readable_by(self.request.membership)
        return super().get_queryset()

    def get_deal(self, pk):
        # Four joins, not seven: under row-level security each joined table adds its
        # policy, and planning the seven-way join took longer (6 ms) than running it.
        # The sales rep comes by primary key; what the page does not show (the
        # submitter, the partner's channel manager) loads only if an action reads it.
        return get_object_or_404(
            self.get_queryset()
            .select_related("organization", "organization__tier", "motion", "stage")
            .prefetch_related("vendor_sales_rep"),
            pk=pk,
        )

    def get(self, request, pk):
        deal = self.get_deal(pk)
        return render(request, self.template_name, self.context(deal))

    def context(self, deal, **extra):
        membership = self.request.membership
        staff = membership.is_staff_role
        # A co-partner of a multi-partner deal reads it, with its role and split; it acts
        # on nothing (every action view looks the deal up by `visible_to`).
        own_organization_id = membership.partner_organization_id
        read_only = not staff and deal.organization_id != own_organization_id
        stages = list(MotionStage.objects.filter(motion_id=deal.motion_id).order_by("position"))
        comments = list(
            DealComment.objects.readable_by(membership).filter(deal=deal).select_related("author")
        )
        transitions = list(
            DealTransition.objects.readable_by(membership).filter(deal=deal).select_related("actor")
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
        may_move = not read_only and services.deal_stage_may_move(
            deal=deal, acting_membership=membership
        )
        participants = list(
            DealPartner.objects.readable_by(membership)
            .filter(deal=deal)
            .select_related("organization")
        )
        context = {
            "deal": deal,
            "staff": staff,
            "lines": DealLine.objects.filter(deal=deal).select_related("product"),
            "participants": participants,
            "read_only": read_only,
            "my_part": next(
                (
                    p
                    for p in participants
                    if p.organization_id == membership.partner_organization_id
                ),
                None,
            )
            if read_only
            else None,
            "stages": stages,
            "timeline": timeline,
            "extensions": extensions,
            "pending_extension": next(
                (e for e in extensions if e.status == ExtensionStatus.PENDING), None
            ),
            "comment_form": None if read_only else CommentForm(staff=staff),
            "stage_form": StageForm(deal=deal, stages=stages) if may_move else None,
            "close_form": CloseForm()
            if deal.status == DealStatus.APPROVED and not read_only
            else None,
            "reopen_form": ReopenForm()
            if services.deal_may_reopen(deal=deal, acting_membership=membership)
            else None,
            "extension_form": ExtensionRequestForm()
            if deal.status == DealStatus.APPROVED and not staff and not read_only
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
                                "organization": p.organization,
                                "role": p.role,
                                "split_percent": p.split_percent,
                            }
                            for p in context["participants"]
                        ],
                    ),
                    "extension_decide_form": ExtensionDecideForm(),
                    "audit_trail": selectors.deal_audit_trail(deal=deal, stages=stages),
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
        if request.htmx and request.POST.get("from") == "queue":
            from .review import queue_rows

            sla_days = request.tenant.deal_review_sla_days
            row = selectors.review_queue_rows(membership=request.membership).filter(pk=deal.pk)
            return render_fragment(
                request,
                "deals/console/review_queue.html",
                "row",
                {
                    "deal": queue_rows(row, sla_days=sla_days)[0],
                    "row_error": error,
                    "sla_days": sla_days,
                },
            )
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
        services.deal_submit(deal=deal, acting_membership=self.request.membership)


class ApproveView(StaffRequiredMixin, DealActionView):
    success_message = "Approved."

    def perform(self, deal, form):
        services.deal_approve(deal=deal, acting_membership=self.request.membership)


class QueueDecisionMixin:
    """GET: the decision's form for one review-queue row, fetched by htmx when the channel
    manager opens it (the queue renders no form per row); without htmx, the deal page's
    review section, which has the same form."""

    queue_action = ""

    def get(self, request, pk):
        deal = self.get_deal(pk)
        if not wants_partial(request):
            url = reverse("deals:console_deal_detail", kwargs={"pk": deal.pk})
            return vary_on_htmx(redirect(f"{url}#review-title"))
        return render_fragment(
            request,
            "deals/console/review_queue.html",
            "decide",
            {
                "deal": deal,
                "action": self.queue_action,
                "action_url": request.path,
                "codes": RejectForm.base_fields["code"].choices,
            },
        )


class RejectView(StaffRequiredMixin, QueueDecisionMixin, DealActionView):
    form_class = RejectForm
    success_message = "Rejected."
    queue_action = "reject"

    def perform(self, deal, form):
        services.deal_reject(
            deal=deal,
            acting_membership=self.request.membership,
            reason=form.cleaned_data["reason"],
            code=form.cleaned_data["code"],
        )


class RequestInfoView(StaffRequiredMixin, QueueDecisionMixin, DealActionView):
    form_class = InfoRequestForm
    success_message = "Sent back to the partner for more information."
    queue_action = "request_info"

    def perform(self, deal, form):
        services.deal_request_info(
            deal=deal,
            acting_membership=self.request.membership,
            message=form.cleaned_data["message"],
        )


class CommentView(DealActionView):
    form_class = CommentForm
    success_message = "Comment added."

    def form_kwargs(self, deal):
        return {"staff": self.request.membership.is_staff_role}

    def perform(self, deal, form):
        services.deal_comment_add(
            deal=deal,
            acting_membership=self.request.membership,
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
            acting_membership=self.request.membership,
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
            acting_membership=self.request.membership,
            won=form.cleaned_data["outcome"] == "won",
            closed_on=form.cleaned_data["closed_on"],
            final_amount=form.cleaned_data.get("final_amount"),
        )


class PortalCloseView(PartnerDealMixin, CloseView):
    pass


class ConsoleCloseView(StaffRequiredMixin, CloseView):
    pass


class ConsoleReopenView(StaffRequiredMixin, DealActionView):
    form_class = ReopenForm
    success_message = "Deal reopened."

    def perform(self, deal, form):
        services.deal_reopen(
            deal=deal, acting_membership=self.request.membership, reason=form.cleaned_data["reason"]
        )


class ExtensionRequestView(PartnerDealMixin, DealActionView):
    form_class = ExtensionRequestForm
    success_message = "Extension requested: your channel manager will decide."

    def perform(self, deal, form):
        services.extension_request(
            deal=deal,
            acting_membership=self.request.membership,
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
        )


class SalesRepView(StaffRequiredMixin, DealActionView):
    form_class = SalesRepForm
    success_message = "Sales rep updated."

    def perform(self, deal, form):
        services.deal_sales_rep_assign(
            deal=deal, acting_membership=self.request.membership, rep=form.cleaned_data["rep"]
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
        services.deal_partners_set(
            deal=deal, acting_membership=self.request.membership, participants=participants
        )


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
                    acting_membership=request.membership,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                )
                messages.success(request, "Extension decided.")
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
        else:
            messages.error(request, "Choose approve or decline.")
        return redirect("deals:console_deal_detail", pk=extension.deal_id)
