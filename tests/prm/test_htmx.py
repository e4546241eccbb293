"""The one htmx helper: the partial for htmx, the page otherwise, Vary: HX-Request on both."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "fragment_start"),
    [("deals:review_queue", '<div id="queue"'), ("notifications:inbox", "")],
)
def test_list_pages_answer_htmx_with_their_partial_and_vary(
    cm_membership, url_name, fragment_start
):
    client = client_for(cm_membership)
    url = reverse(url_name)
    page = client.get(url)
    partial = client.get(url, headers={"HX-Request": "true"})
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    for response in (page, partial, boosted):
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]
    assert "<html" in page.content.decode() and "<html" in boosted.content.decode()
    body = partial.content.decode()
    assert "<html" not in body
    if fragment_start:
        assert body.lstrip().startswith(fragment_start)
