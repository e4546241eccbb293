"""Deals in a real browser: a partner registers and submits a deal, the channel manager
approves it in the review queue (htmx, no reload), the partner sees it approved with its
protection date; and a conflict between two partners is resolved by the channel manager."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from deals.models import Deal
from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Tenant
from tests.browser.conftest import RESULTS_DIR, tenant_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


def sign_in(page, live_server, tenant, email: str) -> None:
    page.goto(tenant_url(live_server, tenant, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def shot(request):
    """`shot(page, "step")` saves test-results/<test>-<step>.png of that page."""

    def take(which_page, step: str) -> None:
        RESULTS_DIR.mkdir(exist_ok=True)
        which_page.screenshot(
            path=str(RESULTS_DIR / f"{request.node.name}-{step}.png"), full_page=True
        )

    return take


@pytest.fixture
def staff_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_register_submit_approve_in_queue_and_see_expiry(page, staff_page, live_server, acme, shot):
    # The partner registers and submits.
    sign_in(page, live_server, acme, "alice@northwind.test")
    page.goto(tenant_url(live_server, acme, "/portal/deals/new/"))
    page.fill("input[name=customer_name]", "Trey Research")
    page.fill("input[name=customer_domain]", "https://www.treyresearch.test")
    page.fill("input[name=country]", "US")
    page.fill("input[name=contact_name]", "Terry Adams")
    close = timezone.localdate() + timedelta(days=40)
    page.fill("input[name=expected_close_date]", close.isoformat())
    page.select_option("select[name=motion]", label="Resell")
    page.select_option("select[name=lines-0-product]", label="Cloud Platform (CP-100)")
    page.fill("input[name=lines-0-quantity]", "2")
    page.fill("input[name=lines-0-amount]", "24000")
    shot(page, "1-registration-form")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/portal/deals/*/")
    assert page.get_by_test_id("deal-status").inner_text() == "Submitted"
    deal_url = page.url
    shot(page, "2-submitted")

    # The channel manager approves it in the queue, in place.
    sign_in(staff_page, live_server, acme, "cm@acme.test")
    staff_page.goto(tenant_url(live_server, acme, "/manage/deals/review/"))
    row = staff_page.get_by_test_id("queue-row").filter(has_text="Trey Research")
    shot(staff_page, "3-queue")
    queue_url = staff_page.url
    row.get_by_role("button", name="Approve").click()
    staff_page.get_by_test_id("queue-row").filter(has_text="Trey Research").get_by_test_id(
        "row-status"
    ).wait_for()
    assert staff_page.url == queue_url  # no page load: htmx swapped the row
    shot(staff_page, "4-queue-approved")
    assert "Approved" in row.inner_text()

    # The partner sees it approved, with the date its protection ends.
    with tenant_context(acme):
        deal = Deal.objects.get(customer_name="Trey Research")
        expiry = deal.protection_expires_on
    page.goto(deal_url)
    assert page.get_by_test_id("deal-status").inner_text() == "Approved"
    assert f"{expiry:%d %b %Y}" in page.get_by_test_id("protection").inner_text()
    shot(page, "5-partner-sees-approved")


def test_channel_manager_resolves_a_conflict(page, staff_page, live_server, acme, shot):
    sign_in(staff_page, live_server, acme, "cm@acme.test")
    staff_page.goto(tenant_url(live_server, acme, "/manage/conflicts/"))
    staff_page.get_by_role("link", name="DR-").first.click()
    staff_page.wait_for_url("**/manage/conflicts/*/")
    body = staff_page.content()
    assert "submitted first" in body and "Same customer domain" in body
    assert "Northwind Traders" in body and "Contoso Solutions" in body
    shot(staff_page, "1-side-by-side")
    staff_page.get_by_label("Earlier registration keeps the customer").check()
    staff_page.select_option("select[name=reason_code]", "first_to_register")
    staff_page.fill("textarea[name=note]", "Northwind registered Tailspin first.")
    staff_page.get_by_role("button", name="Record decision").click()
    staff_page.wait_for_load_state("networkidle")
    assert staff_page.get_by_test_id("conflict-status").inner_text() == "Resolved"
    assert (
        "Earlier registration keeps the customer"
        in staff_page.get_by_test_id("decision").inner_text()
    )
    shot(staff_page, "2-resolved")

    # Contoso, who came second, reads only that an earlier registration exists.
    sign_in(page, live_server, acme, "carol@contoso.test")
    page.goto(tenant_url(live_server, acme, "/portal/deals/?q=Tailspin"))
    page.get_by_role("link", name="DR-").first.click()
    text = page.content()
    assert "An earlier registration exists" in text and "Northwind" not in text
    shot(page, "3-partner-sees-rejection")
