"""Vendor console: partner applications."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.views import (
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from .. import forms, models, services
from ..choices import ApplicationStatus
from ..filtersets import ApplicationFilterSet


class ApplicationListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = models.PartnerApplication
    template_name = "partners/console/application_list.html"
    paginate_by = 50
    context_object_name = "applications"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("partner_type", "reviewed_by")
        data = self.request.GET.copy()
        data.setdefault("status", ApplicationStatus.PENDING)
        self.filterset = ApplicationFilterSet(data, queryset=queryset, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class ApplicationDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = models.PartnerApplication
    template_name = "partners/console/application_detail.html"

    def get_application(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related("partner_type", "reviewed_by", "organization"),
            pk=pk,
        )

    def render_page(self, request, application, approve_form=None, reject_form=None, status=200):
        duplicates = models.PartnerApplication.objects.filter(domain=application.domain).exclude(
            pk=application.pk
        )
        existing = models.PartnerOrganization.objects.filter(
            Q(domain=application.domain) | Q(name__iexact=application.company_name)
        )
        return render(
            request,
            self.template_name,
            {
                "application": application,
                "approve_form": approve_form
                or forms.ApplicationApproveForm(
                    initial={
                        "partner_type": application.partner_type_id,
                        "channel_manager": request.user.pk,
                    }
                ),
                "reject_form": reject_form or forms.ReasonForm(),
                "duplicates": duplicates,
                "existing": existing,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(request, self.get_application(pk))


class ApplicationApproveView(ApplicationDetailView):
    def get(self, request, pk):
        return redirect("partners:application_detail", pk=self.get_application(pk).pk)

    def post(self, request, pk):
        application = self.get_application(pk)
        form = forms.ApplicationApproveForm(request.POST)
        if form.is_valid():
            try:
                organization = services.application_approve(
                    application=application,
                    acting_membership=request.membership,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if request.htmx:
                    return self.render_row(request, self.get_application(pk))
                messages.success(
                    request,
                    f"{organization.name} is approved and onboarding; "
                    f"{application.contact_email} is invited as partner admin.",
                )
                return redirect("partners:partner_detail", pk=organization.pk)
        if request.htmx:
            errors = [e for errors in form.errors.values() for e in errors]
            return self.render_row(request, application, error=" ".join(errors), status=400)
        return self.render_page(request, application, approve_form=form, status=400)

    def render_row(self, request, application, error="", status=200):
        """The queue's row, swapped in place after an approval from the list."""
        response = render(
            request,
            "partners/console/application_list.html#row",
            {"app": application, "row_error": error},
            status=status,
        )
        response["Vary"] = "HX-Request"
        return response


class ApplicationRejectView(ApplicationApproveView):
    def post(self, request, pk):
        application = self.get_application(pk)
        form = forms.ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.application_reject(
                    application=application,
                    acting_membership=request.membership,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{application.company_name} was rejected and told why.")
                return redirect("partners:application_list")
        return self.render_page(request, application, reject_form=form, status=400)
