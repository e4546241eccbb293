"""One FilterSet per listable model, shared by the HTML lists and the API."""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q
from django.forms import HiddenInput

from prm.core.listing import choice_objects
from prm.core.widgets import QuickSelect

from .choices import ConflictStatus, DealStatus, LeadStatus
from .models import Deal, DealConflict, Lead, Motion, MotionStage, Product
from .widgets import PartnerAutocompleteInput


def _motions(request):
    return Motion.objects.all() if request is not None else Motion.objects.none()


def _stages(request):
    if request is None:
        return MotionStage.objects.none()
    return MotionStage.objects.select_related("motion").order_by("motion__name", "position")


class DealFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=DealStatus.choices, empty_label="Any status", widget=QuickSelect
    )
    motion = django_filters.ModelChoiceFilter(
        queryset=_motions, empty_label="Any motion", widget=QuickSelect
    )
    stage = django_filters.ModelChoiceFilter(
        queryset=_stages, empty_label="Any stage", widget=QuickSelect
    )
    # By name on the pages, suggested as the channel manager types (htmx autocomplete):
    # a <select> of every partner of the tenant cost ~30 ms per page at 500 partners
    # (bench/RESULTS.md). By id for links and the API; the rows it filters are the
    # member's scoped rows, so a foreign id simply matches nothing.
    partner = django_filters.CharFilter(
        field_name="organization__name",
        lookup_expr="icontains",
        label="Partner",
        widget=PartnerAutocompleteInput,
    )
    organization = django_filters.UUIDFilter(field_name="organization", widget=HiddenInput)
    country = django_filters.CharFilter(method="filter_country", label="Country")
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label="Submitted from"
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label="Submitted until"
    )
    ordering = django_filters.OrderingFilter(
        fields=(("number", "number"), ("submitted_at", "submitted"), ("amount", "amount")),
        choices=[
            ("-number", "Newest registrations first"),
            ("number", "Oldest registrations first"),
            ("-submitted", "Latest submitted first"),
            ("submitted", "Earliest submitted first"),
            ("-amount", "Largest amount first"),
            ("amount", "Smallest amount first"),
        ],
        label="Sort",
        widget=QuickSelect,
    )

    class Meta:
        model = Deal
        fields = ("q", "status", "motion", "stage", "partner", "organization", "country")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = getattr(self.request, "membership", None)
        if membership is not None and membership.is_partner:
            # A partner's rows are all its own: a partner filter would mean nothing.
            del self.filters["partner"]
            del self.filters["organization"]
        # Stage names repeat across motions ("Qualify"): show which motion each is of.
        self.form.fields["stage"].label_from_instance = lambda s: f"{s.motion.name} · {s.name}"
        self._choice_objects = None

    def choice_objects(self) -> tuple[dict, dict]:
        """The motions and stages of the form's selects (those the page keeps), read once
        by primary key: the selects write their options from them, and the page takes
        its rows' and figures' motion and stage from them instead of reading them again.
        """
        if self._choice_objects is None:
            stage, related = self.form.fields.get("stage"), None
            if stage is not None and "motion" in self.form.fields:
                # Each stage's motion (its label names it) from the motion select's
                # objects, rather than joined and made again for every stage.
                stage.queryset = stage.queryset.select_related(None)
                related = {"stage": {"motion": "motion"}}
            found = choice_objects(self.form, ("motion", "stage"), related=related)
            self._choice_objects = (found["motion"], found["stage"])
        return self._choice_objects

    def search(self, queryset, name, value):
        value = value.strip()
        number = re.fullmatch(r"(?i)(?:dr-?)?0*(\d{1,9})", value)
        condition = Q(customer_name__icontains=value) | Q(customer_domain__icontains=value.lower())
        if number:
            condition |= Q(number=int(number.group(1)))
        return queryset.filter(condition)

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())


class ReviewQueueFilterSet(DealFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[
            (DealStatus.SUBMITTED, "Submitted"),
            (DealStatus.INFO_REQUESTED, "Waiting for partner"),
        ],
        empty_label="Waiting for anyone",
        widget=QuickSelect,
    )
    ordering = django_filters.OrderingFilter(
        fields=(("submitted_at", "age"),),
        # Said in words, not as "Oldest first (descending)".
        choices=[("age", "Oldest first"), ("-age", "Newest first")],
        empty_label="Oldest first",
        label="Sort",
        widget=QuickSelect,
    )


class ConflictFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ConflictStatus.choices, empty_label="Any status")

    class Meta:
        model = DealConflict
        fields = ("status",)


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="customer_name", lookup_expr="icontains", label="Search"
    )
    status = django_filters.ChoiceFilter(choices=LeadStatus.choices, empty_label="Any status")
    country = django_filters.CharFilter(method="filter_country", label="Country")

    class Meta:
        model = Lead
        fields = ("q", "status", "country")

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    family = django_filters.CharFilter(field_name="family", lookup_expr="iexact")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Product
        fields = ("q", "family", "is_active")

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value))
