"""FilterSets shared by the HTML lists and the API. Choices are the current tenant's rows
(callables, so nothing is queried at import time when no tenant is current)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from prm.core.widgets import QuickSelect

from . import models
from .choices import ApplicationStatus, LifecycleStage, TouchpointKind


def _types(request):
    return models.PartnerType.objects.all()


def _tiers(request):
    return models.Tier.objects.all()


def _staff(request):
    from prm.tenancy.selectors import staff_users

    return staff_users()


class PartnerOrganizationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    # QuickSelect: the same markup without a template per option (the filter's selects
    # were a sixth of the partner list's rendering, bench/RESULTS.md).
    partner_type = django_filters.ModelChoiceFilter(
        queryset=_types, label="Type", widget=QuickSelect
    )
    tier = django_filters.ModelChoiceFilter(queryset=_tiers, widget=QuickSelect)
    lifecycle_stage = django_filters.ChoiceFilter(
        choices=LifecycleStage.choices, label="Stage", widget=QuickSelect
    )
    channel_manager = django_filters.ModelChoiceFilter(queryset=_staff, widget=QuickSelect)
    country = django_filters.CharFilter(method="filter_country")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("tier__rank", "tier"),
            ("lifecycle_stage", "stage"),
            ("country", "country"),
            ("last_activity_at", "last_activity"),
            ("created_at", "created"),
        ),
        choices=[
            ("name", "Name, A to Z"),
            ("-name", "Name, Z to A"),
            ("-tier", "Highest tier first"),
            ("tier", "Lowest tier first"),
            ("stage", "Lifecycle stage, prospects first"),
            ("-stage", "Lifecycle stage, offboarded first"),
            ("country", "Country, A to Z"),
            ("-country", "Country, Z to A"),
            ("-last_activity", "Most recently active first"),
            ("last_activity", "Longest inactive first"),
            ("-created", "Newest partners first"),
            ("created", "Oldest partners first"),
        ],
        label="Sort by",
        widget=QuickSelect,
    )

    class Meta:
        model = models.PartnerOrganization
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__iexact=value.strip())


class LocatorFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country")
    partner_type = django_filters.ModelChoiceFilter(queryset=_types, label="Type")
    tier = django_filters.ModelChoiceFilter(queryset=_tiers)

    class Meta:
        model = models.PartnerOrganization
        fields: list[str] = []

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__iexact=value.strip())


class ApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = models.PartnerApplication
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(company_name__icontains=value)
            | Q(domain__icontains=value)
            | Q(contact_email__icontains=value)
        )


class TouchpointFilterSet(django_filters.FilterSet):
    organization = django_filters.UUIDFilter(field_name="organization_id")
    kind = django_filters.ChoiceFilter(choices=TouchpointKind.choices)

    class Meta:
        model = models.Touchpoint
        fields: list[str] = []


class BusinessPlanFilterSet(django_filters.FilterSet):
    organization = django_filters.UUIDFilter(field_name="organization_id")

    class Meta:
        model = models.BusinessPlan
        fields: list[str] = []


class AgreementFilterSet(django_filters.FilterSet):
    partner_type = django_filters.UUIDFilter(field_name="partner_type_id")

    class Meta:
        model = models.Agreement
        fields: list[str] = []
