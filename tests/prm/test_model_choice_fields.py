"""prm.core.forms' model selects read their options with one plain query."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import PartnerType
from prm.core.forms import ModelChoiceField, ModelMultipleChoiceField
from tests.partners.factories import PartnerTypeFactory


def _form(single, multiple):
    class Form(forms.Form):
        one = single(queryset=PartnerType.objects.order_by("name"), required=False)
        many = multiple(queryset=PartnerType.objects.order_by("name"), required=False)

    return Form


@pytest.mark.django_db
def test_options_in_one_query_each_without_a_server_side_cursor(in_tenant):
    for name in ("Reseller", "MSP", "Referral"):
        PartnerTypeFactory(name=name)
    form = _form(ModelChoiceField, ModelMultipleChoiceField)()

    with CaptureQueriesContext(connection) as queries:
        html = str(form["one"]) + str(form["many"])
        again = str(form["one"]) + str(form["many"])

    assert len(queries) == 2, [q["sql"] for q in queries]
    assert not any(q["sql"].lstrip().upper().startswith("DECLARE") for q in queries)
    assert html == again
    assert html.count("<option") == 4 + 3  # the empty choice of the single select


@pytest.mark.django_db
def test_same_markup_and_cleaning_as_django(in_tenant):
    types = [PartnerTypeFactory(name=n) for n in ("Reseller", "MSP")]
    ours = _form(ModelChoiceField, ModelMultipleChoiceField)
    django = _form(forms.ModelChoiceField, forms.ModelMultipleChoiceField)
    data = {"one": str(types[1].pk), "many": [str(t.pk) for t in types]}

    assert str(ours(initial={"one": types[0].pk})) == str(django(initial={"one": types[0].pk}))
    mine, theirs = ours(data), django(data)
    assert mine.is_valid() and theirs.is_valid()
    assert mine.cleaned_data["one"] == types[1]
    assert set(mine.cleaned_data["many"]) == set(theirs.cleaned_data["many"])
    assert not ours({"one": "00000000-0000-0000-0000-000000000000"}).is_valid()
