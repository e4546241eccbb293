"""Pages of the partner program.

Public (no sign-in, on the tenant's host): the application form and the partner locator.
Partner portal (/portal/...): profile, agreement, onboarding, tier, business plans.
Vendor console (/manage/...): partners, applications, engagement, program set-up.
"""

from __future__ import annotations

import csv
import uuid

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from prm.audit.history import history_for
from prm.core.forms import add_service_errors
from prm.core.text import csv_cell
from prm.core.views import (
    AdminRequiredMixin,
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
    TenantMemberRequiredMixin,
)
from prm.tenancy.models import Membership

from . import forms, models, selectors, services
from .choices import ApplicationStatus, LifecycleStage
from .filtersets import ApplicationFilterSet, LocatorFilterSet, PartnerOrganizationFilterSet

APPLY_LIMIT_PER_HOUR = 5


# ---------------------------------------------------------------------------------------
# Public pages (no membership needed)
# ---------------------------------------------------------------------------------------


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


class TenantPublicMixin:
    """Served on a tenant's host to anyone; the bare base domain has no such page."""

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "tenant", None) is None:
            raise Http404("This page exists only on a tenant's portal.")
        return super().dispatch(request, *args, **kwargs)


class ApplyView(TenantPublicMixin, View):
    """The public application form, with a honeypot and a per-IP rate limit."""

    template_name = "partners/apply.html"

    def get(self, request):
        return render(request, self.template_name, {"form": forms.ApplicationForm()})

    def post(self, request):
        form = forms.ApplicationForm(request.POST)
        if form.is_spam:
            # Bots get the same answer as people, and nothing is stored.
            return redirect("partners:apply_done")
        key = f"partners:apply:{request.tenant.pk}:{_client_ip(request)}"
        attempts = cache.get_or_set(key, 0, timeout=3600)
        if attempts >= APPLY_LIMIT_PER_HOUR:
            form.add_error(
                None, "Too many applications from your network in the last hour; try again later."
            )
            return render(request, self.template_name, {"form": form}, status=429)
        if form.is_valid():
            try:
                services.application_submit(
                    **{k: v for k, v in form.cleaned_data.items() if k != "nickname"}
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, timeout=3600)
                return redirect("partners:apply_done")
        return render(request, self.template_name, {"form": form}, status=400)


class ApplyDoneView(TenantPublicMixin, TemplateView):
    template_name = "partners/apply_done.html"


