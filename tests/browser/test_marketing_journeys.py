"""Marketing in a real browser: a partner launches a co-branded campaign and a visitor's
request on its public landing page becomes a lead the partner sees."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from marketing.models import CampaignLaunch
from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Tenant
from tests.browser.conftest import tenant_url

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
