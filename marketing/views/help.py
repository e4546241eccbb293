"""Help request pages: partner users ask and follow up; the vendor answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.uploads import serve
from prm.core.views import (
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
    TenantMemberRequiredMixin,
)

from .. import services
from ..choices import HelpStatus
from ..filtersets import HelpRequestFilterSet
from ..forms import HelpRatingForm, HelpReplyForm, HelpRequestForm
from ..models import HelpRequest
from .common import PartnerObjectMixin


class HelpListMixin(ScopedQuerysetMixin):
    model = HelpRequest
    context_object_name = "requests"
    paginate_by = 50

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .select_related("organization", "requester", "assignee")
            .order_by("-created_at")
        )
        self.filterset = HelpRequestFilterSet(
            self.request.GET, queryset=queryset, request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class PortalHelpListView(PartnerRequiredMixin, HelpListMixin, ListView):
    """The organization's help requests, and a form to ask a new one."""

    template_name = "marketing/portal/help_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", HelpRequestForm())
        return context

    def post(self, request):
        form = HelpRequestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                help_request = services.help_request_create(
                    acting_membership=self.membership, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Sent: your channel manager will answer.")
                return redirect("marketing:portal_help_detail", pk=help_request.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class HelpDetailMixin:
    """The thread of one request, and the forms of who is looking."""

    template_name = "marketing/help_detail.html"

    def get_request(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related("organization", "requester", "assignee"), pk=pk
        )

    def render_page(self, help_request, *, reply_form=None, rating_form=None, status=200):
        context = {
            "help_request": help_request,
            "replies": help_request.replies.select_related("author"),
            "reply_form": reply_form or HelpReplyForm(),
            "rating_form": rating_form
            or HelpRatingForm(
                initial={"rating": help_request.rating, "comment": help_request.rating_comment}
            ),
            "staff": self.membership.is_staff_role,
            "is_resolved": help_request.status == HelpStatus.RESOLVED,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page(self.get_request(pk))

    def post(self, request, pk):
        help_request = self.get_request(pk)
        action = request.POST.get("action", "reply")
        if action == "resolve":
            services.help_request_resolve(request=help_request, acting_membership=self.membership)
            messages.success(request, "Marked resolved.")
            return redirect(request.path)
        if action == "rate":
            form = HelpRatingForm(request.POST)
            if form.is_valid():
                try:
                    services.help_request_rate(
                        request=help_request,
                        acting_membership=self.membership,
                        rating=form.cleaned_data["rating"],
                        comment=form.cleaned_data["comment"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, "Thank you for rating the answer.")
                    return redirect(request.path)
            return self.render_page(help_request, rating_form=form, status=400)
        form = HelpReplyForm(request.POST)
        if form.is_valid():
            try:
                services.help_reply_add(
                    request=help_request,
                    acting_membership=self.membership,
                    body=form.cleaned_data["body"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Reply sent.")
                return redirect(request.path)
        return self.render_page(help_request, reply_form=form, status=400)


class PortalHelpDetailView(PartnerObjectMixin, HelpDetailMixin, View):
    model = HelpRequest
    console_url_name = "marketing:console_help_detail"


class HelpListView(StaffRequiredMixin, HelpListMixin, ListView):
    template_name = "marketing/console/help_list.html"


class HelpDetailView(StaffRequiredMixin, ScopedQuerysetMixin, HelpDetailMixin, View):
    model = HelpRequest


class HelpAttachmentView(TenantMemberRequiredMixin, ScopedQuerysetMixin, View):
    """The request's attachment, for the vendor and the organization that asked."""

    model = HelpRequest

    def get(self, request, pk):
        help_request = get_object_or_404(self.get_queryset().exclude(attachment=""), pk=pk)
        return serve(help_request.attachment, content_type=help_request.attachment_type)
