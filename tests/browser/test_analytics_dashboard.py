"""A channel manager reads the program dashboard (filtered by tier), approves a tier
proposal, and the partner sees its new tier."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from analytics.models import TierProposal
from partners.models import PartnerOrganization, Tier
from prm.core.demo import DEMO_PASSWORD
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Tenant
from tests.browser.conftest import click_nav_link, tenant_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


def _sign_in(page, live_server, tenant, email: str, lands_on: str) -> None:
    page.goto(tenant_url(live_server, tenant, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{lands_on}")


def test_dashboard_filter_and_proposal_approval(browser, page, live_server, acme, screenshot):
    with tenant_context(acme):
        northwind = PartnerOrganization.objects.select_related("tier").get(name="Northwind Traders")
        rank = northwind.tier.rank if northwind.tier_id else 0
        # Up a tier, or down one (its grace period over) when Northwind is at the top.
        target = Tier.objects.filter(rank__gt=rank).order_by("rank").first()
        direction = "upgrade"
        if target is None:
            target = Tier.objects.filter(rank__lt=rank).order_by("-rank").first()
            direction = "downgrade"
        TierProposal.objects.filter(organization=northwind, status="pending").delete()
        TierProposal.objects.create(
            organization=northwind,
            from_tier=northwind.tier,
            to_tier=target,
            direction=direction,
            effective_on=date(2020, 1, 1),
            evidence={"rows": [], "months": ["2025-12-01", "2026-11-01"]},
        )
        filter_tier = northwind.tier.name if northwind.tier_id else None

    problems: list[str] = []
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_console(message) -> None:
        # Failed loads are checked by status above (where the favicon is let off).
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(f"console: {message.text}")

    page.on("console", on_console)

    # 1. The channel manager opens the dashboard and filters it by tier.
    _sign_in(page, live_server, acme, "cm@acme.test", "/manage/")
    click_nav_link(page, "Dashboard")
    page.wait_for_url("**/manage/analytics/")
    if filter_tier:
        page.get_by_test_id("dashboard-filters").locator("select[name=tier]").select_option(
            label=filter_tier
        )
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/manage/analytics/?*")
    page.wait_for_selector("canvas[data-chart='chart-registrations'][data-drawn='1']")
    screenshot("1-dashboard")
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 10
    assert page.locator("canvas[data-drawn='1']").count() == canvases.count()
    # Chart.js drew into the canvas: it has a rendered size.
    box = page.locator("canvas[data-chart='chart-revenue']").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    # The table view of the same figures sits beside each chart.
    assert page.get_by_test_id("table-registrations").is_visible()
    assert page.get_by_test_id("table-stages").locator("tbody tr").count() == 7

    # 2. The channel manager approves Northwind's tier proposal.
    click_nav_link(page, "Tier proposals")
    page.wait_for_url("**/manage/analytics/proposals/")
    row = page.get_by_test_id("proposal-northwind-traders")
    screenshot("2-proposals")
    row.get_by_label("Reason (optional)").fill("Strong year")
    row.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/manage/analytics/proposals/")
    assert f"Northwind Traders is now {target.name}" in page.content()
    assert not problems, problems

    # 3. The partner sees its new tier.
    page.context.clear_cookies()
    _sign_in(page, live_server, acme, "alice@northwind.test", "/portal/")
    page.goto(tenant_url(live_server, acme, "/portal/tier/"))
    screenshot("3-partner-tier")
    assert page.get_by_test_id("tier-name").inner_text() == f"Your tier: {target.name}"
    page.goto(tenant_url(live_server, acme, "/portal/performance/"))
    page.wait_for_selector("canvas[data-chart='chart-my_revenue'][data-drawn='1']")
    screenshot("4-partner-performance")
    assert not problems, problems
