"""The API docs (Swagger UI) render in a real browser under the portal's CSP."""

from __future__ import annotations

import pytest

from tests.browser.conftest import tenant_url
from tests.factories import TEST_PASSWORD, MembershipFactory, TenantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_list_the_operations(page, live_server, screenshot):
    tenant = TenantFactory(slug="docs", name="Docs Co")
    admin = MembershipFactory(tenant=tenant, role="admin", user__email="docs-admin@docs.test")
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text and "script" in msg.text
            else None
        ),
    )
    page.goto(tenant_url(live_server, tenant, "/accounts/login/"))
    page.fill("input[name=login]", admin.user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/manage/")

    page.goto(tenant_url(live_server, tenant, "/api/v1/docs/"))
    page.locator(".opblock").first.wait_for()
    # Swagger UI renders the operation list lazily (the DOM holds what is near the view),
    # so the check is that operations are drawn and links to them work, not a count.
    screenshot("docs")
    assert page.locator(".opblock").count() > 5
    first = page.locator(".opblock .opblock-summary-path").first
    assert first.inner_text().startswith("/api/v1/")
    assert "PRM portal API" in page.locator(".info .title").inner_text()
    assert violations == []
