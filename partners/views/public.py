"""Public pages on the tenant's host (no sign-in): the application form and the partner locator."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import ListView, TemplateView

from prm.core import ratelimit
from prm.core.clientip import client_ip
from prm.core.forms import add_service_errors

from .. import forms, models, services
from ..choices import LifecycleStage
from ..filtersets import LocatorFilterSet

APPLY_LIMIT_PER_HOUR = 5


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
        # One slot per application and address (behind the trusted proxies) per hour,
        # taken atomically before anything is stored, so concurrent posts cannot all
        # slip under the limit; a post that stores nothing gives its slot back.
        key = f"partners:apply:{request.tenant.pk}:{client_ip(request)}"
        if not ratelimit.reserve(key, limit=APPLY_LIMIT_PER_HOUR, window_seconds=3600):
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
                return redirect("partners:apply_done")
        ratelimit.release(key)
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
