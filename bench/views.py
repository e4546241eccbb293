"""Floor views of PERFORMANCE.md, served beside the real pages by the benchmark server.

Each floor lists the same rows the page it is compared with would list (a partner's own
organization's deals, or all of the tenant's deals for staff), with the plainest code
that does it: one query, no filters, no annotations beyond what the floor names.
"""

from django.db.models import Subquery
from django.http import Http404, HttpResponse
from django.views.generic import TemplateView, View
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from deals.models import Deal
from prm.api.pagination import StandardPagination
from prm.core.views import TenantMemberRequiredMixin


def plain(request):
    """The plain floor: HttpResponse('ok')."""
    return HttpResponse("ok")


class MemberNoopView(TenantMemberRequiredMixin, View):
    """Tenant-scoped, signed-in, does nothing: what tenancy, auth and RLS set-up cost."""

    def get(self, request, *args, **kwargs):
        return HttpResponse("ok")


def _floor_deals(request):
    queryset = Deal.objects.all()
    membership = getattr(request, "membership", None)
    if membership is not None and membership.is_partner:
        queryset = queryset.filter(organization_id=membership.partner_organization_id)
    return queryset


def _newest_50(queryset):
    """The newest 50 rows, picked in a subquery, then joined: still one query.

    Written this way because the naive `select_related(...).order_by("-number")[:50]`
    is planned as "join all the tenant's deals, then sort" — every joined table carries
    its own tenant condition (scoped manager and RLS policy), Postgres multiplies their
    selectivities as if independent and expects a few hundred rows where there are
    50,000 (see RESULTS.md). A floor must not pay for that misestimate; the pages that
    do are reported with it as the cause.
    """
    newest = queryset.order_by("-number").values("pk")[:50]
    return queryset.filter(pk__in=Subquery(newest))


class TemplateFloorView(TenantMemberRequiredMixin, TemplateView):
    """Base layout (portal or console) + a 50-row table from one select_related query."""

    template_name = "bench/template_floor.html"

    def get_context_data(self, **kwargs):
        layout = kwargs["layout"]
        if layout not in ("portal", "console"):
            raise Http404
        context = super().get_context_data(**kwargs)
        context["layout"] = f"{layout}/base.html"
        context["deals"] = list(
            _newest_50(_floor_deals(self.request))
            .select_related("organization", "motion")
            .order_by("-number")
        )
        return context


class FloorDealSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")

    class Meta:
        model = Deal
        fields = (
            "id",
            "number",
            "status",
            "customer_name",
            "customer_domain",
            "country",
            "amount",
            "expected_close_date",
            "organization",
            "created_at",
        )


class ApiFloorView(ListAPIView):
    """A DRF ListAPIView, 50 per page with a count (the project's default pagination)."""

    serializer_class = FloorDealSerializer
    pagination_class = StandardPagination

    def get_queryset(self):
        return _floor_deals(self.request).select_related("organization").order_by("-number")
