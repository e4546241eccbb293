"""One FilterSet per listable model of the people pages, shared by the page and the API."""

from django.db.models import Q
from django_filters import rest_framework as filters

from prm.tenancy.models import Membership


class MembershipFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Search name or e-mail")

    class Meta:
        model = Membership
        fields = ("q", "role", "partner_organization", "partner_role", "is_active")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(user__email__icontains=value) | Q(user__full_name__icontains=value)
        )
