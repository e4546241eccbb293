"""Vendor console: partners, their lifecycle and tier, touchpoints, business plans."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, UpdateView

from prm.core.forms import add_service_errors
from prm.core.listing import (
    KnownCountPaginator,
    attach_related,
    choice_objects,
    filterset_narrows,
)
from prm.core.templatetags.rowurls import row_url
from prm.core.text import csv_cell
from prm.core.views import (
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from .. import forms, models, selectors, services
from ..choices import LifecycleStage
from ..filtersets import PartnerOrganizationFilterSet
from .portal import PlanDetailMixin

RELATIONS = ("partner_type", "tier", "channel_manager")
STAGE_LABELS = dict(LifecycleStage.choices)


def partner_rows(partners):
    """What each partner list row shows beyond its own fields, worked out in Python once
    rather than by tags and filters per row: its link (the pattern reversed once per
    page), its stage's label, and the day of its last activity in the current time zone
    ("never" without one)."""
    for partner in partners:
        partner.detail_url = row_url("partners:partner_detail", partner.pk)
        stage = partner.lifecycle_stage
        partner.stage_label = STAGE_LABELS.get(stage, stage)
        active = partner.last_activity_at
        partner.last_active_on = timezone.localdate(active).isoformat() if active else "never"
    return partners


class PartnerListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = models.PartnerOrganization
    template_name = "partners/console/partner_list.html"
    paginate_by = 50
    context_object_name = "partners"

    def get_queryset(self):
        # The rows' types, tiers and channel managers come from the filter's selects
        # (get_context_data), not from joins that read them again for every row.
        self.filterset = PartnerOrganizationFilterSet(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    def export_csv(self):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="partners.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "Name",
                "Domain",
                "Country",
                "Type",
                "Tier",
                "Stage",
                "Channel manager",
                "Last activity",
            ]
        )
        queryset = self.get_queryset().select_related("partner_type", "tier", "channel_manager")
        for org in queryset.iterator(chunk_size=500):
            writer.writerow(
                [
                    csv_cell(org.name),
                    csv_cell(org.domain),
                    org.country,
                    csv_cell(str(org.partner_type or "")),
                    csv_cell(str(org.tier or "")),
                    org.get_lifecycle_stage_display(),
                    csv_cell(org.channel_manager.display_name if org.channel_manager else ""),
                    org.last_activity_at.isoformat() if org.last_activity_at else "",
                ]
            )
        return response

    def get_paginator(self, queryset, per_page, **kwargs):
        return KnownCountPaginator(queryset, per_page, count=self.partner_count, **kwargs)

    def get_context_data(self, **kwargs):
        tiles = selectors.stage_tiles()
        # Staff see every partner of the tenant: unfiltered, the list's length is the
        # tiles' sum, and the paginator needs no COUNT of its own.
        narrowed = filterset_narrows(self.filterset)
        self.partner_count = None if narrowed else sum(count for _s, _l, count in tiles)
        context = super().get_context_data(filter=self.filterset, stage_counts=tiles, **kwargs)
        relations = choice_objects(self.filterset.form, RELATIONS)
        context["partners"] = context["object_list"] = partner_rows(
            attach_related(context["partners"], relations)
        )
        return context


class PartnerDetailView(StaffRequiredMixin, ScopedQuerysetMixin, DetailView):
    model = models.PartnerOrganization
    template_name = "partners/console/partner_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return super().get_queryset().select_related("partner_type", "tier", "channel_manager")

    def get_context_data(self, **kwargs):
        org = self.object
        detail = selectors.partner_detail(organization=org)
        transition_form = forms.TransitionForm()
        transition_form.fields["target"].choices = [
            (t.value, t.label) for t in detail["allowed_stages"]
        ]
        return super().get_context_data(
            **detail,
            tier_form=forms.TierChangeForm(initial={"tier": org.tier_id}),
            transition_form=transition_form,
            has_transitions=bool(detail["allowed_stages"]),
            **kwargs,
        )


class PartnerActionMixin(StaffRequiredMixin, ScopedQuerysetMixin):
    model = models.PartnerOrganization

    def get_organization(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get(self, request, pk):
        return redirect("partners:partner_detail", pk=self.get_organization(pk).pk)


class PartnerEditView(StaffRequiredMixin, ScopedQuerysetMixin, UpdateView):
    model = models.PartnerOrganization
    form_class = forms.PartnerStaffForm
    template_name = "partners/console/form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Edit {self.object.name}",
            back=reverse("partners:partner_detail", args=[self.object.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        services.partner_profile_update(
            organization=self.object,
            acting_membership=self.request.membership,
            data={f: form.cleaned_data[f] for f in form.changed_data},
        )
        messages.success(self.request, "Partner saved.")
        return redirect("partners:partner_detail", pk=self.object.pk)


class PartnerTierChangeView(PartnerActionMixin, View):
    def post(self, request, pk):
        organization = self.get_organization(pk)
        form = forms.TierChangeForm(request.POST)
        if form.is_valid():
            try:
                services.partner_tier_change(
                    organization=organization,
                    tier=form.cleaned_data["tier"],
                    acting_membership=request.membership,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, f"{organization.name} is now {form.cleaned_data['tier']}."
                )
        else:
            messages.error(request, "Choose a tier and give a reason.")
        return redirect("partners:partner_detail", pk=organization.pk)


class PartnerTransitionView(PartnerActionMixin, View):
    def post(self, request, pk):
        organization = self.get_organization(pk)
        form = forms.TransitionForm(request.POST)
        if form.is_valid():
            try:
                services.partner_transition(
                    organization=organization,
                    target=form.cleaned_data["target"],
                    acting_membership=request.membership,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"{organization.name} is now {organization.get_lifecycle_stage_display()}.",
                )
        else:
            messages.error(request, "Choose a stage.")
        return redirect("partners:partner_detail", pk=organization.pk)


class TouchpointCreateView(PartnerActionMixin, View):
    template_name = "partners/console/form.html"

    def get(self, request, pk):
        organization = self.get_organization(pk)
        return self._render(
            request,
            organization,
            forms.TouchpointForm(initial={"occurred_on": timezone.localdate()}),
        )

    def _render(self, request, organization, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "title": f"Log a touchpoint with {organization.name}",
                "back": reverse("partners:partner_detail", args=[organization.pk]),
            },
            status=status,
        )

    def post(self, request, pk):
        organization = self.get_organization(pk)
        form = forms.TouchpointForm(request.POST)
        if form.is_valid():
            try:
                services.touchpoint_create(
                    organization=organization,
                    acting_membership=request.membership,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Touchpoint logged.")
                return redirect("partners:partner_detail", pk=organization.pk)
        return self._render(request, organization, form, status=400)


class PlanCreateView(TouchpointCreateView):
    def get(self, request, pk):
        organization = self.get_organization(pk)
        today = timezone.localdate()
        return self._render(
            request,
            organization,
            forms.BusinessPlanForm(
                initial={
                    "period": f"FY{today.year}",
                    "starts_on": today.replace(month=1, day=1),
                    "ends_on": today.replace(month=12, day=31),
                }
            ),
        )

    def _render(self, request, organization, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "title": f"New joint business plan with {organization.name}",
                "back": reverse("partners:partner_detail", args=[organization.pk]),
            },
            status=status,
        )

    def post(self, request, pk):
        organization = self.get_organization(pk)
        form = forms.BusinessPlanForm(request.POST)
        if form.is_valid():
            try:
                plan = services.business_plan_create(
                    organization=organization,
                    acting_membership=request.membership,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Plan created: add its goals.")
                return redirect("partners:plan_detail", pk=plan.pk)
        return self._render(request, organization, form, status=400)


class PlanDetailView(StaffRequiredMixin, PlanDetailMixin, View):
    """The console's plan page: goals (add, edit), progress and comments."""

    template_name = "partners/console/plan_detail.html"

    def get(self, request, pk):
        return self.render_plan(request, self.get_plan(pk), goal_form=forms.GoalForm())

    def post(self, request, pk):
        plan = self.get_plan(pk)
        if "body" in request.POST:
            return self.post_comment(request, pk) or redirect("partners:plan_detail", pk=pk)
        form = forms.GoalForm(request.POST)
        if form.is_valid():
            goal = form.save(commit=False)
            goal.plan = plan
            try:
                services.business_plan_goal_save(goal=goal)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Goal added.")
                return redirect("partners:plan_detail", pk=pk)
        return self.render_plan(request, plan, goal_form=form, status=400)


class GoalEditView(StaffRequiredMixin, ScopedQuerysetMixin, UpdateView):
    model = models.BusinessPlanGoal
    form_class = forms.GoalForm
    template_name = "partners/console/form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Goal of {self.object.plan}",
            back=reverse("partners:plan_detail", args=[self.object.plan_id]),
            **kwargs,
        )

    def form_valid(self, form):
        services.business_plan_goal_save(goal=form.instance)
        messages.success(self.request, "Goal saved.")
        return redirect("partners:plan_detail", pk=self.object.plan_id)
