"""FilterSets of the analytics API."""

from __future__ import annotations

import django_filters

from .choices import ProposalDirection, ProposalStatus
from .models import HealthScore, MonthlyMetrics, TierProposal


class MonthlyMetricsFilterSet(django_filters.FilterSet):
    organization = django_filters.UUIDFilter(field_name="organization_id")
    program = django_filters.BooleanFilter(
        field_name="organization", lookup_expr="isnull", label="Program rows only"
    )
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = MonthlyMetrics
        fields: list[str] = []


class HealthScoreFilterSet(django_filters.FilterSet):
    at_risk = django_filters.BooleanFilter()
    max_score = django_filters.NumberFilter(field_name="score", lookup_expr="lte")

    class Meta:
        model = HealthScore
        fields: list[str] = []


class TierProposalFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices)
    direction = django_filters.ChoiceFilter(choices=ProposalDirection.choices)
    organization = django_filters.UUIDFilter(field_name="organization_id")

    class Meta:
        model = TierProposal
        fields: list[str] = []
