"""Vendor console: program set-up (admins)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import CreateView, TemplateView, UpdateView

from prm.core.forms import add_service_errors
from prm.core.views import (
    AdminRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)
from prm.tenancy.choices import ADMIN_ONLY

from .. import forms, models, selectors, services
from ..choices import LifecycleStage


class ProgramView(StaffRequiredMixin, TemplateView):
    template_name = "partners/console/program.html"

    def get_context_data(self, **kwargs):
        tiers, rows = selectors.tier_matrix()
        return super().get_context_data(
            types=models.PartnerType.objects.annotate(n=Count("partners")),
            tiers=tiers,
            matrix=rows,
            agreements=models.Agreement.objects.select_related("partner_type"),
            plans=models.OnboardingPlan.objects.select_related("partner_type").annotate(
                n=Count("tasks")
            ),
            cadences=models.EngagementCadence.objects.select_related("tier"),
            settings=services.program_settings(),
            is_admin=self.request.membership.is_admin,
            **kwargs,
        )


class ProgramFormMixin(AdminRequiredMixin, ScopedQuerysetMixin):
    """Create/edit pages of the program set-up share one template and return to /program/."""

    template_name = "partners/console/form.html"
    title = ""

    def get_success_url(self):
        messages.success(self.request, "Saved.")
        return reverse("partners:program")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title or f"Edit {self.object}", back=reverse("partners:program"), **kwargs
        )


class PartnerTypeCreateView(ProgramFormMixin, CreateView):
    model = models.PartnerType
    form_class = forms.PartnerTypeForm
    title = "New partner type"


class PartnerTypeEditView(ProgramFormMixin, UpdateView):
    model = models.PartnerType
    form_class = forms.PartnerTypeForm


class TierCreateView(ProgramFormMixin, CreateView):
    model = models.Tier
    form_class = forms.TierForm
    title = "New tier"


class TierEditView(ProgramFormMixin, UpdateView):
    model = models.Tier
    form_class = forms.TierForm


class BenefitCreateView(ProgramFormMixin, CreateView):
    model = models.Benefit
    form_class = forms.BenefitForm
    title = "New benefit"


class BenefitEditView(ProgramFormMixin, UpdateView):
    model = models.Benefit
    form_class = forms.BenefitForm


class TierMatrixEditView(AdminRequiredMixin, View):
    """Every tier's value of every benefit, edited side by side."""

    template_name = "partners/console/tier_matrix.html"

    def _form(self, data=None):
        tiers = list(models.Tier.objects.order_by("rank"))
        benefits = list(models.Benefit.objects.all())
        values = {(tb.tier_id, tb.benefit_id): tb.value for tb in models.TierBenefit.objects.all()}
        return forms.TierMatrixForm(data, tiers=tiers, benefits=benefits, values=values)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            for benefit in form.benefits:
                for tier in form.tiers:
                    services.tier_benefit_set(
                        tier=tier,
                        benefit=benefit,
                        value=form.cleaned_data[f"v_{benefit.pk}_{tier.pk}"],
                    )
            messages.success(request, "Tier benefits saved.")
            return redirect("partners:program")
        return render(request, self.template_name, {"form": form}, status=400)


class AgreementCreateView(ProgramFormMixin, CreateView):
    model = models.Agreement
    form_class = forms.AgreementForm
    title = "New agreement version"

    def get_initial(self):
        initial = super().get_initial()
        source = self.request.GET.get("from", "")
        try:
            source = uuid.UUID(source) if source else None
        except ValueError:
            source = None  # a mangled link opens an empty form, not an error page
        if source:
            previous = self.get_queryset().filter(pk=source).first()
            if previous:
                initial.update(
                    partner_type=previous.partner_type_id,
                    title=previous.title,
                    body=previous.body,
                    valid_months=previous.valid_months,
                )
        return initial

    def form_valid(self, form):
        self.object = services.agreement_create(**form.cleaned_data)
        messages.success(self.request, f"Draft version {self.object.version} saved.")
        return redirect("partners:agreement_detail", pk=self.object.pk)


class AgreementDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = models.Agreement
    method_roles = {"POST": ADMIN_ONLY}  # publishing
    template_name = "partners/console/agreement_detail.html"

    def get_agreement(self, pk):
        return get_object_or_404(self.get_queryset().select_related("partner_type"), pk=pk)

    def get(self, request, pk):
        agreement = self.get_agreement(pk)
        acceptances = models.AgreementAcceptance.objects.filter(agreement=agreement).select_related(
            "organization", "accepted_by"
        )
        pending = (
            models.PartnerOrganization.objects.filter(partner_type=agreement.partner_type)
            .exclude(lifecycle_stage=LifecycleStage.OFFBOARDED)
            .exclude(agreement_acceptances__agreement=agreement)
        )
        confirming = (
            request.GET.get("publish") == "1"
            and request.membership.is_admin
            and not agreement.published_at
        )
        audience = (
            list(services.agreement_publish_audience(agreement=agreement)) if confirming else []
        )
        return render(
            request,
            self.template_name,
            {
                "agreement": agreement,
                "acceptances": acceptances,
                "pending": pending,
                "is_admin": request.membership.is_admin,
                "confirming": confirming,
                "audience": audience,
                "current": services.agreement_current(partner_type_id=agreement.partner_type_id)
                if confirming
                else None,
            },
        )

    def post(self, request, pk):
        """Publish (admins only), once the confirmation step was seen and confirmed."""
        agreement = self.get_agreement(pk)
        if request.POST.get("confirmed") != "1":
            return redirect(
                reverse("partners:agreement_detail", kwargs={"pk": agreement.pk}) + "?publish=1"
            )
        try:
            asked = services.agreement_publish(
                agreement=agreement, acting_membership=request.membership
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Version {agreement.version} published; {asked} partner admins asked to accept.",
            )
        return redirect("partners:agreement_detail", pk=agreement.pk)


class ServiceSaveMixin:
    """A create/edit page whose save goes through a service (the API's too):
    `save_service(<service_arg>=unsaved object, acting_membership=...)`."""

    save_service = None
    service_arg = ""

    def form_valid(self, form):
        try:
            self.object = type(self).save_service(
                **{self.service_arg: form.save(commit=False)},
                acting_membership=self.request.membership,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect(self.get_success_url())


class OnboardingPlanCreateView(ServiceSaveMixin, ProgramFormMixin, CreateView):
    model = models.OnboardingPlan
    form_class = forms.OnboardingPlanForm
    title = "New onboarding plan"
    save_service = services.onboarding_plan_save
    service_arg = "plan"

    def get_success_url(self):
        return reverse("partners:onboarding_plan_detail", args=[self.object.pk])


class OnboardingPlanDetailView(AdminRequiredMixin, ScopedQuerysetMixin, View):
    """A plan's ordered tasks, and a form to add one."""

    model = models.OnboardingPlan
    template_name = "partners/console/onboarding_plan.html"

    def get_plan(self, pk):
        return get_object_or_404(self.get_queryset().select_related("partner_type"), pk=pk)

    def get(self, request, pk):
        plan = self.get_plan(pk)
        next_position = (
            plan.tasks.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        return render(
            request,
            self.template_name,
            {
                "plan": plan,
                "tasks": plan.tasks.all(),
                "form": forms.OnboardingTaskForm(plan=plan, initial={"position": next_position}),
            },
        )

    def post(self, request, pk):
        plan = self.get_plan(pk)
        form = forms.OnboardingTaskForm(request.POST, plan=plan)
        if form.is_valid():
            task = form.save(commit=False)
            task.plan = plan
            try:
                services.onboarding_task_save(task=task, acting_membership=request.membership)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Task added.")
                return redirect("partners:onboarding_plan_detail", pk=plan.pk)
        return render(
            request,
            self.template_name,
            {"plan": plan, "tasks": plan.tasks.all(), "form": form},
            status=400,
        )


class OnboardingTaskEditView(ServiceSaveMixin, ProgramFormMixin, UpdateView):
    model = models.OnboardingTask
    form_class = forms.OnboardingTaskForm
    save_service = services.onboarding_task_save
    service_arg = "task"

    def get_success_url(self):
        return reverse("partners:onboarding_plan_detail", args=[self.object.plan_id])


class CadenceCreateView(ServiceSaveMixin, ProgramFormMixin, CreateView):
    model = models.EngagementCadence
    form_class = forms.CadenceForm
    title = "New engagement cadence"
    save_service = services.cadence_save
    service_arg = "cadence"


class CadenceEditView(ServiceSaveMixin, ProgramFormMixin, UpdateView):
    model = models.EngagementCadence
    form_class = forms.CadenceForm
    save_service = services.cadence_save
    service_arg = "cadence"


class ProgramSettingsView(ProgramFormMixin, UpdateView):
    model = models.ProgramSettings
    form_class = forms.ProgramSettingsForm
    title = "Lifecycle and reminder settings"

    def get_object(self, queryset=None):
        return services.program_settings()
