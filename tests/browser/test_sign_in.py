"""Signing in with a real browser: a partner admin lands in the partner portal, a
channel manager in the staff console."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership, Tenant
from tests.browser.conftest import tenant_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


def sign_in(page, live_server, tenant, email: str) -> None:
    page.goto(tenant_url(live_server, tenant, "/"))
    # The bare tenant home sends a visitor to sign in.
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_partner_admin_signs_in_to_the_partner_portal(page, live_server, acme, screenshot):
    with tenant_context(acme):
        membership = (
            Membership.objects.filter(role="partner", partner_role="partner_admin")
            .select_related("user", "partner_organization")
            .order_by("pk")
            .first()
        )
        assert membership is not None, "seed_demo made no partner admin in acme"
        organization = membership.partner_organization.name

    sign_in(page, live_server, acme, membership.user.email)
    screenshot("portal-home")

    assert page.url == tenant_url(live_server, acme, "/portal/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    assert organization in page.content()


def test_channel_manager_signs_in_to_the_console(page, live_server, acme, screenshot):
    sign_in(page, live_server, acme, "cm@acme.test")
    screenshot("console-home")

    assert page.url == tenant_url(live_server, acme, "/manage/")
    assert "partner program" in page.get_by_role("heading", level=1).inner_text()


def test_a_wrong_password_is_refused(page, live_server, acme, screenshot):
    page.goto(tenant_url(live_server, acme, "/accounts/login/"))
    page.fill("input[name=login]", "cm@acme.test")
    page.fill("input[name=password]", "not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    screenshot("refused")

    assert "/accounts/login/" in page.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("Sign in")
