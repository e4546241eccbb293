"""Pages of the analytics app.

Console (/manage/analytics/...): the program dashboard, tier proposals, a partner's
scorecard, the analytics settings and tier requirements with a what-if.
Portal (/portal/performance/): the partner's own figures, trends, tier progress and rank.
Every chart's data is also a table on the page and a CSV (`?export=<chart key>`).
"""

from __future__ import annotations

import csv

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views import View
from django.views.generic import ListView, TemplateView

from partners.models import PartnerOrganization, Tier
from partners.selectors import next_tier_gap
from prm.core.forms import add_service_errors
from prm.core.listing import choice_objects
from prm.core.text import csv_cell
from prm.core.views import (
    AdminRequiredMixin,
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
)

from . import dashboards, scorecards, selectors, services
from .choices import ProposalStatus
from .forms import AnalyticsSettingsForm, DashboardFilterForm, DecisionForm, TierRequirementsForm
from .models import HealthScore, TierProposal


def chart_csv(chart: dashboards.Chart) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(chart.title)}.csv"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(h) for h in ["Label", *chart.header[1:]]])
    for label, *values in chart.rows:
        writer.writerow([csv_cell(label), *["" if v is None else v for v in values]])
    return response


class ChartsMixin:
    """Answers `?export=<key>` with that chart's CSV, else renders the page."""

    def get_charts(self) -> list[dashboards.Chart]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        key = request.GET.get("export")
        if key:
            for chart in self.get_charts():
                if chart.key == key:
                    return chart_csv(chart)
            raise Http404("No such chart.")
        return super().get(request, *args, **kwargs)


class ConsoleDashboardView(StaffRequiredMixin, ChartsMixin, TemplateView):
    """The program overview: charts with table views, filtered by period and partners."""

    template_name = "analytics/console/dashboard.html"

    def get_filters(self) -> tuple[DashboardFilterForm, dashboards.Filters]:
        if hasattr(self, "_filters"):
            return self._filters
        form = DashboardFilterForm(self.request.GET or None)
        # The selects' options read once each (no server-side cursor per select), and
        # the tiers reused by the charts.
        self._choices = choice_objects(form, ("partner_type", "tier", "channel_manager"))
        filters = dashboards.Filters()
        if form.is_valid():
            data = form.cleaned_data
            filters = dashboards.Filters(
                months=dashboards.PERIODS.get(data.get("period") or "12", 12),
                partner_type=data["partner_type"].pk if data.get("partner_type") else None,
                tier=data["tier"].pk if data.get("tier") else None,
                channel_manager=data["channel_manager"].pk if data.get("channel_manager") else None,
            )
        self._filters = (form, filters)
        return self._filters

    def get_charts(self):
        _, filters = self.get_filters()
        return dashboards.console_charts(
            filters, review_sla_days=self.request.tenant.deal_review_sla_days
        )

    def get_context_data(self, **kwargs):
        form, filters = self.get_filters()
        query = self.request.GET.copy()
        query.pop("export", None)
        charts, kpis = dashboards.console_dashboard(
            filters,
            review_sla_days=self.request.tenant.deal_review_sla_days,
            tiers=list(self._choices["tier"].values()),
        )
        return super().get_context_data(
            form=form,
            filters=filters,
            charts=charts,
            kpis=kpis,
            as_of=selectors.program_as_of(),
            query=query.urlencode(),
            pending_proposals=TierProposal.objects.filter(status=ProposalStatus.PENDING).count(),
            **kwargs,
        )


class PortalDashboardView(PartnerRequiredMixin, ChartsMixin, TemplateView):
    """The partner's own KPIs and trends, its tier progress and, if allowed, its rank."""

    template_name = "analytics/portal/dashboard.html"

    def get_organization(self) -> PartnerOrganization:
        return get_object_or_404(
            PartnerOrganization.objects.visible_to(self.membership).select_related("tier"),
            pk=self.membership.partner_organization_id,
        )

    def get_charts(self):
        return dashboards.partner_charts(organization_id=self.membership.partner_organization_id)

    def get_context_data(self, **kwargs):
        organization = self.get_organization()
        next_tier, gaps = next_tier_gap(organization=organization)
        cfg = services.analytics_settings()
        return super().get_context_data(
            organization=organization,
            kpis=selectors.partners_trailing(organization_ids=[organization.pk]).get(
                organization.pk
            ),
            charts=self.get_charts(),
            next_tier=next_tier,
            gaps=gaps,
            rank=dashboards.partner_rank(organization_id=organization.pk)
            if cfg.show_rank_to_partners
            else None,
            show_certified=apps.is_installed("enablement"),
            show_incentives=apps.is_installed("incentives"),
            **kwargs,
        )


