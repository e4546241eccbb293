"""One FilterSet per listable model, shared by the HTML lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from .choices import CampaignStatus, HelpCategory, HelpStatus
from .models import Announcement, Campaign, CampaignLaunch, HelpRequest


class CampaignFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, empty_label="Any status")

    class Meta:
        model = Campaign
        fields = ("q", "status")

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(summary__icontains=value))


class CampaignLaunchFilterSet(django_filters.FilterSet):
    campaign = django_filters.UUIDFilter(field_name="campaign")
    partner = django_filters.CharFilter(
        field_name="organization__name", lookup_expr="icontains", label="Partner"
    )

    class Meta:
        model = CampaignLaunch
        fields = ("campaign", "partner")


class AnnouncementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Announcement
        fields = ("q",)

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(body_markdown__icontains=value))


class HelpRequestFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=HelpStatus.choices, empty_label="Any status")
    category = django_filters.ChoiceFilter(choices=HelpCategory.choices, empty_label="Any category")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Assigned to me")

    class Meta:
        model = HelpRequest
        fields = ("status", "category")

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(assignee=user) if value and user is not None else queryset
