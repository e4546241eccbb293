import uuid

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse


def _render(source, **context):
    return Template("{% load rowurls %}" + source).render(Context(context))


def test_row_url_is_the_reversed_url_of_each_row():
    keys = [uuid.uuid4() for _ in range(3)]
    rendered = _render(
        "{% for k in keys %}{% row_url 'incentives:request_approve' k %}|{% endfor %}", keys=keys
    )
    assert rendered.split("|")[:-1] == [
        reverse("incentives:request_approve", args=[k]) for k in keys
    ]


def test_a_url_without_one_key_argument_is_refused():
    with pytest.raises(NoReverseMatch):
        _render("{% row_url 'incentives:request_queue' 1 %}")
