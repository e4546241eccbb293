"""Marketing in a real browser: a partner launches a co-branded campaign and a visitor's
request on its public landing page becomes a lead the partner sees."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from marketing.models import CampaignLaunch
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
def visitor(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_launch_campaign_and_public_form_makes_a_lead(page, visitor, live_server, acme, screenshot):
    sign_in(page, live_server, acme, "carol@contoso.test")
    page.goto(tenant_url(live_server, acme, "/portal/campaigns/"))
    page.get_by_role("link", name="Preview and launch").first.click()
    assert "Contoso Solutions: never lose a file again" in page.content()
    page.fill("input[name=headline]", "Contoso keeps your files safe")
    page.get_by_role("button", name="Launch campaign").click()
    page.wait_for_load_state("networkidle")
    assert "your landing page is live" in page.content()
    screenshot("launched")

    with tenant_context(acme):
        launch = CampaignLaunch.objects.get(organization__name="Contoso Solutions")
        path = launch.get_public_path()

    # An anonymous visitor: a bad e-mail first (kept typing, clear error), then valid.
    visitor.goto(tenant_url(live_server, acme, path))
    assert (
        visitor.get_by_test_id("landing-headline").inner_text() == "Contoso keeps your files safe"
    )
    visitor.fill("input[name=name]", "Vic Visitor")
    visitor.fill("input[name=email]", "vic-at-fourthcoffee")
    visitor.fill("input[name=company]", "Fourth Coffee")
    visitor.fill("input[name=country]", "us")
    visitor.check("input[name=consent]")
    visitor.get_by_role("button", name="Send").click()
    assert "Enter an e-mail address like name@company.com." in visitor.content()
    assert visitor.input_value("input[name=company]") == "Fourth Coffee"
    visitor.fill("input[name=email]", "vic@fourthcoffee.test")
    visitor.check("input[name=consent]")
    visitor.get_by_role("button", name="Send").click()
    visitor.wait_for_load_state("networkidle")
    assert "Thank you" in visitor.content()

    # The partner finds the lead among its leads and on its launch's figures.
    page.goto(tenant_url(live_server, acme, "/portal/leads/"))
    assert "Fourth Coffee" in page.content()
    page.goto(tenant_url(live_server, acme, f"/portal/campaign-launches/{launch.pk}/"))
    assert page.get_by_test_id("stat-leads").inner_text() == "1"
    screenshot("launch-figures")


def test_announcement_reaches_the_targeted_partner_only(
    page, visitor, browser, live_server, acme, screenshot
):
    from partners.models import PartnerOrganization, PartnerType

    with tenant_context(acme):
        # Northwind is a reseller; Contoso is of another type.
        reseller, _ = PartnerType.objects.get_or_create(
            key="reseller", defaults={"name": "Reseller"}
        )
        other, _ = PartnerType.objects.get_or_create(key="referral", defaults={"name": "Referral"})
        PartnerOrganization.objects.filter(name="Northwind Traders").update(partner_type=reseller)
        PartnerOrganization.objects.filter(name="Contoso Solutions").update(partner_type=other)

    sign_in(page, live_server, acme, "admin@acme.test")
    page.goto(tenant_url(live_server, acme, "/manage/announcements/new/"))
    page.fill("input[name=title]", "Reseller price list 2027")
    page.fill("textarea[name=body_markdown]", "The **new price list** is out.")
    page.get_by_label(reseller.name, exact=True).check()
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_load_state("networkidle")
    assert "Read receipts (0 of" in page.content()

    sign_in(visitor, live_server, acme, "alice@northwind.test")
    visitor.goto(tenant_url(live_server, acme, "/portal/"))
    assert "Reseller price list 2027" in visitor.content()
    unread = int(visitor.get_by_test_id("announcements-unread").inner_text())
    assert unread >= 1  # the demo's announcements and this one
    visitor.get_by_role("link", name="Reseller price list 2027").first.click()
    assert "new price list" in visitor.content()
    unread_after = visitor.get_by_test_id("announcements-unread")
    assert (int(unread_after.inner_text()) if unread_after.count() else 0) == unread - 1

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    contoso = context.new_page()
    sign_in(contoso, live_server, acme, "carol@contoso.test")
    contoso.goto(tenant_url(live_server, acme, "/portal/"))
    assert "Welcome" in contoso.content()
    assert "Reseller price list 2027" not in contoso.content()
    contoso.goto(tenant_url(live_server, acme, "/portal/announcements/"))
    assert "Reseller price list 2027" not in contoso.content()
    visitor.goto(tenant_url(live_server, acme, "/portal/"))
    screenshot("admin-publishes")
    visitor.screenshot(path=str(RESULTS_DIR / "announcement-northwind-home.png"), full_page=True)
    context.close()


def test_help_request_answered_and_resolved(page, browser, live_server, acme, screenshot):
    sign_in(page, live_server, acme, "alice@northwind.test")
    page.goto(tenant_url(live_server, acme, "/portal/help/"))
    page.select_option("select[name=category]", "deal")
    page.fill("input[name=subject]", "Extend protection for Wingtip")
    page.fill("textarea[name=body]", "The customer needs two more weeks.")
    page.get_by_role("button", name="Send question").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("help-status").inner_text() == "Open"
    request_url = page.url

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cm = context.new_page()
    sign_in(cm, live_server, acme, "cm@acme.test")
    cm.goto(tenant_url(live_server, acme, "/manage/help/"))
    cm.get_by_role("link", name="Extend protection for Wingtip").click()
    cm.fill("textarea[name=body]", "Done: extended by 14 days.")
    cm.get_by_role("button", name="Send reply").click()
    cm.wait_for_load_state("networkidle")
    assert cm.get_by_test_id("help-status").inner_text() == "Waiting on partner"
    context.close()

    page.goto(request_url)
    assert "Done: extended by 14 days." in page.content()
    page.get_by_role("button", name="Mark resolved").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("help-status").inner_text() == "Resolved"
    page.get_by_label("5 – excellent").check()
    page.get_by_role("button", name="Send rating").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("help-rating").inner_text().startswith("5 / 5")
    screenshot("resolved-and-rated")


def test_answer_a_survey_and_the_results_count_it(page, browser, live_server, acme, screenshot):
    sign_in(page, live_server, acme, "alice@northwind.test")
    page.goto(tenant_url(live_server, acme, "/portal/surveys/"))
    page.get_by_role("link", name="Partner satisfaction").click()
    assert "anonymous" in page.get_by_test_id("anonymity").inner_text()
    # Nothing chosen: clear errors, nothing saved.
    page.get_by_role("button", name="Send my answers").click()
    assert "Answer this question." in page.content()
    page.locator("input[type=radio][value='10']").first.check()
    page.locator("input[type=radio][value='5']").nth(1).check()
    page.get_by_label("Both").check()
    page.fill("textarea", "More co-selling")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state("networkidle")
    assert "your answers are saved" in page.content()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = context.new_page()
    sign_in(admin, live_server, acme, "admin@acme.test")
    admin.goto(tenant_url(live_server, acme, "/manage/surveys/"))
    admin.get_by_role("link", name="Partner satisfaction").click()
    # The demo's earlier answer (9) and this one (10): two promoters.
    assert admin.get_by_test_id("survey-responses").inner_text() == "2"
    assert admin.get_by_test_id("nps-score").inner_text() == "100"
    assert "More co-selling" in admin.content()
    admin.screenshot(path=str(RESULTS_DIR / "survey-results.png"), full_page=True)
    context.close()
