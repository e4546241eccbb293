"""One FilterSet per listable model, shared by the HTML lists and the API."""

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q
from django.utils import timezone

from .models import Asset, CertificationAward, Course


class CourseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Search")
    published = django_filters.BooleanFilter(
        field_name="published_version", lookup_expr="isnull", exclude=True, label="Published"
    )

    class Meta:
        model = Course
        fields = ("q", "published")


class AwardFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(
        method="by_status", choices=(("valid", "Valid"), ("expired", "Expired")), label="Status"
    )
    # An id, not a drop-down of every organization (thousands of options on the page).
    organization = django_filters.UUIDFilter(field_name="organization")

    class Meta:
        model = CertificationAward
        fields = ("q", "status", "certification", "organization")

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(membership__user__email__icontains=value)
            | Q(membership__user__full_name__icontains=value)
            | Q(organization__name__icontains=value)
            | Q(code__iexact=value.strip())
        )

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "valid":
            return queryset.current(today)
        return queryset.filter(Q(valid_until__lt=today) | Q(revoked_at__isnull=False))


class AssetFilterSet(django_filters.FilterSet):
    """`q` is Postgres full-text search over title, tags, category and description."""

    q = django_filters.CharFilter(method="search", label="Search")
    category = django_filters.CharFilter(field_name="category", lookup_expr="iexact")
    tag = django_filters.CharFilter(method="by_tag", label="Tag")

    class Meta:
        model = Asset
        fields = ("q", "category", "tag", "kind")

    def search(self, queryset, name, value):
        query = SearchQuery(value, search_type="websearch", config="english")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title")
        )

    def by_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.strip().lower()])
