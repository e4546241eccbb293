"""The partner journey in a real browser: a company applies at /apply/, a channel manager
approves it, the invited person sets a password from the e-mail's link, accepts the
agreement and sees the onboarding checklist advance."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command

from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.models import Tenant
from tests.browser.conftest import RESULTS_DIR, tenant_url

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-long-new-password-2026"


def _shot(page, name: str) -> None:
    """Screenshots of the invitee's own browser context (the fixture's is the CM's)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / f"partners-journey-{name}.png"), full_page=True)


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


def test_company_applies_is_approved_and_onboards(browser, page, live_server, acme, screenshot):
    # 1. A company applies on the public form, without an account.
    page.goto(tenant_url(live_server, acme, "/apply/"))
    page.get_by_label("Company").fill("Blue Yonder Integrators")
    page.get_by_label("Website").fill("https://www.blueyonder.test")
    page.get_by_label("Country").fill("NL")
    page.get_by_label("Type of partnership").select_option(label="Reseller")
    page.get_by_label("Your name").fill("Bea Yonder")
    page.get_by_label("Your e-mail").fill("bea@blueyonder.test")
    page.get_by_label("Tell us about you").fill("We integrate cloud platforms.")
    screenshot("1-apply")
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url("**/apply/thanks/")
    assert "Thank you" in page.content()

    # 2. The channel manager reviews and approves it in the console.
    page.goto(tenant_url(live_server, acme, "/accounts/login/"))
    page.fill("input[name=login]", "cm@acme.test")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/manage/")
    page.goto(tenant_url(live_server, acme, "/manage/applications/"))
    screenshot("2-applications")
    page.get_by_role("link", name="Blue Yonder Integrators").click()
    page.wait_for_url("**/manage/applications/*/")
    mail.outbox.clear()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/manage/partners/*/")
    screenshot("3-partner-detail")
    assert "invited as partner admin" in page.content()
    assert "Onboarding" in page.content()

    # 3. The invited person opens the link from the e-mail and sets a password.
    invitation = next(m for m in mail.outbox if "bea@blueyonder.test" in m.to)
    path = re.search(r"https?://[^/\s]+(/\S*invitation/\S+/)", invitation.body).group(1)
    invitee = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    invitee.set_default_timeout(15_000)
    invitee.goto(tenant_url(live_server, acme, path))
    invitee.get_by_label("Choose a password").fill(NEW_PASSWORD)
    invitee.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Accept and join").click()
    invitee.wait_for_load_state("networkidle")

    # 4. Onboarding: nothing done yet; the agreement gates deals.
    invitee.goto(tenant_url(live_server, acme, "/portal/onboarding/"))
    before = invitee.get_by_test_id("onboarding-progress").get_attribute("value")
    assert before == "0"
    _shot(invitee, "4-onboarding")

    invitee.goto(tenant_url(live_server, acme, "/portal/agreement/"))
    assert "Not accepted yet" in invitee.content()
    _shot(invitee, "5-agreement")
    invitee.get_by_role("button", name=re.compile("I accept this agreement")).click()
    invitee.wait_for_url("**/portal/onboarding/")

    # 5. The checklist advanced: the agreement task is done.
    assert invitee.get_by_test_id("onboarding-progress").get_attribute("value") == "1"
    assert "1 of 5 tasks done" in invitee.content()
    _shot(invitee, "6-onboarding-after")
    invitee.context.close()
