"""Incentives in a real browser: a deal is won and its SPIFF appears in the partner's
earnings; a fund request is approved in the queue, claimed with a proof file, the claim
approved and paid in a batch; the partner's balances and statement agree with the ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from deals import services as deal_services
from deals.models import Deal, Product
from incentives.choices import AccountKind, EntryCause
from incentives.models import FundRequest, LedgerAccount, LedgerEntry, Statement
from partners.models import PartnerOrganization
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership, Tenant
from tests.browser.conftest import tenant_url
from tests.browser.test_deals_registration import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def acme(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Tenant.objects.get(slug="acme")


@pytest.fixture
def staff_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def _approved_deal(acme) -> Deal:
    with tenant_context(acme):
        alice = Membership.objects.get(user__email="alice@northwind.test")
        cm = Membership.objects.get(user__email="cm@acme.test")
        deal = deal_services.deal_create(
            organization=alice.partner_organization,
            acting_membership=alice,
            motion=Deal.objects.filter(status="won").first().motion,
            data={
                "customer_name": "Fourth Coffee",
                "customer_domain": "fourthcoffee.test",
                "country": "US",
                "expected_close_date": timezone.localdate() + timedelta(days=20),
            },
            lines=[
                deal_services.LineInput(
                    product=Product.objects.first(), quantity=1, amount=Decimal("30000")
                )
            ],
            submit=True,
        )
        return deal_services.deal_approve(deal=deal, acting_membership=cm)


def _balance(acme, kind):
    with tenant_context(acme):
        org = PartnerOrganization.objects.get(name="Northwind Traders")
        return LedgerAccount.objects.get(organization=org, kind=kind).balance


def test_spiff_fund_claim_payout_and_statement(page, staff_page, live_server, acme, screenshot):
    deal = _approved_deal(acme)
    spiff_before = _balance(acme, AccountKind.EARNINGS)

    # The channel manager records the deal as won in the console.
    sign_in(staff_page, live_server, acme, "cm@acme.test")
    staff_page.goto(tenant_url(live_server, acme, f"/manage/deals/{deal.pk}/"))
    staff_page.check("input[name=outcome][value=won]")
    staff_page.fill("input[name=final_amount]", "30000")
    staff_page.get_by_role("button", name="Record outcome").click()
    staff_page.wait_for_load_state("networkidle")

    # The SPIFF appears in the partner's earnings.
    sign_in(page, live_server, acme, "alice@northwind.test")
    page.goto(tenant_url(live_server, acme, "/portal/earnings/"))
    assert page.get_by_text(f"Win bonus SPIFF: {deal.reference}").is_visible()
    earnings = _balance(acme, AccountKind.EARNINGS)
    assert earnings == spiff_before + Decimal("500")
    assert f"{earnings:,.2f} USD" in page.get_by_test_id("balance-earnings-USD").inner_text()
    screenshot("1-earnings-with-spiff")

    # The partner requests funds from its allocation.
    page.goto(tenant_url(live_server, acme, "/portal/funds/"))
    page.get_by_role("button", name="Request funds").first.click()
    page.fill("input[name=title]", "Fourth Coffee launch event")
    page.select_option("select[name=activity_type]", "event")
    page.fill("textarea[name=description]", "Launch event with the customer's team.")
    today = timezone.localdate()
    page.fill("input[name=starts_on]", today.replace(day=1).isoformat())
    page.fill("input[name=ends_on]", today.replace(day=1).isoformat())
    page.fill("input[name=planned_spend]", "1,500.00")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url("**/portal/funds/requests/*/")
    assert page.get_by_test_id("request-status").inner_text() == "Waiting for approval"
    request_url = page.url

    # The channel manager approves it in the queue, in place.
    staff_page.goto(tenant_url(live_server, acme, "/manage/funds/requests/"))
    row = staff_page.locator("tr", has_text="Fourth Coffee launch event")
    row.get_by_role("button", name="Approve Fourth Coffee launch event", exact=True).click()
    staff_page.locator("tr", has_text="Fourth Coffee launch event").get_by_test_id(
        "row-status"
    ).wait_for()
    assert (
        "Approved" in staff_page.locator("tr", has_text="Fourth Coffee launch event").inner_text()
    )
    assert staff_page.url.endswith("/manage/funds/requests/")  # no reload, no redirect

    # The partner claims with a proof file.
    page.goto(request_url)
    page.fill("input[name=amount]", "1400")
    page.set_input_files(
        "input[name=proofs]",
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_role("button", name="Submit claim").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("claim-status").inner_text() == "Waiting for approval"
    screenshot("2-claim-submitted")

    # The channel manager approves the claim in place, then pays it in a batch.
    staff_page.goto(tenant_url(live_server, acme, "/manage/funds/claims/"))
    staff_page.locator("tr", has_text="Fourth Coffee launch event").get_by_role(
        "button", name="Approve"
    ).click()
    staff_page.locator("tr", has_text="Fourth Coffee launch event").get_by_test_id(
        "row-status"
    ).wait_for()
    staff_page.goto(tenant_url(live_server, acme, "/manage/incentives/payouts/"))
    staff_page.get_by_label("Pay claim of Northwind Traders: Fourth Coffee launch event").check()
    staff_page.get_by_role("button", name="Create batch").click()
    staff_page.wait_for_url("**/manage/incentives/payouts/*/")
    staff_page.get_by_role("button", name="Mark paid").click()
    staff_page.wait_for_load_state("networkidle")
    assert staff_page.get_by_test_id("batch-status").inner_text() == "Paid"
    staff_page.screenshot(path="test-results/incentives-batch-paid.png", full_page=True)

    with tenant_context(acme):
        claim_entries = LedgerEntry.objects.filter(
            description__contains="Fourth Coffee launch event"
        ).order_by("created_at")
        assert [(e.cause, e.amount) for e in claim_entries] == [
            (EntryCause.MDF_CLAIM, Decimal("1400.00")),
            (EntryCause.PAYOUT, Decimal("-1400.00")),
        ]

    # The partner's balances are the ledger's.
    page.goto(tenant_url(live_server, acme, "/portal/earnings/"))
    mdf = _balance(acme, AccountKind.MDF)
    assert f"{mdf:,.2f} USD" in page.get_by_test_id("balance-mdf-USD").inner_text()
    screenshot("3-earnings-after-payout")

    # A statement of this month (drawn up as if the month had ended) agrees too.
    from incentives import services

    real_localdate = timezone.localdate
    next_month = (today.replace(day=28) + timedelta(days=5)).replace(day=1)
    timezone.localdate = lambda *a, **k: next_month
    try:
        with tenant_context(acme):
            services.statements_generate(day=today)
    finally:
        timezone.localdate = real_localdate
    with tenant_context(acme):
        statement = Statement.objects.get(
            organization__name="Northwind Traders", period_start=today.replace(day=1)
        )
    staff_page.goto(tenant_url(live_server, acme, f"/manage/incentives/statements/{statement.pk}/"))
    staff_page.get_by_role("button", name="Approve").click()
    staff_page.wait_for_load_state("networkidle")
    page.goto(tenant_url(live_server, acme, f"/portal/earnings/statements/{statement.pk}/"))
    closing = page.get_by_test_id("closing-balance").inner_text()
    assert closing == f"{_balance(acme, AccountKind.EARNINGS):,.2f}"
    shown = page.get_by_test_id("statement-entry").count()
    assert shown == statement.entry_count
    screenshot("4-statement")


def test_fund_request_partial_approval_form_comes_into_the_row(staff_page, live_server, acme):
    """The queue's rows carry no form: "Approve part…" fetches one into the row, which
    decides the request in place; a missing note is said in the row."""
    title = "Acme webinar series (waiting)"
    sign_in(staff_page, live_server, acme, "cm@acme.test")
    staff_page.goto(tenant_url(live_server, acme, "/manage/funds/requests/"))
    row = staff_page.locator("tr", has_text=title)
    row.get_by_role("button", name=f"Approve part of {title}…").click()
    row.get_by_label("Amount to approve").fill("800")
    row.get_by_role("button", name=f"Approve part of {title}", exact=True).click()
    row = staff_page.locator("tr", has_text=title)
    assert "Say why only part" in row.get_by_role("alert").inner_text()
    row.get_by_role("button", name=f"Approve part of {title}…").click()
    row.get_by_label("Amount to approve").fill("800")
    row.get_by_label("Note (needed for a partial approval)").fill("Two sessions, not three.")
    row.get_by_role("button", name=f"Approve part of {title}", exact=True).click()
    status = staff_page.locator("tr", has_text=title).get_by_test_id("row-status")
    status.wait_for()
    assert status.inner_text() == "Approved"
    assert "800.00" in staff_page.locator("tr", has_text=title).inner_text()
    assert staff_page.url.endswith("/manage/funds/requests/")  # no reload, no redirect
    with tenant_context(acme):
        fund_request = FundRequest.objects.get(title=title)
    assert (fund_request.status, fund_request.approved_amount) == ("approved", Decimal("800"))
