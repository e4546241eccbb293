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


def test_row_urls_gives_each_rows_url_from_one_lookup():
    from prm.core.templatetags.rowurls import row_urls

    keys = [uuid.uuid4() for _ in range(3)]
    url = row_urls("incentives:request_reject")
    assert [url(k) for k in keys] == [reverse("incentives:request_reject", args=[k]) for k in keys]
    assert [url(str(k)) for k in keys] == [url(k) for k in keys]
