"""The public landing page of a partner's launch: no sign-in, on the tenant's host.

The launch is looked up through the tenant-scoped manager, so the same address on
another tenant's host is a 404. Visitors leave nothing but a count of views; a
submission is checked for spam (honeypot), limited per address (one atomic Redis
counter), needs consent, and keeps what was typed when something is wrong.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from prm.core.clientip import client_ip
from prm.core.forms import add_service_errors
from prm.core.uploads import serve

from .. import services
from ..forms import LandingLeadForm
from ..models import CampaignLaunch

SUBMISSIONS_PER_HOUR = getattr(settings, "PRM_LANDING_SUBMISSIONS_PER_HOUR", 5)
# Field names of the lead service that the public form calls differently.
SERVICE_FIELD_NAMES = {"customer_name": "company", "contact_email": "email", "contact_name": "name"}


def client_address(request) -> str:
    """The visitor's address (used only as a rate-limit key): behind the trusted proxies
    of PRM_TRUSTED_PROXY_COUNT / _CIDRS, the client's, not the proxy's."""
    return client_ip(request) or "unknown"


def submission_allowed(request) -> bool:
    """Count this submission for the visitor's address; False past the hourly limit.

    `add` creates the counter with its expiry only when absent and `incr` is atomic in
    Redis, so concurrent submissions cannot both slip under the limit.
    """
    key = f"marketing:landing:{request.tenant.pk}:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        count = 1
    return count <= SUBMISSIONS_PER_HOUR


class LandingMixin:
    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "tenant", None) is None:
            raise Http404("This page exists only on a tenant's portal.")
        return super().dispatch(request, *args, **kwargs)

    def get_launch(self, partner_slug: str, campaign_slug: str) -> CampaignLaunch:
        return get_object_or_404(
            CampaignLaunch.objects.select_related("campaign", "organization", "campaign__product"),
            slug=partner_slug,
            campaign__slug=campaign_slug,
            campaign__status__in=("published", "closed"),
        )


class LandingPageView(LandingMixin, View):
    template_name = "marketing/public/landing.html"

    def _render(self, request, launch, form, status=200):
        context = {
            "launch": launch,
            "campaign": launch.campaign,
            "organization": launch.organization,
            "headline": launch.headline or launch.campaign.headline,
            "is_open": services.landing_is_open(launch),
            "form": form,
        }
        return render(request, self.template_name, context, status=status)

    def _form(self, launch, data=None):
        return LandingLeadForm(data, consent_label=services.consent_text(launch))

    def get(self, request, partner_slug, campaign_slug):
        launch = self.get_launch(partner_slug, campaign_slug)
        if services.landing_is_open(launch):
            services.landing_page_view_record(launch=launch)
        return self._render(request, launch, self._form(launch))

    def post(self, request, partner_slug, campaign_slug):
        launch = self.get_launch(partner_slug, campaign_slug)
        form = self._form(launch, request.POST)
        if form.is_spam:
            # Bots get the same answer as people, and nothing is stored.
            return redirect("marketing:landing_thanks", partner_slug, campaign_slug)
        if not services.landing_is_open(launch):
            form.add_error(None, "This page no longer takes requests.")
            return self._render(request, launch, form, status=400)
        if not submission_allowed(request):
            form.add_error(
                None, "Too many requests from your network in the last hour; try again later."
            )
            return self._render(request, launch, form, status=429)
        if form.is_valid():
            try:
                services.campaign_lead_submit(launch=launch, data=form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    exc = ValidationError(
                        {SERVICE_FIELD_NAMES.get(k, k): v for k, v in exc.error_dict.items()}
                    )
                add_service_errors(form, exc)
            else:
                return redirect("marketing:landing_thanks", partner_slug, campaign_slug)
        return self._render(request, launch, form, status=400)


class LandingThanksView(LandingMixin, View):
    def get(self, request, partner_slug, campaign_slug):
        launch = self.get_launch(partner_slug, campaign_slug)
        return render(
            request,
            "marketing/public/thanks.html",
            {"launch": launch, "organization": launch.organization},
        )


class LandingLogoView(LandingMixin, View):
    """The launching partner's logo, for its public page (the logo is public there)."""

    def get(self, request, partner_slug, campaign_slug):
        launch = self.get_launch(partner_slug, campaign_slug)
        logo = launch.organization.logo
        if not logo:
            raise Http404("No logo.")
        import filetype

        with logo.open("rb") as handle:
            kind = filetype.guess(handle.read(512))
        if kind is None or not kind.mime.startswith("image/"):
            raise Http404("No logo.")
        response = serve(logo, content_type=kind.mime, inline=True)
        response["Cache-Control"] = "public, max-age=3600"
        return response
