"""Mixins and helpers shared by the deal pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect

from prm.core.views import (
    TenantMemberRequiredMixin,
)

from ..models import (
    Deal,
)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You cannot do this."


class PartnerObjectMixin:
    """Partner pages of one object: any member may ask, the scoped lookup decides.

    Another tenant's or another partner's id is a 404 for everyone (before any role
    check, so a refusal never confirms that the id exists); staff are sent to the
    console's page of the same object.
    """

    console_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        obj = get_object_or_404(self.model.objects.visible_to(request.membership), pk=kwargs["pk"])
        if request.membership.is_staff_role:
            if request.method == "GET" and self.console_url_name:
                return redirect(self.console_url_name, pk=obj.pk)
            raise PermissionDenied("This page is for partner users.")
        return super().dispatch(request, *args, **kwargs)


class PartnerDealMixin(TenantMemberRequiredMixin, PartnerObjectMixin):
    model = Deal
    console_url_name = "deals:console_deal_detail"


class FilteredListMixin:
    """A ListView whose rows go through a FilterSet (the same one the API uses)."""

    filterset_class = None
    paginate_by = 50

    def filter_queryset(self, queryset):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        return self.filterset.qs if self.filterset.is_bound else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context
