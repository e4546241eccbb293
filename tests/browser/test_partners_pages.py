"""The partner program's main pages render in a real browser with the demo data."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.models import Tenant
from tests.browser.conftest import tenant_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


def _sign_in(page, live_server, tenant, email):
    page.goto(tenant_url(live_server, tenant, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_admin_sees_the_tier_matrix_and_partner_list(page, live_server, acme, screenshot):
    _sign_in(page, live_server, acme, "admin@acme.test")
    page.goto(tenant_url(live_server, acme, "/manage/program/"))
    screenshot("program")
    matrix = page.get_by_test_id("tier-matrix").inner_text()
    assert "Gold" in matrix and "Deal protection" in matrix and "30%" in matrix

    page.goto(tenant_url(live_server, acme, "/manage/partners/?ordering=name"))
    screenshot("partner-list")
    assert "Tailspin Systems" in page.content() and "At risk" in page.content()


def test_partner_sees_its_tier_and_the_gap_to_the_next(page, live_server, acme, screenshot):
    _sign_in(page, live_server, acme, "carol@contoso.test")
    page.goto(tenant_url(live_server, acme, "/portal/tier/"))
    screenshot("tier")
    assert "Your tier: Silver" in page.content()
    assert "Next tier: Gold" in page.content()


def test_anonymous_visitor_uses_the_locator(page, live_server, acme, screenshot):
    page.goto(tenant_url(live_server, acme, "/partners/?country=GB"))
    screenshot("locator")
    assert "Contoso Solutions" in page.content()
    assert "Northwind Traders" not in page.content()
