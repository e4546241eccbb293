"""Pages and API of the incentives app: bounded queries, in-place queues, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from incentives import services
from incentives.choices import AccountKind, EntryCause, PeriodUnit
from incentives.models import FundRequest, IncentiveProgram, LedgerEntry, Statement
from tests.conftest import client_for
from tests.incentives.factories import fund_with_allocation, pdf_upload, request_input

pytestmark = pytest.mark.django_db


def _populate(n, partner, admin, start=0):
    """n of everything each list shows, for one partner organization."""
    org = partner.partner_organization
    _, allocation = fund_with_allocation(org, admin, budget="100000", allocated="50000")
    for i in range(start, start + n):
        services.entry_post(
            organization_id=org.pk,
            kind=AccountKind.EARNINGS,
            currency="USD",
            posting=services.Posting(
                amount=Decimal("10"), cause=EntryCause.SPIFF, description=f"e{i}", key=f"k{i}"
            ),
        )
        pending = services.fund_request_submit(
            acting_membership=partner, allocation=allocation, data=request_input("10")
        )
        assert pending.pk
        approved = services.fund_request_submit(
            acting_membership=partner, allocation=allocation, data=request_input("10")
        )
        approved = services.fund_request_approve(request=approved, acting_membership=admin)
        claim = services.fund_claim_submit(
            acting_membership=partner, request=approved, amount=Decimal("10"), proofs=[pdf_upload()]
        )
        if i % 2:
            claim = services.fund_claim_approve(claim=claim, acting_membership=admin)
            services.payout_batch_create(
                acting_membership=admin, statement_ids=[], claim_ids=[claim.pk]
            )
        account = services.account_for(
            organization_id=org.pk, kind=AccountKind.EARNINGS, currency="USD"
        )
        Statement.objects.create(
            organization=org,
            account=account,
            currency="USD",
            period_unit=PeriodUnit.MONTH,
            period_start=date(1900 + i, 1, 1),
            period_end=date(1900 + i, 1, 31),
            opening_balance=0,
            credits=10,
            debits=0,
            closing_balance=10,
            amount_due=10,
            entry_count=1,
            status="approved",
        )
        services.program_save(
            program=IncentiveProgram(
                name=f"Program {i}",
                kind="spiff",
                currency="USD",
                starts_on=date(2026, 1, 1),
                amount_per_deal=Decimal("5"),
            )
        )


PAGES = [
    ("partner", "incentives:portal_earnings"),
    ("partner", "incentives:portal_funds"),
    ("staff", "incentives:request_queue"),
    ("staff", "incentives:claim_queue"),
    ("staff", "incentives:statement_list"),
    ("staff", "incentives:batch_list"),
    ("staff", "incentives:fund_list"),
    ("staff", "incentives:program_list"),
    ("staff", "incentives:leaderboard"),
    ("partner", "api:ledger-entry-list"),
    ("partner", "api:ledger-account-list"),
    ("partner", "api:statement-list"),
    ("partner", "api:fund-allocation-list"),
    ("partner", "api:fund-request-list"),
    ("partner", "api:fund-claim-list"),
    ("partner", "api:incentive-program-list"),
    ("staff", "api:payout-batch-list"),
    ("staff", "api:fund-list"),
]


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(("who", "url_name"), PAGES)
def test_list_queries_are_bounded(
    who, url_name, rows, partner_admin_membership, admin_membership, django_assert_max_num_queries
):
    """The same budget at 1 and at 50 rows: the count does not grow with the rows."""
    client = client_for(partner_admin_membership if who == "partner" else admin_membership)
    url = reverse(url_name)
    _populate(rows, partner_admin_membership, admin_membership)
    # 14: a partner's pages also carry the header's counts from the apps above (unread
    # announcements); the budget is the same at 1 and at 50 rows.
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200


def test_fund_detail_utilisation_is_bounded(
    partner_admin_membership, admin_membership, django_assert_max_num_queries
):
    fund, _ = fund_with_allocation(partner_admin_membership.partner_organization, admin_membership)
    client = client_for(admin_membership)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("incentives:fund_detail", args=[fund.pk]))
    assert b"5,000.00" in response.content


def test_request_queue_approves_in_place(partner_admin_membership, cm_membership, admin_membership):
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    fund_request = services.fund_request_submit(
        acting_membership=partner_admin_membership, allocation=allocation, data=request_input("300")
    )
    client = client_for(cm_membership, htmx=True)
    response = client.get(reverse("incentives:request_queue"))
    assert b'id="queue"' in response.content and b"<html" not in response.content
    assert "HX-Request" in response["Vary"]
    url = reverse("incentives:request_approve", args=[fund_request.pk])
    response = client.post(url, {"amount": "200", "reason": ""})
    assert b"Say why only part" in response.content  # row error, nothing changed
    response = client.post(url, {"amount": "200", "reason": "Half the booth"})
    assert b'data-testid="row-status">Approved' in response.content
    fund_request.refresh_from_db()
    assert fund_request.approved_amount == Decimal("200.00")


def _waiting_requests(n, partner, admin):
    _, allocation = fund_with_allocation(
        partner.partner_organization, admin, budget="100000", allocated="50000"
    )
    return [
        services.fund_request_submit(
            acting_membership=partner,
            allocation=allocation,
            data=request_input("300", title=f"Booth <{i}> & demo"),
        )
        for i in range(n)
    ]


def _row(body: str, fund_request) -> str:
    return body.split(f'id="row-{fund_request.pk}"')[1].split("</tr>")[0]


@pytest.mark.parametrize("rows", [1, 50])
def test_request_queue_renders_one_form_whatever_the_rows(
    rows, partner_admin_membership, cm_membership, admin_membership, django_assert_max_num_queries
):
    fund_requests = _waiting_requests(rows, partner_admin_membership, admin_membership)
    client = client_for(cm_membership, htmx=True)
    client.get(reverse("incentives:request_queue"))  # the session and the tenant cached
    with django_assert_max_num_queries(4):
        response = client.get(reverse("incentives:request_queue"))
    body = response.content.decode()
    assert body.count('data-testid="request-row"') == rows
    # The page's one form (one CSRF token): each row's Approve submits it to the row's
    # URL, a partial approval and a rejection fetch their form when opened.
    assert body.count("<form") == 1 and body.count("csrfmiddlewaretoken") == 1
    assert body.count(">Approve</button>") == rows
    for fund_request in fund_requests:
        row = _row(body, fund_request)
        approve = reverse("incentives:request_approve", args=[fund_request.pk])
        reject = reverse("incentives:request_reject", args=[fund_request.pk])
        assert f'form="decide-form" formaction="{approve}" hx-post="{approve}"' in row
        assert f'hx-target="#row-{fund_request.pk}"' in row
        assert f'href="{approve}" hx-get="{approve}"' in row
        assert f'href="{reject}" hx-get="{reject}"' in row
        # Each control names its row, escaped.
        title = fund_request.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f'aria-label="Approve {title}"' in row and f'aria-label="Reject {title}…"' in row
        # What the row says, as the template's filters wrote it.
        assert "Event or trade show · " in row and "40 leads expected · submitted " in row
        assert "300.00 USD" in row and partner_admin_membership.partner_organization.name in row


def test_request_approve_without_javascript_posts_the_page_form_to_the_row_url(
    partner_admin_membership, cm_membership, admin_membership
):
    first, second = _waiting_requests(2, partner_admin_membership, admin_membership)
    client = client_for(cm_membership)
    page = client.get(reverse("incentives:request_queue")).content.decode()
    # The row's Approve button submits the page's form (its CSRF token, nothing else) to
    # the row's URL: that request is approved in full, the other one waits.
    form = page.split('<form method="post" id="decide-form">')[1].split("</form>")[0]
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    action = _row(page, first).split('formaction="')[1].split('"')[0]
    assert action == reverse("incentives:request_approve", args=[first.pk])
    response = client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("incentives:request_queue")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.approved_amount) == ("approved", Decimal("300.00"))
    assert (second.status, second.approved_amount) == ("submitted", None)


def test_request_decision_forms_come_on_demand(
    partner_admin_membership, cm_membership, admin_membership
):
    partial, rejected, plain = _waiting_requests(3, partner_admin_membership, admin_membership)
    htmx = client_for(cm_membership, htmx=True)
    url = reverse("incentives:request_approve", args=[partial.pk])
    fragment = htmx.get(url)
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    assert "<html" not in text and text.count("<form") == 1
    assert f'hx-post="{url}" hx-target="#row-{partial.pk}"' in text and f'action="{url}"' in text
    assert 'name="amount"' in text and 'name="reason"' in text and "csrfmiddlewaretoken" in text
    assert 'aria-label="Approve part of Booth &lt;0&gt; &amp; demo"' in text
    # The form it gives decides the row in place.
    response = htmx.post(url, {"amount": "200", "reason": "The booth only"})
    row = response.content.decode()
    assert 'data-testid="request-row"' in row and "<html" not in row
    assert 'data-testid="row-status">Approved</span> 200.00' in row
    assert 'id="decide-form"' not in row  # no Approve of the page's form for a decided row
    partial.refresh_from_db()
    assert partial.approved_amount == Decimal("200.00")

    reject_url = reverse("incentives:request_reject", args=[rejected.pk])
    text = htmx.get(reject_url).content.decode()
    assert 'name="reason" required' in text and 'name="amount"' not in text
    row = htmx.post(reject_url, {"reason": "Not eligible"}).content.decode()
    assert 'data-testid="row-status">Rejected' in row
    rejected.refresh_from_db()
    assert rejected.status == "rejected"

    # Without htmx the link leads to a page of the same form, which posts back to the queue.
    plain_url = reverse("incentives:request_reject", args=[plain.pk])
    client = client_for(cm_membership)
    page = client.get(plain_url).content.decode()
    assert "<html" in page and "<h1>Reject Booth &lt;2&gt; &amp; demo</h1>" in page
    assert f'action="{plain_url}"' in page and "hx-post" not in page.split("<main")[1]
    response = client.post(plain_url, {"reason": "Not eligible"})
    assert response.status_code == 302
    assert response["Location"] == reverse("incentives:request_queue")
    plain.refresh_from_db()
    assert plain.status == "rejected"
    # Partners get neither form.
    partner = client_for(partner_admin_membership, htmx=True)
    assert partner.get(url).status_code == 403 and partner.get(plain_url).status_code == 403


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", b"greater than 0"),
        ("12.3.4", b"Enter an amount such as"),
        ("5000.01", b"of your allocation is available"),
    ],
)
def test_bad_request_amounts_are_form_errors(
    amount, message, partner_admin_membership, admin_membership
):
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    data = {
        "title": "Webinar",
        "activity_type": "webinar",
        "description": "Monthly webinar",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-02",
        "planned_spend": amount,
    }
    response = client_for(partner_admin_membership).post(
        reverse("incentives:portal_request_create", args=[allocation.pk]), data
    )
    assert response.status_code == 400 and message in response.content
    assert FundRequest.objects.count() == 0


def test_claim_page_refuses_wrong_type_and_over_approved(
    partner_admin_membership, cm_membership, admin_membership
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    fund_request = services.fund_request_submit(
        acting_membership=partner_admin_membership, allocation=allocation, data=request_input("300")
    )
    services.fund_request_approve(request=fund_request, acting_membership=cm_membership)
    client = client_for(partner_admin_membership)
    url = reverse("incentives:portal_request_detail", args=[fund_request.pk])
    bad = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(url, {"amount": "100", "proofs": [bad]})
    assert response.status_code == 400 and b"not an accepted proof file" in response.content
    response = client.post(url, {"amount": "301", "proofs": [pdf_upload()]})
    assert response.status_code == 400 and b"at most the approved $300.00" in response.content
    response = client.post(url, {"amount": "250", "proofs": [pdf_upload()]})
    assert response.status_code == 302
    proof = fund_request.claim.proofs.get()
    download = client_for(cm_membership).get(reverse("incentives:proof_download", args=[proof.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_api_request_claim_and_second_payout(
    partner_admin_membership, cm_membership, admin_membership
):
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    partner = client_for(partner_admin_membership)
    staff = client_for(cm_membership)
    body = {
        "allocation": str(allocation.pk),
        "title": "Trade show",
        "activity_type": "event",
        "description": "Booth",
        "starts_on": "2026-11-20",
        "ends_on": "2026-11-21",
        "planned_spend": "6000.00",
    }
    response = partner.post(reverse("api:fund-request-list"), body, content_type="application/json")
    assert response.status_code == 400 and "planned_spend" in response.json()["errors"]
    body["planned_spend"] = "-1"
    assert (
        partner.post(
            reverse("api:fund-request-list"), body, content_type="application/json"
        ).status_code
        == 400
    )
    body["planned_spend"] = "1000.00"
    response = partner.post(reverse("api:fund-request-list"), body, content_type="application/json")
    assert response.status_code == 201, response.json()
    request_id = response.json()["id"]
    assert (
        staff.post(
            reverse("api:fund-request-approve", args=[request_id]),
            {},
            content_type="application/json",
        ).status_code
        == 200
    )
    response = partner.post(
        reverse("api:fund-claim-list"),
        {"request": request_id, "amount": "900.00", "proofs": [pdf_upload()]},
    )
    assert response.status_code == 201, response.json()
    claim_id = response.json()["id"]
    assert (
        staff.post(
            reverse("api:fund-claim-approve", args=[claim_id]), {}, content_type="application/json"
        ).status_code
        == 200
    )
    response = staff.post(
        reverse("api:payout-batch-list"), {"claims": [claim_id]}, content_type="application/json"
    )
    assert response.status_code == 201
    batch_id = response.json()["id"]
    paid = reverse("api:payout-batch-mark-paid", args=[batch_id])
    assert staff.post(paid, {}, content_type="application/json").status_code == 200
    second = staff.post(paid, {}, content_type="application/json")
    assert second.status_code == 400 and "already" in second.json()["errors"]["non_field_errors"][0]
    assert LedgerEntry.objects.filter(cause=EntryCause.PAYOUT).count() == 1
    # A partner cannot approve its own claim.
    assert (
        partner.post(
            reverse("api:fund-claim-approve", args=[claim_id]), {}, content_type="application/json"
        ).status_code
        == 403
    )


def test_every_console_page_renders(admin_membership, partner_admin_membership):
    client = client_for(admin_membership)
    for name in ("program_create", "settings", "fund_list", "statement_list", "batch_list"):
        assert client.get(reverse(f"incentives:{name}")).status_code == 200, name
    program = client.post(
        reverse("incentives:program_create"),
        {
            "name": "Rebate 2026",
            "kind": "rebate",
            "currency": "USD",
            "starts_on": "2026-01-01",
            "period_unit": "quarter",
            "requires_agreement": "on",
            "bands": "0: 2, 100000: 4",
            "is_active": "on",
        },
    )
    assert program.status_code == 302
    assert list(
        IncentiveProgram.objects.get(name="Rebate 2026").bands.values_list(
            "rate_percent", flat=True
        )
    ) == [Decimal("2.000"), Decimal("4.000")]
    bad = client.post(
        reverse("incentives:program_create"),
        {
            "name": "Bad",
            "kind": "rebate",
            "currency": "USD",
            "starts_on": "2026-01-01",
            "period_unit": "quarter",
            "bands": "zero",
        },
    )
    assert bad.status_code == 400 and b"is not" in bad.content


def test_partners_see_their_rank_and_names_only_when_shown(
    partner_admin_membership, admin_membership, in_tenant
):
    from tests.factories import PartnerOrganizationFactory

    rival = PartnerOrganizationFactory(name="Rival Reseller Ltd")
    for org, points in ((rival, 300), (partner_admin_membership.partner_organization, 100)):
        services.points_award(
            organization_id=org.pk,
            points=points,
            cause=EntryCause.POINTS_DEAL_WON,
            description="won",
            key=f"p:{org.pk}",
        )
    client = client_for(partner_admin_membership)
    page = client.get(reverse("incentives:portal_earnings")).content
    assert b'data-testid="rank">#2' in page and b"Rival Reseller Ltd" not in page
    config = services.incentive_settings()
    config.leaderboard_shows_names = True
    config.save()
    assert b"Rival Reseller Ltd" in client.get(reverse("incentives:portal_earnings")).content
