"""Mixins and helpers shared by the deal pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from prm.core.listing import KnownCountPaginator
from prm.core.views import (
    TenantMemberRequiredMixin,
)
from prm.tenancy.choices import ALL_ROLES, PARTNER_ONLY

from ..models import (
    Deal,
)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You cannot do this."


class PartnerObjectMixin(TenantMemberRequiredMixin):
    """Partner pages of one object: partners use them; staff who open one are sent to the
    console's page of the same object and may not post to it (declared in method_roles).

    Another tenant's or another partner's id is a 404 for every signed-in member, before
    the role check, so a refusal never confirms that the id exists.
    """

    allowed_roles = PARTNER_ONLY
    method_roles = {"GET": ALL_ROLES}
    console_url_name: str

    def scoped_for(self, request):
        """Reads may reach what the member only takes part in (a co-partner of a deal);
        anything else acts, and acts only on its own organization's rows."""
        queryset = self.model.objects.all()
        if request.method in ("GET", "HEAD") and hasattr(queryset, "readable_by"):
            return queryset.readable_by(request.membership)
        return queryset.visible_to(request.membership)

    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if membership is not None:
            obj = get_object_or_404(self.scoped_for(request), pk=kwargs["pk"])
            if membership.is_staff_role and request.method == "GET":
                return redirect(self.console_url_name, pk=obj.pk)
        return super().dispatch(request, *args, **kwargs)


class PartnerDealMixin(PartnerObjectMixin):
    model = Deal
    console_url_name = "deals:console_deal_detail"


class FilteredListMixin:
    """A ListView whose rows go through a FilterSet (the same one the API uses).

    A page that holds the number of its rows already (its figures over the same rows)
    sets `known_count` before paginating, and the paginator counts nothing.
    """

    filterset_class = None
    paginate_by = 50
    known_count: int | None = None

    def filter_queryset(self, queryset):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        return self.filterset.qs if self.filterset.is_bound else queryset

    def get_paginator(self, queryset, per_page, **kwargs):
        return KnownCountPaginator(queryset, per_page, count=self.known_count, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context
