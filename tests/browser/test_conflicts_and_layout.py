# ruff: noqa: F811  (the fixtures of the registration journey are reused by name)
"""In a real browser: the channel-conflict rule from both sides, and the layout at a
phone's width and at the common laptop widths (screenshots in test-results/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from deals.models import Deal
from prm.tenancy.context import tenant_context
from tests.browser.conftest import tenant_url
from tests.browser.test_deals_registration import acme, shot, sign_in, staff_page  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_same_customer_other_products_is_a_conflict_for_both_sides(
    page,
    staff_page,
    live_server,
    acme,
    shot,  # noqa: F811
):
    # Contoso registers Adventure Works, which Northwind holds approved and protected,
    # for a product Northwind's registration does not have.
    sign_in(page, live_server, acme, "carol@contoso.test")
    page.goto(tenant_url(live_server, acme, "/portal/deals/new/"))
    page.fill("input[name=customer_name]", "Adventure Works Cycles")
    page.fill("input[name=customer_domain]", "adventure-works.test")
    page.fill("input[name=country]", "US")
    page.fill("input[name=contact_name]", "Ana Trujillo")
    page.fill(
        "input[name=expected_close_date]", (timezone.localdate() + timedelta(days=45)).isoformat()
    )
    page.select_option("select[name=motion]", label="Resell")
    page.select_option("select[name=lines-0-product]", label="Analytics Add-on (AN-10)")
    page.fill("input[name=lines-0-quantity]", "1")
    page.fill("input[name=lines-0-amount]", "6000")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/portal/deals/*/")
    assert page.get_by_test_id("deal-status").inner_text() == "Submitted"
    assert "Northwind" not in page.content()  # partners never see the other registration
    deal_url = page.url
    shot(page, "1-partner-submitted")

    # The channel manager cannot approve it from the queue: no button, no checkbox.
    sign_in(staff_page, live_server, acme, "cm@acme.test")
    staff_page.goto(tenant_url(live_server, acme, "/manage/deals/review/"))
    row = staff_page.get_by_test_id("queue-row").filter(has_text="Adventure Works Cycles")
    assert row.get_by_test_id("open-conflict").is_visible()
    assert row.get_by_role("button", name="Approve").count() == 0
    assert row.locator("input[type=checkbox]").count() == 0
    shot(staff_page, "2-queue-without-approve")
    row.get_by_test_id("resolve-conflict").click()
    staff_page.wait_for_url("**/manage/deals/*/**")
    staff_page.locator("#conflicts-title ~ ul a").first.click()
    staff_page.wait_for_url("**/manage/conflicts/*/")
    body = staff_page.content()
    assert "Same customer domain" in body and "No products in common" in body
    shot(staff_page, "3-conflict")
    staff_page.get_by_label("Earlier registration keeps the customer").check()
    staff_page.select_option("select[name=reason_code]", "first_to_register")
    staff_page.fill("textarea[name=note]", "Northwind holds Adventure Works under protection.")
    staff_page.get_by_role("button", name="Record decision").click()
    staff_page.wait_for_load_state("networkidle")
    assert staff_page.get_by_test_id("conflict-status").inner_text() == "Resolved"

    # Contoso reads that an earlier registration exists, and nothing about whose.
    page.goto(deal_url)
    assert page.get_by_test_id("deal-status").inner_text() == "Rejected"
    text = page.content()
    assert "An earlier registration exists" in text and "Northwind" not in text
    shot(page, "4-partner-rejected")
    with tenant_context(acme):
        approved = Deal.objects.filter(customer_domain="adventure-works.test", status="approved")
        assert approved.count() == 1


def _rows(page) -> int:
    """How many rows the header's top-level items take (items of one row differ only in
    their vertical alignment: one starting below another's bottom is on a new row)."""
    return page.evaluate(
        """() => {
            const boxes = [...document.querySelectorAll('.site-header nav > ul > li')]
                .filter((li) => li.offsetParent !== null)
                .map((li) => li.getBoundingClientRect());
            const firstBottom = Math.min(...boxes.map((b) => b.bottom));
            return boxes.some((b) => b.top >= firstBottom - 1) ? 2 : 1;
        }"""
    )


@pytest.mark.parametrize("width", [1280, 1366])
def test_console_header_stays_on_one_row(browser, live_server, acme, width, request):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server, acme, "cm@acme.test")
        page.goto(tenant_url(live_server, acme, "/manage/deals/review/"))
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"test-results/layout-console-{width}.png", full_page=False)
        assert page.get_by_test_id("unread-count").is_visible()
        assert _rows(page) == 1
        # Every link is still reachable: in the row, or under "More".
        more = page.locator(".nav-more:not([hidden]) summary")
        if more.count():
            more.click()
            page.screenshot(path=f"test-results/layout-console-{width}-more.png", full_page=False)
        assert page.get_by_role("link", name="Conflicts").is_visible()
        assert page.get_by_role("link", name="People").is_visible()
    finally:
        context.close()


def test_phone_width_collapses_the_navigation_and_stacks_the_queue(browser, live_server, acme):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, acme, "cm@acme.test")
        page.goto(tenant_url(live_server, acme, "/manage/deals/review/"))
        page.wait_for_load_state("networkidle")
        assert not page.locator("#main-nav").is_visible()
        toggle = page.get_by_role("button", name="Menu")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        page.screenshot(path="test-results/layout-queue-390.png", full_page=True)
        decision = page.get_by_test_id("decision").first
        box = decision.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        toggle.click()
        assert page.locator("#main-nav").is_visible()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.get_by_role("link", name="Review queue").is_visible()
        page.screenshot(path="test-results/layout-menu-open-390.png", full_page=False)
    finally:
        context.close()
