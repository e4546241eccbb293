"""Campaign pages: the kit in the console, launches in the portal, asset downloads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from prm.core.forms import add_service_errors
from prm.core.htmx import render_htmx
from prm.core.uploads import serve
from prm.core.views import (
    PartnerRequiredMixin,
    ScopedQuerysetMixin,
    StaffRequiredMixin,
    TenantMemberRequiredMixin,
)

from .. import selectors, services
from ..filtersets import CampaignFilterSet
from ..forms import CampaignAssetForm, CampaignForm, LaunchForm, LaunchUpdateForm
from ..models import Campaign, CampaignAsset, CampaignLaunch, CampaignLibraryAsset
from .common import PartnerObjectMixin

# ---------------------------------------------------------------------------------------
# Console (vendor staff)
# ---------------------------------------------------------------------------------------


class CampaignListView(StaffRequiredMixin, ScopedQuerysetMixin, ListView):
    model = Campaign
    template_name = "marketing/console/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().with_stats().order_by("-starts_on", "name")
        self.filterset = CampaignFilterSet(
            self.request.GET, queryset=queryset, request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter=self.filterset, **kwargs)
        selectors.describe_audiences(context["campaigns"])
        selectors.set_campaign_mdf(context["campaigns"])  # MDF requested/approved, one query
        return context


class CampaignFormView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """New campaign (no pk) or edit one."""

    model = Campaign
    template_name = "marketing/console/campaign_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(self.get_queryset(), pk=pk) if pk else Campaign()

    def get(self, request, pk=None):
        campaign = self.get_object()
        form = CampaignForm(instance=campaign if campaign.pk else None)
        return render(request, self.template_name, {"form": form, "campaign": campaign})

    def post(self, request, pk=None):
        campaign = self.get_object()
        form = CampaignForm(request.POST, instance=campaign)
        if form.is_valid():
            campaign = form.save(commit=False)
            form.apply_audience(campaign)
            try:
                services.campaign_save(campaign=campaign, acting_membership=self.membership)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Campaign “{campaign.name}” saved.")
                return redirect("marketing:console_campaign_detail", pk=campaign.pk)
        return render(request, self.template_name, {"form": form, "campaign": campaign}, status=400)


class CampaignDetailView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Campaign
    template_name = "marketing/console/campaign_detail.html"

    def get(self, request, pk, asset_form=None, status=200):
        campaign = get_object_or_404(
            self.get_queryset().select_related("audience_min_tier", "lead_motion", "product"),
            pk=pk,
        )
        selectors.describe_audiences([campaign])
        selectors.set_campaign_mdf([campaign])
        launches = list(selectors.campaign_launches(campaign=campaign))
        selectors.set_campaign_mdf(launches, by="launch")
        context = {
            "campaign": campaign,
            "stats": selectors.campaign_stats(campaign=campaign),
            "launches": launches,
            "assets": campaign.assets.select_related("uploaded_by"),
            "asset_form": asset_form or CampaignAssetForm(),
            "library_items": selectors.campaign_library_items(
                campaign=campaign, membership=self.membership
            ),
        }
        return render(request, self.template_name, context, status=status)


class CampaignStatusView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = Campaign

    def post(self, request, pk):
        campaign = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.campaign_set_status(
                campaign=campaign,
                acting_membership=self.membership,
                status=request.POST.get("status", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Campaign status changed.")
        return redirect("marketing:console_campaign_detail", pk=campaign.pk)


class CampaignAssetUploadView(CampaignDetailView):
    def post(self, request, pk):
        campaign = get_object_or_404(self.get_queryset(), pk=pk)
        form = CampaignAssetForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.campaign_asset_add(
                    campaign=campaign,
                    acting_membership=self.membership,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "File added to the kit.")
                return redirect("marketing:console_campaign_detail", pk=campaign.pk)
        return self.get(request, pk, asset_form=form, status=400)


class CampaignAssetDeleteView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = CampaignAsset

    def post(self, request, pk):
        asset = get_object_or_404(self.get_queryset(), pk=pk)
        campaign_id = asset.campaign_id
        services.campaign_asset_delete(asset=asset, acting_membership=self.membership)
        messages.success(request, "File removed from the kit.")
        return redirect("marketing:console_campaign_detail", pk=campaign_id)


LIBRARY_PAGE_SIZE = 10


class CampaignLibrarySearchView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """Find content-library assets to add to the kit: the library's search, ten a page
    (a library of thousands never lands in one list); htmx swaps the results in place."""

    model = Campaign
    template_name = "marketing/console/campaign_library_search.html"

    def get(self, request, pk):
        from django.core.paginator import Paginator

        from enablement.selectors import library_items, library_search

        campaign = get_object_or_404(self.get_queryset(), pk=pk)
        query = request.GET.get("q", "").strip()[:200]
        taken = CampaignLibraryAsset.objects.filter(campaign=campaign).values_list(
            "asset_id", flat=True
        )
        page = Paginator(
            library_search(membership=self.membership, query=query, exclude_ids=taken),
            LIBRARY_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
        context = {
            "campaign": campaign,
            "q": query,
            "page": page,
            "results": library_items(page.object_list),
        }
        return render_htmx(request, self.template_name, context, partial="results")


class CampaignLibraryAddView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    """Add a library asset (by id, picked from the search) to the kit."""

    model = Campaign

    def post(self, request, pk):
        campaign = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            link = services.campaign_library_asset_add(
                campaign=campaign,
                acting_membership=self.membership,
                asset_id=request.POST.get("asset", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"“{link.asset.title}” from the library is in the kit.")
        return redirect("marketing:console_campaign_detail", pk=campaign.pk)


class CampaignLibraryRemoveView(StaffRequiredMixin, ScopedQuerysetMixin, View):
    model = CampaignLibraryAsset

    def post(self, request, pk):
        link = get_object_or_404(self.get_queryset(), pk=pk)
        campaign_id = link.campaign_id
        services.campaign_library_asset_remove(link=link, acting_membership=self.membership)
        messages.success(request, "Library asset taken out of the kit (it stays in the library).")
        return redirect("marketing:console_campaign_detail", pk=campaign_id)


class CampaignAssetDownloadView(TenantMemberRequiredMixin, ScopedQuerysetMixin, View):
    """Staff, and partner users to whom the campaign is offered, download a kit file."""

    model = CampaignAsset

    def get(self, request, pk):
        asset = get_object_or_404(self.get_queryset(), pk=pk)
        return serve(asset.file, content_type=asset.content_type)


# ---------------------------------------------------------------------------------------
# Portal (partner users)
# ---------------------------------------------------------------------------------------


class PortalCampaignListView(PartnerRequiredMixin, ScopedQuerysetMixin, ListView):
    """Campaigns offered to this partner, and its own launches with their figures."""

    model = Campaign
    template_name = "marketing/portal/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 50

    def get_queryset(self):
        today = timezone.localdate()
        return super().get_queryset().filter(ends_on__gte=today).order_by("starts_on", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        launches = list(
            CampaignLaunch.objects.visible_to(self.membership)
            .select_related("campaign")
            .with_stats()
            .order_by("-launched_at")
        )
        context["launches"] = launches
        launched = {launch.campaign_id: launch for launch in launches}
        for campaign in context["campaigns"]:
            campaign.my_launch = launched.get(campaign.pk)
        return context


def _copy(campaign, branding) -> dict:
    fill = services.fill_placeholders
    return {
        "email_subject": fill(campaign.email_subject, branding),
        "email_body": fill(campaign.email_body, branding),
        "social_copy": fill(campaign.social_copy, branding),
    }


class PortalCampaignDetailView(PartnerObjectMixin, View):
    """The co-branded preview (logo, name and contact filled in) and the launch form."""

    model = Campaign
    console_url_name = "marketing:console_campaign_detail"
    template_name = "marketing/portal/campaign_detail.html"

    def _context(self, campaign, form):
        organization = self.membership.partner_organization
        launch = CampaignLaunch.objects.filter(campaign=campaign, organization=organization).first()
        branding = services.branding_for(
            organization=organization, launch=launch, contact=self.request.user
        )
        return {
            "campaign": campaign,
            "organization": organization,
            "launch": launch,
            "copy": _copy(campaign, branding),
            "preview_headline": (form.data.get("headline") if form.is_bound else "")
            or campaign.headline,
            "assets": campaign.assets.all(),
            "library_items": selectors.campaign_library_items(
                campaign=campaign, membership=self.membership
            ),
            "form": form,
            "is_running": campaign.is_running(timezone.localdate()),
        }

    def get(self, request, pk):
        campaign = get_object_or_404(self.get_queryset().select_related("product"), pk=pk)
        user = request.user
        form = LaunchForm(
            campaign=campaign,
            initial={
                "contact_name": user.display_name,
                "contact_email": user.email,
                "contact_phone": self.membership.partner_organization.phone,
            },
        )
        return render(request, self.template_name, self._context(campaign, form))

    def post(self, request, pk):
        campaign = get_object_or_404(self.get_queryset().select_related("product"), pk=pk)
        form = LaunchForm(request.POST, campaign=campaign)
        if form.is_valid():
            try:
                launch = services.campaign_launch(
                    campaign=campaign, acting_membership=self.membership, fields=form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Launched: your landing page is live.")
                return redirect("marketing:portal_launch_detail", pk=launch.pk)
        return render(request, self.template_name, self._context(campaign, form), status=400)


class PortalLaunchDetailView(PartnerObjectMixin, View):
    """The partner's own launch: its figures, its page address, its copy; personalise it."""

    model = CampaignLaunch
    template_name = "marketing/portal/launch_detail.html"

    def _launch(self, pk):
        return get_object_or_404(
            self.get_queryset().select_related("campaign", "organization").with_stats(), pk=pk
        )

    def _context(self, launch, form):
        branding = services.branding_for(organization=launch.organization, launch=launch)
        return {
            "launch": launch,
            "campaign": launch.campaign,
            "copy": _copy(launch.campaign, branding),
            "public_url": branding.landing_page,
            "assets": launch.campaign.assets.all(),
            "library_items": selectors.campaign_library_items(
                campaign=launch.campaign, membership=self.membership
            ),
            "mdf": selectors.campaign_mdf(launch_ids=[launch.pk], by="launch").get(launch.pk, []),
            "recent_leads": launch.leads.select_related("lead").order_by("-created_at")[:20],
            "form": form,
        }

    def get(self, request, pk):
        launch = self._launch(pk)
        form = LaunchUpdateForm(
            campaign=launch.campaign,
            initial={
                "headline": launch.headline,
                "intro": launch.intro,
                "contact_name": launch.contact_name,
                "contact_email": launch.contact_email,
                "contact_phone": launch.contact_phone,
                "is_active": launch.is_active,
            },
        )
        return render(request, self.template_name, self._context(launch, form))

    def post(self, request, pk):
        launch = self._launch(pk)
        form = LaunchUpdateForm(request.POST, campaign=launch.campaign)
        if form.is_valid():
            try:
                services.campaign_launch_update(
                    launch=launch,
                    acting_membership=self.membership,
                    fields=form.cleaned_data,
                    is_active=form.cleaned_data["is_active"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your landing page is updated.")
                return redirect("marketing:portal_launch_detail", pk=launch.pk)
        return render(request, self.template_name, self._context(launch, form), status=400)