class LocatorView(TenantPublicMixin, ListView):
    """Public partner locator: partners that opted in, by country, type and tier."""

    template_name = "partners/locator.html"
    paginate_by = 50
    context_object_name = "partners"

    def get_queryset(self):
        queryset = (
            models.PartnerOrganization.objects.filter(
                listed_in_locator=True,
                is_active=True,
                lifecycle_stage__in=(LifecycleStage.ACTIVE, LifecycleStage.AT_RISK),
            )
            .select_related("partner_type", "tier")
            .order_by("-tier__rank", "name")
        )
        self.filterset = LocatorFilterSet(self.request.GET, queryset=queryset, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


# ---------------------------------------------------------------------------------------
# Partner portal
# ---------------------------------------------------------------------------------------


class PortalOrganizationMixin(PartnerRequiredMixin):
    def get_organization(self) -> models.PartnerOrganization:
        return get_object_or_404(
            models.PartnerOrganization.objects.visible_to(self.request.membership).select_related(
                "tier", "partner_type", "channel_manager"
            ),
            pk=self.request.membership.partner_organization_id,
        )


class PortalProfileView(PortalOrganizationMixin, TemplateView):
    template_name = "partners/portal/profile.html"

    def get_context_data(self, **kwargs):
        organization = self.get_organization()
        return super().get_context_data(
            organization=organization,
            can_edit=self.request.membership.is_partner_admin,
            transact_blockers=services.partner_transact_blockers(organization=organization),
            **kwargs,
        )


class PortalProfileEditView(PortalOrganizationMixin, View):
    template_name = "partners/portal/profile_edit.html"

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        return response

    def _guard(self):
        if not self.request.membership.is_partner_admin:
            raise PermissionDenied("Only a partner admin can edit the organization's profile.")

    def get(self, request):
        self._guard()
        form = forms.ProfileForm(instance=self.get_organization())
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        self._guard()
        organization = self.get_organization()
        form = forms.ProfileForm(request.POST, request.FILES, instance=organization)
        if form.is_valid():
            services.partner_profile_update(
                organization=organization,
                by_membership=request.membership,
                data={f: form.cleaned_data[f] for f in form.changed_data},
            )
            messages.success(request, "Profile saved.")
            return redirect("partners:portal_profile")
        return render(request, self.template_name, {"form": form}, status=400)


class PortalAgreementView(PortalOrganizationMixin, View):
    """The agreement gate: read and (as partner admin) accept the current agreement."""

    template_name = "partners/portal/agreement.html"

    def _context(self, organization):
        agreement = services.agreement_current(partner_type_id=organization.partner_type_id)
        acceptance = (
            models.AgreementAcceptance.objects.filter(organization=organization)
            .select_related("agreement", "accepted_by")
            .first()
        )
        current_acceptance = (
            acceptance
            if acceptance
            and agreement
            and acceptance.agreement_id == agreement.pk
            and acceptance.expires_at > timezone.now()
            else None
        )
        return {
            "organization": organization,
            "agreement": agreement,
            "acceptance": current_acceptance,
            "previous_acceptance": acceptance if current_acceptance is None else None,
            "can_accept": self.request.membership.is_partner_admin,
            "can_transact": services.partner_can_transact(organization=organization),
        }

    def get(self, request):
        return render(request, self.template_name, self._context(self.get_organization()))

    def post(self, request):
        organization = self.get_organization()
        try:
            services.agreement_accept(organization=organization, membership=request.membership)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return render(request, self.template_name, self._context(organization), status=403)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(request, self.template_name, self._context(organization), status=400)
        messages.success(request, "Thank you: the agreement is accepted.")
        return redirect("partners:portal_onboarding")


class PortalOnboardingView(PortalOrganizationMixin, TemplateView):
    template_name = "partners/portal/onboarding.html"

    def get_context_data(self, **kwargs):
        organization = self.get_organization()
        if organization.lifecycle_stage == LifecycleStage.ONBOARDING:
            services.onboarding_items_ensure(organization=organization)
        return super().get_context_data(
            organization=organization,
            progress=selectors.onboarding_progress(organization=organization),
            can_tick=self.request.membership.is_partner_admin,
            **kwargs,
        )


class OnboardingItemCompleteView(TenantMemberRequiredMixin, ScopedQuerysetMixin, View):
    """Tick off a manual onboarding task (partner admin of the organization, or staff)."""

    model = models.OnboardingItem

    def post(self, request, pk):
        item = get_object_or_404(self.get_queryset().select_related("task", "organization"), pk=pk)
        error = None
        try:
            services.onboarding_item_complete(item=item, by_membership=request.membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if request.htmx:
            # In place: the refreshed checklist (the organization may have become active).
            response = render(
                request,
                "partners/_onboarding.html#checklist",
                {
                    "progress": selectors.onboarding_progress(organization=item.organization),
                    "can_tick": True,
                },
                status=400 if error else 200,
            )
            response["Vary"] = "HX-Request"
            return response
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"“{item.task.title}” is done.")
        if request.membership.is_staff_role:
            return redirect("partners:partner_detail", pk=item.organization_id)
        return redirect("partners:portal_onboarding")

    def get(self, request, pk):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        if request.membership.is_staff_role:
            return redirect("partners:partner_detail", pk=item.organization_id)
        return redirect("partners:portal_onboarding")


class PortalTierView(PortalOrganizationMixin, TemplateView):
    template_name = "partners/portal/tier.html"

    def get_context_data(self, **kwargs):
        organization = self.get_organization()
        next_tier, gaps = selectors.next_tier_gap(organization=organization)
        return super().get_context_data(
            organization=organization,
            benefits=selectors.tier_benefits(tier=organization.tier),
            next_tier=next_tier,
            gaps=gaps,
            next_benefits=selectors.tier_benefits(tier=next_tier),
            tier_changes=models.TierChange.objects.filter(organization=organization).select_related(
                "from_tier", "to_tier"
            )[:10],
            **kwargs,
        )


class PortalPlanListView(PartnerRequiredMixin, ScopedQuerysetMixin, ListView):
    model = models.BusinessPlan
    template_name = "partners/portal/plan_list.html"
    paginate_by = 50
    context_object_name = "plans"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("goals")


class PlanDetailMixin(ScopedQuerysetMixin):
    model = models.BusinessPlan

    def get_plan(self, pk):
        return get_object_or_404(
            self.get_queryset()
            .select_related("organization")
            .prefetch_related("goals", Prefetch("comments__author")),
            pk=pk,
        )

    def render_plan(self, request, plan, comment_form=None, status=200, **extra):
        return render(
            request,
            self.template_name,
            {
                "plan": plan,
                "comments": plan.comments.all(),
                "comment_form": comment_form or forms.CommentForm(),
                **extra,
            },
            status=status,
        )

    def post_comment(self, request, pk):
        plan = self.get_plan(pk)
        form = forms.CommentForm(request.POST)
        if form.is_valid():
            services.business_plan_comment(
                plan=plan, membership=request.membership, body=form.cleaned_data["body"]
            )
            messages.success(request, "Comment added.")
            return None
        return self.render_plan(request, plan, comment_form=form, status=400)


class PortalPlanDetailView(TenantMemberRequiredMixin, PlanDetailMixin, View):
    """The partner's view of its plan. Any member may ask: the scoped lookup decides (a
    foreign id is a 404 for everyone), and staff are sent to the console's page."""

    template_name = "partners/portal/plan_detail.html"

    def get(self, request, pk):
        plan = self.get_plan(pk)
        if request.membership.is_staff_role:
            return redirect("partners:plan_detail", pk=plan.pk)
        return self.render_plan(request, plan)

    def post(self, request, pk):
        plan = self.get_plan(pk)
        if request.membership.is_staff_role:
            return redirect("partners:plan_detail", pk=plan.pk)
        return self.post_comment(request, pk) or redirect("partners:portal_plan_detail", pk=pk)


# ---------------------------------------------------------------------------------------
# Vendor console: partners
# ---------------------------------------------------------------------------------------


class PartnerListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = models.PartnerOrganization
    template_name = "partners/console/partner_list.html"
    paginate_by = 50
    context_object_name = "partners"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("partner_type", "tier", "channel_manager")
        self.filterset = PartnerOrganizationFilterSet(
            self.request.GET, queryset=queryset, request=self.request
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
        for org in self.get_queryset().iterator(chunk_size=500):
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

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter=self.filterset, stage_counts=selectors.stage_tiles(), **kwargs
        )


class PartnerDetailView(StaffRequiredMixin, ScopedQuerysetMixin, DetailView):
    model = models.PartnerOrganization
    template_name = "partners/console/partner_detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return super().get_queryset().select_related("partner_type", "tier", "channel_manager")

    def get_context_data(self, **kwargs):
        org = self.object
        agreement = services.agreement_current(partner_type_id=org.partner_type_id)
        acceptance = (
            models.AgreementAcceptance.objects.filter(organization=org)
            .select_related("agreement", "accepted_by")
            .first()
        )
        next_tier, gaps = selectors.next_tier_gap(organization=org)
        allowed = [t for t in LifecycleStage if _can_move(org, t) and t != org.lifecycle_stage]
        transition_form = forms.TransitionForm()
        transition_form.fields["target"].choices = [(t.value, t.label) for t in allowed]
        return super().get_context_data(
            members=Membership.objects.filter(partner_organization=org).select_related("user"),
            transitions=models.LifecycleTransition.objects.filter(organization=org).select_related(
                "changed_by"
            )[:20],
            tier_changes=models.TierChange.objects.filter(organization=org).select_related(
                "from_tier", "to_tier", "changed_by"
            )[:20],
            agreement=agreement,
            acceptance=acceptance,
            can_transact=services.partner_can_transact(organization=org),
            progress=selectors.onboarding_progress(organization=org),
            touchpoints=models.Touchpoint.objects.filter(organization=org).select_related(
                "created_by"
            )[:20],
            cadences=selectors.partner_next_touchpoint_due(organization=org),
            plans=models.BusinessPlan.objects.filter(organization=org).prefetch_related("goals"),
            benefits=selectors.tier_benefits(tier=org.tier),
            next_tier=next_tier,
            gaps=gaps,
            tier_form=forms.TierChangeForm(initial={"tier": org.tier_id}),
            transition_form=transition_form,
            has_transitions=bool(allowed),
            history=history_for(org, limit=10),
            **kwargs,
        )


def _can_move(org, target) -> bool:
    from django_fsm import can_proceed

    from .models import TRANSITION_TO

    if target == LifecycleStage.ACTIVE:
        name = {
            LifecycleStage.ONBOARDING: "activate",
            LifecycleStage.OFFBOARDED: "reinstate",
        }.get(org.lifecycle_stage, "reactivate")
    else:
        name = TRANSITION_TO.get(target)
    return bool(name) and can_proceed(getattr(org, name))


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
            by_membership=self.request.membership,
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
                    by=request.user,
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
                    by=request.user,
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
                    organization=organization, by=request.user, **form.cleaned_data
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
                    organization=organization, by=request.user, **form.cleaned_data
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


# ---------------------------------------------------------------------------------------
# Vendor console: applications
# ---------------------------------------------------------------------------------------


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
                    application=application, by=request.user, **form.cleaned_data
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
                    application=application, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{application.company_name} was rejected and told why.")
                return redirect("partners:application_list")
        return self.render_page(request, application, reject_form=form, status=400)


# ---------------------------------------------------------------------------------------
# Vendor console: program set-up (admins)
# ---------------------------------------------------------------------------------------


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
        return render(
            request,
            self.template_name,
            {
                "agreement": agreement,
                "acceptances": acceptances,
                "pending": pending,
                "is_admin": request.membership.is_admin,
            },
        )

    def post(self, request, pk):
        """Publish (admins only)."""
        agreement = self.get_agreement(pk)
        if not request.membership.is_admin:
            raise PermissionDenied("Only a program admin can publish an agreement.")
        try:
            asked = services.agreement_publish(agreement=agreement, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Version {agreement.version} published; {asked} partner admins asked to accept.",
            )
        return redirect("partners:agreement_detail", pk=agreement.pk)


class OnboardingPlanCreateView(ProgramFormMixin, CreateView):
    model = models.OnboardingPlan
    form_class = forms.OnboardingPlanForm
    title = "New onboarding plan"

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
            task.save()
            messages.success(request, "Task added.")
            return redirect("partners:onboarding_plan_detail", pk=plan.pk)
        return render(
            request,
            self.template_name,
            {"plan": plan, "tasks": plan.tasks.all(), "form": form},
            status=400,
        )


class OnboardingTaskEditView(ProgramFormMixin, UpdateView):
    model = models.OnboardingTask
    form_class = forms.OnboardingTaskForm

    def get_success_url(self):
        return reverse("partners:onboarding_plan_detail", args=[self.object.plan_id])


class CadenceCreateView(ProgramFormMixin, CreateView):
    model = models.EngagementCadence
    form_class = forms.CadenceForm
    title = "New engagement cadence"


class CadenceEditView(ProgramFormMixin, UpdateView):
    model = models.EngagementCadence
    form_class = forms.CadenceForm


class ProgramSettingsView(ProgramFormMixin, UpdateView):
    model = models.ProgramSettings
    form_class = forms.ProgramSettingsForm
    title = "Lifecycle and reminder settings"

    def get_object(self, queryset=None):
        return services.program_settings()