class ProposalListView(StaffRequiredMixin, ListView):
    """Tier proposals: pending first, with their evidence; decided ones below."""

    template_name = "analytics/console/proposal_list.html"
    paginate_by = 50
    context_object_name = "proposals"

    def get_queryset(self):
        status = self.request.GET.get("status") or ProposalStatus.PENDING
        queryset = TierProposal.objects.visible_to(self.membership).select_related(
            "organization", "from_tier", "to_tier", "decided_by"
        )
        if status in ProposalStatus.values:
            queryset = queryset.filter(status=status)
        return queryset.order_by("effective_on", "organization__name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            status=self.request.GET.get("status") or ProposalStatus.PENDING,
            statuses=ProposalStatus.choices,
            decision_form=DecisionForm(),
            **kwargs,
        )


class ProposalDecideView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """POST approve or reject (with a reason) a tier proposal."""

    model = TierProposal
    approve = True

    def get(self, request, pk):
        get_object_or_404(self.get_queryset(), pk=pk)
        return redirect("analytics:proposal_list")

    def post(self, request, pk):
        proposal = get_object_or_404(self.get_queryset(), pk=pk)
        form = DecisionForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        try:
            if self.approve:
                services.tier_proposal_approve(
                    proposal=proposal, acting_membership=self.membership, reason=reason
                )
                messages.success(
                    request,
                    f"{proposal.organization.name} is now {proposal.to_tier or 'untiered'}.",
                )
            else:
                services.tier_proposal_reject(
                    proposal=proposal, acting_membership=self.membership, reason=reason
                )
                messages.success(request, f"Proposal for {proposal.organization.name} rejected.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("analytics:proposal_list")


class ScorecardView(StaffRequiredMixin, ScopedQuerysetMixin, ChartsMixin, TemplateView):
    """One partner's scorecard: KPIs against its tier and plan goals, trend, health."""

    model = PartnerOrganization
    template_name = "analytics/console/scorecard.html"

    def get_organization(self) -> PartnerOrganization:
        if not hasattr(self, "_organization"):
            self._organization = get_object_or_404(
                self.get_queryset().select_related("tier", "channel_manager"),
                pk=self.kwargs["pk"],
            )
        return self._organization

    def get_charts(self):
        return dashboards.partner_charts(organization_id=self.get_organization().pk)

    def get_context_data(self, **kwargs):
        organization = self.get_organization()
        return super().get_context_data(
            organization=organization,
            card=scorecards.scorecard(organization=organization),
            health=HealthScore.objects.filter(organization=organization).first(),
            charts=self.get_charts(),
            **kwargs,
        )


class MarkAtRiskView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """Accept the churn-risk proposal: move the partner to At risk."""

    model = PartnerOrganization

    def get(self, request, pk):
        organization = get_object_or_404(self.get_queryset(), pk=pk)
        return redirect("analytics:scorecard", pk=organization.pk)

    def post(self, request, pk):
        organization = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.partner_mark_at_risk(
                organization=organization, acting_membership=self.membership
            )
            messages.success(request, f"{organization.name} is now at risk.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("analytics:scorecard", pk=organization.pk)


class SettingsView(AdminRequiredMixin, TemplateView):
    """Health weights, churn threshold, tier evaluation knobs (program admins)."""

    template_name = "analytics/console/settings.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", AnalyticsSettingsForm(instance=services.analytics_settings()))
        return super().get_context_data(tiers=Tier.objects.order_by("rank"), **kwargs)

    def post(self, request):
        form = AnalyticsSettingsForm(request.POST, instance=services.analytics_settings())
        if form.is_valid():
            try:
                fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
                services.analytics_settings_save(
                    acting_membership=self.membership, weights=form.weights(), **fields
                )
                messages.success(request, "Analytics settings saved.")
                return redirect("analytics:settings")
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for name, messages_ in errors.items():
                    field = f"weight_{name}" if f"weight_{name}" in form.fields else None
                    for message in messages_:
                        form.add_error(field, message)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TierRequirementsView(AdminRequiredMixin, ScopedQuerysetMixin, TemplateView):
    """A tier's requirements with a what-if: who would move, before saving."""

    model = Tier
    template_name = "analytics/console/tier_requirements.html"

    def get_tier(self) -> Tier:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        tier = self.get_tier()
        kwargs.setdefault("form", TierRequirementsForm(instance=tier))
        return super().get_context_data(tier=tier, **kwargs)

    def post(self, request, pk):
        tier = self.get_tier()
        form = TierRequirementsForm(request.POST, instance=Tier.objects.get(pk=tier.pk))
        context = {"form": form}
        status = 200
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in Tier.REQUIREMENT_FIELDS}
            try:
                if "save" in request.POST:
                    counts = services.tier_requirements_save(
                        tier=tier, values=values, acting_membership=self.membership
                    )
                    messages.success(
                        request,
                        f"{tier.name}'s requirements saved. {counts['proposed']} proposal(s) "
                        f"made, {counts['applied']} applied.",
                    )
                    return redirect(reverse("analytics:proposal_list"))
                moves = services.tier_requirements_what_if(tier=tier, values=values)
                context["moves"] = moves
                context["ups"] = [m for m in moves if m.direction == "upgrade"]
                context["downs"] = [m for m in moves if m.direction == "downgrade"]
                context["previewed"] = True
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
        else:
            status = 400
        return self.render_to_response(self.get_context_data(**context), status=status)
