"""Partner portal: profile, agreement, onboarding, tier, business plans."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from prm.core.views import (
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    TenantMemberRequiredMixin,
)

from .. import forms, models, selectors, services
from ..choices import LifecycleStage


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
                acting_membership=request.membership,
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
            services.agreement_accept(
                organization=organization, acting_membership=request.membership
            )
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
            services.onboarding_item_complete(item=item, acting_membership=request.membership)
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
                plan=plan, acting_membership=request.membership, body=form.cleaned_data["body"]
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
