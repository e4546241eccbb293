"""Enablement in a real browser: a partner member takes a course, fails the quiz once,
passes it on the second attempt and earns the certification; the partner admin's tier
page counts certified people 0 → 1; the public verification page confirms it."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from enablement.models import CertificationAward
from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Tenant
from tests.browser.conftest import RESULTS_DIR, click_nav_link, tenant_url

pytestmark = pytest.mark.django_db(transaction=True)

WRONG = ["Printers, scanners and fax", "Consumers", "A price quote"]
RIGHT = ["Data, people and workflows", "IT leaders in mid-sized companies", "Logging in"]


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


def _sign_in(page, live_server, tenant, email):
    page.goto(tenant_url(live_server, tenant, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/")


def _certified_people(page) -> str:
    row = page.get_by_test_id("tier-gaps").locator("tr", has_text="Certified people")
    return row.locator("td").nth(1).inner_text().strip()


def _shot(page, name):
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / f"enablement-{name}.png"), full_page=True)


def _answer(page, choices):
    for text in choices:
        page.get_by_label(text, exact=True).check()
    page.get_by_test_id("submit-quiz").click()
    page.wait_for_selector("[data-testid=attempt-result]")


def test_member_earns_a_certification_seen_on_the_tier_page_and_verified(
    browser, page, live_server, acme
):
    # The partner admin's tier page: nobody at Contoso is certified yet.
    _sign_in(page, live_server, acme, "carol@contoso.test")
    page.goto(tenant_url(live_server, acme, "/portal/tier/"))
    assert _certified_people(page) == "0"
    _shot(page, "1-tier-before")

    # A partner member takes the course in a browser of their own.
    member_context = browser.new_context(viewport={"width": 1280, "height": 900})
    member = member_context.new_page()
    _sign_in(member, live_server, acme, "dave@contoso.test")
    click_nav_link(member, "Learn")
    member.get_by_role("link", name="Platform fundamentals").click()
    member.get_by_test_id("start-course").click()
    for _ in range(3):
        member.get_by_test_id("complete-lesson").click()
    member.wait_for_url(re.compile(r".*/portal/learn/courses/[^/]+/$"))
    _shot(member, "2-course-done")
    member.get_by_test_id("take-quiz").click()
    _answer(member, WRONG)
    result = member.get_by_test_id("attempt-result").inner_text()
    assert "Failed" in result and "0%" in result
    assert member.get_by_test_id("wrong").count() == 3
    assert "(right answer)" not in member.content()
    _shot(member, "3-failed")
    member.get_by_test_id("retry-quiz").click()
    _answer(member, RIGHT)
    assert "Passed" in member.get_by_test_id("attempt-result").inner_text()
    _shot(member, "4-passed")

    member.goto(tenant_url(live_server, acme, "/portal/learn/certificates/"))
    member.get_by_role("link", name="Certified Platform Associate").click()
    certificate = member.get_by_test_id("certificate").inner_text()
    assert "Dave" in certificate and "Contoso Solutions" in certificate
    _shot(member, "5-certificate")
    member_context.close()

    # The tier page now counts one certified person.
    page.reload()
    assert _certified_people(page) == "1"
    _shot(page, "6-tier-after")

    # Anyone can check the certificate by its code, and sees only what it says.
    with tenant_context(acme):
        code = CertificationAward.objects.get(membership__user__email="dave@contoso.test").code
    public_context = browser.new_context()
    public = public_context.new_page()
    public.goto(tenant_url(live_server, acme, f"/verify/{code}/"))
    verification = public.get_by_test_id("verification").inner_text()
    assert "Certified Platform Associate" in verification
    assert "Contoso Solutions" in verification and "Valid" in verification
    assert "dave@contoso.test" not in public.content()
    _shot(public, "7-verify")
    public_context.close()
