"""The API's filter backend skips building the filter set when a request names no query
parameter (prm/api/filters.py). That is only right while no filter set filters by
default or requires a value: checked here for every filter set of the project."""

import importlib

import django_filters
import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from tests.conftest import client_for
from tests.deals.factories import make_deal

FILTERSET_MODULES = (
    "analytics.filtersets",
    "deals.filtersets",
    "enablement.filtersets",
    "marketing.filtersets",
    "partners.filtersets",
    "prm.accounts.filtersets",
)


def _filtersets():
    for module_name in FILTERSET_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_filters.FilterSet)
                and value.__module__ == module_name
                and getattr(value._meta, "model", None) is not None
            ):
                yield value


def test_the_api_uses_the_skipping_backend():
    backends = settings.REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]
    assert "prm.api.filters.FilterBackend" in backends
    assert "django_filters.rest_framework.DjangoFilterBackend" not in backends


@pytest.mark.django_db
@pytest.mark.parametrize("filterset_class", list(_filtersets()), ids=lambda c: c.__qualname__)
def test_no_filter_set_filters_without_parameters(in_tenant, filterset_class):
    queryset = filterset_class._meta.model._default_manager.all()
    filterset = filterset_class(QueryDict(), queryset=queryset, request=None)
    assert filterset.is_valid(), filterset.errors
    assert str(filterset.qs.query) == str(queryset.query)


@pytest.mark.django_db
def test_a_list_without_parameters_is_the_same_as_with_an_unused_one(
    partner_admin_membership, cm_membership
):
    for n in range(3):
        make_deal(partner_admin_membership, customer=f"Customer {n}", domain=f"c{n}.example")
    client = client_for(cm_membership)
    url = reverse("api:deal-list")
    plain = client.get(url)
    filtered = client.get(url, {"unused": "1"})
    assert plain.status_code == filtered.status_code == 200
    assert plain.json()["count"] == 3
    assert [d["id"] for d in plain.json()["results"]] == [
        d["id"] for d in filtered.json()["results"]
    ]
