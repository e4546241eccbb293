"""Deal pages: registration, the review queue (htmx), conflicts, leads, bounded queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals import services
from deals.choices import DealStatus
from deals.models import Deal, DealComment, DealConflict
from tests.conftest import client_for
from tests.deals.factories import ProductFactory, make_deal, motion_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def motion(in_tenant):
    return motion_with_stages(key="test-cosell")


def _form(motion, product, **extra):
    data = {
        "idempotency_key": "key-1",
        "customer_name": "Globex Corporation",
        "customer_domain": "https://www.globex.example",
        "country": "us",
        "contact_name": "Hank",
        "contact_email": "hank@globex.example",
        "contact_phone": "",
        "expected_close_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "motion": str(motion.pk),
        "notes": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-product": str(product.pk),
        "lines-0-quantity": "5",
        "lines-0-amount": "25000",
        "submit": "1",
    }
    data.update(extra)
    return data


def test_partner_registers_and_submits_a_deal(partner_admin_membership, motion, product):
    client = client_for(partner_admin_membership)
    page = client.get(reverse("deals:portal_deal_create"))
    assert page.status_code == 200 and b'name="idempotency_key"' in page.content
    response = client.post(reverse("deals:portal_deal_create"), _form(motion, product))
    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})
    assert deal.status == DealStatus.SUBMITTED
    assert (deal.customer_domain, deal.country, deal.amount) == ("globex.example", "US", 25000)


def test_double_post_of_the_form_makes_one_deal(partner_admin_membership, motion, product):
    client = client_for(partner_admin_membership)
    client.post(reverse("deals:portal_deal_create"), _form(motion, product))
    client.post(reverse("deals:portal_deal_create"), _form(motion, product))
    assert Deal.objects.count() == 1


def test_form_errors_are_shown_on_the_page(partner_admin_membership, motion, product):
    client = client_for(partner_admin_membership)
    response = client.post(
        reverse("deals:portal_deal_create"),
        _form(motion, product, customer_domain="nope", **{"lines-0-product": ""}),
    )
    assert response.status_code == 200
    assert b"e.g. example.com" in response.content
    assert b"Add at least one product." in response.content
    assert not Deal.objects.exists()


def test_staff_cannot_open_the_registration_form(cm_membership):
    assert client_for(cm_membership).get(reverse("deals:portal_deal_create")).status_code == 403


def test_partner_cannot_open_the_review_queue(partner_admin_membership):
    assert (
        client_for(partner_admin_membership).get(reverse("deals:review_queue")).status_code == 403
    )


def test_review_queue_approves_inline_with_htmx(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    client = client_for(cm_membership, htmx=True)
    queue = client.get(reverse("deals:review_queue"))
    assert deal.reference.encode() in queue.content
    response = client.post(reverse("deals:deal_approve", kwargs={"pk": deal.pk}), {"from": "queue"})
    assert response.status_code == 200
    assert b'data-testid="queue-row"' in response.content and b"Approved" in response.content
    assert b"<html" not in response.content
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED


def test_review_queue_reject_without_reason_shows_the_error_inline(
    partner_admin_membership, cm_membership
):
    deal = make_deal(partner_admin_membership)
    client = client_for(cm_membership, htmx=True)
    response = client.post(
        reverse("deals:deal_reject", kwargs={"pk": deal.pk}), {"from": "queue", "code": "other"}
    )
    assert response.status_code == 200 and b"errorlist" in response.content
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED


def test_review_queue_offers_no_approve_on_an_open_conflict(
    partner_admin_membership, rival, cm_membership
):
    first = make_deal(partner_admin_membership, products=[ProductFactory()])
    second = make_deal(rival, customer="Globex Corp", products=[ProductFactory()])
    clean = make_deal(partner_admin_membership, customer="Initech", domain="initech.example")
    assert DealConflict.objects.count() == 1
    client = client_for(cm_membership, htmx=True)
    page = client.get(reverse("deals:review_queue")).content.decode()
    for deal in (first, second):
        row = page.split(f'id="row-{deal.pk}"')[1].split("</tr>")[0]
        assert 'name="deal"' not in row  # no bulk checkbox
        assert reverse("deals:deal_approve", kwargs={"pk": deal.pk}) not in row
        assert 'data-testid="resolve-conflict"' in row
    row = page.split(f'id="row-{clean.pk}"')[1].split("</tr>")[0]
    assert 'name="deal"' in row and reverse("deals:deal_approve", kwargs={"pk": clean.pk}) in row
    # A row re-rendered after another action keeps the rule.
    response = client.post(
        reverse("deals:deal_request_info", kwargs={"pk": first.pk}),
        {"from": "queue", "message": "Which site?"},
    )
    assert 'data-testid="resolve-conflict"' in response.content.decode()
    # Forcing it anyway changes nothing.
    staff = client_for(cm_membership)
    staff.post(reverse("deals:review_bulk_approve"), {"deal": [first.pk, second.pk]})
    staff.post(reverse("deals:deal_approve", kwargs={"pk": second.pk}))
    assert set(
        Deal.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) <= {
        DealStatus.SUBMITTED,
        DealStatus.INFO_REQUESTED,
    }
    detail = staff.get(reverse("deals:console_deal_detail", kwargs={"pk": second.pk}))
    assert b'data-testid="resolve-conflict"' in detail.content


def test_bulk_approve(partner_admin_membership, cm_membership):
    deals = [
        make_deal(partner_admin_membership, customer=f"C{i}", domain=f"c{i}.example")
        for i in range(3)
    ]
    client = client_for(cm_membership)
    response = client.post(
        reverse("deals:review_bulk_approve"), {"deal": [d.pk for d in deals[:2]]}
    )
    assert response.status_code == 302
    assert sorted(Deal.objects.values_list("status", flat=True)) == [
        "approved",
        "approved",
        "submitted",
    ]


def test_partner_sees_approved_deal_with_expiry(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    page = client_for(partner_admin_membership).get(
        reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})
    )
    assert page.status_code == 200
    assert f"{deal.protection_expires_on:%d %b %Y}".encode() in page.content


def test_internal_notes_never_reach_partners(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    services.deal_comment_add(
        deal=deal, acting_membership=cm_membership, body="SECRET-MARGIN-NOTE", is_internal=True
    )
    services.deal_comment_add(deal=deal, acting_membership=cm_membership, body="Visible note")
    partner_page = client_for(partner_admin_membership).get(
        reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})
    )
    assert (
        b"Visible note" in partner_page.content
        and b"SECRET-MARGIN-NOTE" not in partner_page.content
    )
    staff_page = client_for(cm_membership).get(
        reverse("deals:console_deal_detail", kwargs={"pk": deal.pk})
    )
    assert b"SECRET-MARGIN-NOTE" in staff_page.content


def test_partner_cannot_post_an_internal_note(partner_admin_membership):
    deal = make_deal(partner_admin_membership)
    client_for(partner_admin_membership).post(
        reverse("deals:portal_deal_comment", kwargs={"pk": deal.pk}),
        {"body": "hi", "is_internal": "on"},
    )
    assert DealComment.objects.get().is_internal is False


def test_conflict_page_and_resolution(partner_admin_membership, rival, cm_membership, product):
    first = make_deal(partner_admin_membership, products=[product])
    second = make_deal(rival, products=[product])
    conflict = DealConflict.objects.get()
    client = client_for(cm_membership)
    page = client.get(reverse("deals:conflict_detail", kwargs={"pk": conflict.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "submitted first" in text and first.reference in text and second.reference in text
    assert "Same customer domain" in text and "Cloud Suite" in text
    response = client.post(
        reverse("deals:conflict_detail", kwargs={"pk": conflict.pk}),
        {"decision": "earlier_wins", "reason_code": "first_to_register", "note": "First come"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == DealStatus.REJECTED
    # The losing partner reads that an earlier registration exists, never who holds it.
    partner_page = client_for(rival).get(
        reverse("deals:portal_deal_detail", kwargs={"pk": second.pk})
    )
    assert b"An earlier registration exists" in partner_page.content
    assert partner_admin_membership.partner_organization.name.encode() not in partner_page.content
    assert first.reference.encode() not in partner_page.content


def test_csv_export_escapes_formulas(partner_admin_membership, cm_membership):
    make_deal(partner_admin_membership, customer="=HYPERLINK(1)", domain="evil.example")
    response = client_for(cm_membership).get(reverse("deals:console_deal_export"))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body and body.startswith("number,partner")


def test_csv_export_shows_money_in_the_tenants_format(partner_admin_membership, cm_membership):
    make_deal(partner_admin_membership)  # two units at 5000
    response = client_for(cm_membership).get(reverse("deals:console_deal_export"))
    body = b"".join(response.streaming_content).decode()
    assert '"$5,000.00"' in body and "5000.00" not in body


def test_lead_is_created_routed_and_accepted_in_the_browser(
    partner_admin_membership, cm_membership, motion, product
):
    from tests.deals.factories import RoutingRuleFactory

    RoutingRuleFactory(name="Everyone")
    staff = client_for(cm_membership)
    response = staff.post(
        reverse("deals:lead_create"),
        {
            "customer_name": "Soylent",
            "country": "us",
            "motion": str(motion.pk),
            "product": str(product.pk),
            "estimated_amount": "1000",
        },
    )
    from deals.models import Lead

    lead = Lead.objects.get()
    assert (
        response.status_code == 302
        and lead.assigned_organization == partner_admin_membership.partner_organization
    )
    partner = client_for(partner_admin_membership)
    assert b"Soylent" in partner.get(reverse("deals:portal_lead_list")).content
    response = partner.post(
        reverse("deals:portal_lead_detail", kwargs={"pk": lead.pk}), {"action": "accept"}
    )
    lead.refresh_from_db()
    assert lead.deal.status == DealStatus.APPROVED
    assert response["Location"] == reverse("deals:portal_deal_detail", kwargs={"pk": lead.deal.pk})


def _import(membership, content: bytes, django_capture_on_commit_callbacks, name="leads.csv"):
    """Upload, run the job (it starts on commit) and return the import's page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(membership)
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("deals:lead_import"), {"file": upload})
    return client, response


def test_lead_import_reports_every_bad_row_with_all_its_reasons(
    cm_membership, motion, product, django_capture_on_commit_callbacks
):
    from deals.models import Lead, LeadImport

    client, response = _import(
        cm_membership,
        (
            "customer_name,country,product_sku,estimated_amount\n"
            f"Good Co,US,{product.sku},100\n"
            "Bad Co,USA,,100\n"
            "Worse Co,US,NOPE,lots\n"
        ).encode(),
        django_capture_on_commit_callbacks,
    )
    lead_import = LeadImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "deals:lead_import_detail", kwargs={"pk": lead_import.pk}
    )
    text = client.get(response["Location"]).content.decode()
    assert "1 lead imported" in text and "Row 3" in text
    # Both reasons of row 4, not only the first.
    assert "Row 4: no active product with SKU nope. estimated_amount is not a number." in text
    assert list(Lead.objects.values_list("customer_name", flat=True)) == ["Good Co"]
    assert lead_import.status == "done" and lead_import.processed_rows == 3


def test_lead_import_refuses_a_nul_byte_or_an_oversized_field_on_that_row_only(
    cm_membership, motion, django_capture_on_commit_callbacks
):
    from deals.models import Lead

    huge = "x" * 200_000  # over the csv module's field size limit (131,072)
    client, response = _import(
        cm_membership,
        (
            "customer_name,country,contact_name\n"
            "First Co,US,Ann\n"
            "Nul Co,US,A\x00nn\n"
            f"Huge Co,US,{huge}\n"
            "Last Co,US,Bob\n"
        ).encode(),
        django_capture_on_commit_callbacks,
    )
    text = client.get(response["Location"]).content.decode()
    assert response.status_code == 302
    assert "Row 3: it contains a NUL byte." in text
    assert "Row 4: the line cannot be read as CSV (field larger than field limit" in text
    assert sorted(Lead.objects.values_list("customer_name", flat=True)) == ["First Co", "Last Co"]


def test_lead_import_refuses_an_unknown_motion_instead_of_guessing(
    cm_membership, motion, django_capture_on_commit_callbacks
):
    from deals.models import Lead

    client, response = _import(
        cm_membership,
        b"customer_name,country,motion_key\nTypo Co,US,co-sel\n",
        django_capture_on_commit_callbacks,
    )
    assert "no active motion with key co-sel" in client.get(response["Location"]).content.decode()
    assert not Lead.objects.filter(customer_name="Typo Co").exists()


def test_lead_import_bad_files_are_form_errors_and_nothing_is_stored(
    cm_membership, motion, django_capture_on_commit_callbacks
):
    from deals.models import LeadImport

    for content, message in (
        (b"\xff\xfe not utf-8", "must be UTF-8"),
        (b"name,land\nX,US\n", "missing: customer_name, country"),
        (b"customer_name,country\n", "no rows under the header"),
        (
            b"customer_name,country\n" + b"Co,US\n" * 1001,
            "1,001 rows: at most 1,000 per import",
        ),
    ):
        _, response = _import(cm_membership, content, django_capture_on_commit_callbacks)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not LeadImport.objects.exists()


def test_lead_import_shows_progress_and_a_rerun_doubles_nothing(
    cm_membership, motion, django_capture_on_commit_callbacks
):
    from deals import tasks
    from deals.models import Lead, LeadImport

    rows = "".join(f"Co {i},US\n" for i in range(250))
    client, response = _import(
        cm_membership,
        ("customer_name,country\n" + rows).encode(),
        django_capture_on_commit_callbacks,
    )
    lead_import = LeadImport.objects.get()
    assert (lead_import.status, lead_import.processed_rows, lead_import.created_count) == (
        "done",
        250,
        250,
    )
    # A job delivered twice: nothing is created twice.
    tasks.import_leads(
        tenant_id=lead_import.tenant_id, lead_import_id=str(lead_import.pk), offset=0
    )
    assert Lead.objects.count() == 250
    # The progress partial for htmx, with Vary, and no more polling once done.
    url = reverse("deals:lead_import_detail", kwargs={"pk": lead_import.pk})
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Request" in partial["Vary"]
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="lead-import-progress"')
    assert 'hx-trigger="every 1s"' not in body and "250 of 250" in body


def test_a_failed_import_leaves_the_data_as_it_was(
    cm_membership, motion, django_capture_on_commit_callbacks, monkeypatch
):
    from deals.models import Lead, LeadImport
    from deals.services import lead_import as lead_import_module

    real_create = lead_import_module.lead_create
    calls = {"n": 0}

    def create_then_crash(**kwargs):
        calls["n"] += 1
        if calls["n"] == 150:  # after the first chunk's progress was reported
            raise RuntimeError("the database went away")
        return real_create(**kwargs)

    monkeypatch.setattr(lead_import_module, "lead_create", create_then_crash)
    rows = "".join(f"Co {i},US\n" for i in range(250))
    _import(
        cm_membership,
        ("customer_name,country\n" + rows).encode(),
        django_capture_on_commit_callbacks,
    )
    lead_import = LeadImport.objects.get()
    assert lead_import.status == "failed" and "nothing was imported" in lead_import.failure
    assert Lead.objects.count() == 0 and lead_import.created_count == 0


def test_a_running_import_shows_the_progress_the_job_keeps_in_the_cache(cm_membership, motion):
    from django.core.cache import cache
    from django.core.files.base import ContentFile

    from deals.models import LeadImport

    lead_import = LeadImport(requested_by=cm_membership, file_name="big.csv", total_rows=400)
    lead_import.file.save("leads.csv", ContentFile(b"customer_name,country\n"), save=False)
    lead_import.status = "running"
    lead_import.save()
    cache.set(f"deals:lead-import:{lead_import.pk}:progress", 200)
    url = reverse("deals:lead_import_detail", kwargs={"pk": lead_import.pk})
    body = client_for(cm_membership).get(url).content.decode()
    assert "200 of 400" in body and 'value="200" max="400"' in body


def test_a_running_import_polls_for_its_progress(cm_membership, motion):
    from django.core.files.base import ContentFile

    from deals.models import LeadImport

    lead_import = LeadImport(requested_by=cm_membership, file_name="big.csv", total_rows=400)
    lead_import.file.save("leads.csv", ContentFile(b"customer_name,country\n"), save=False)
    lead_import.processed_rows = 100
    lead_import.status = "running"
    lead_import.save()
    url = reverse("deals:lead_import_detail", kwargs={"pk": lead_import.pk})
    body = client_for(cm_membership).get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body and "100 of 400" in body
    assert 'value="100" max="400"' in body


def test_lead_import_template_downloads_the_columns(cm_membership, partner_admin_membership):
    url = reverse("deals:lead_import_template")
    response = client_for(cm_membership).get(url)
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    header = response.content.decode().splitlines()[0].split(",")
    assert header == list(services.LEAD_IMPORT_COLUMNS)
    assert client_for(partner_admin_membership).get(url).status_code == 403


# --- bounded queries --------------------------------------------------------------------


def _deals(partner, n, product) -> list[str]:
    names = []
    for _i in range(n):
        name = uuid.uuid4().hex[:12]
        make_deal(partner, customer=name, domain=f"{name}.example", products=[product])
        names.append(name)
    return names


@pytest.mark.parametrize("rows", [1, 50])
def test_portal_deal_list_queries_are_bounded(
    rows, partner_admin_membership, product, django_assert_max_num_queries
):
    names = _deals(partner_admin_membership, rows, product)
    client = client_for(partner_admin_membership)
    # A fixed number, whatever the rows: the page also shows the registration gate (the
    # agreement and each app's gates, e.g. a learning path a motion requires) and the
    # header's counts from the apps above (unread announcements). The motions the
    # partner may use are read once for the header and the gate, and the number of rows
    # comes from the figures (no COUNT).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("deals:portal_deal_list"))
    text = response.content.decode()
    assert response.status_code == 200
    # Every row is on the page (50 fit on one), each with the link to its deal.
    assert all(name in text for name in names)
    deals = Deal.objects.filter(customer_name__in=names)
    assert all(reverse("deals:portal_deal_detail", kwargs={"pk": d.pk}) in text for d in deals)


def test_portal_deal_list_takes_its_count_from_the_figures_unless_filtered(
    partner_admin_membership, product
):
    # 51 of the partner's own deals: two pages. Unfiltered (a sort or a page number
    # changes no row), the figures over the same rows give the number: no COUNT query.
    for index in range(51):
        make_deal(
            partner_admin_membership,
            customer=f"Counted {index:02d}",
            domain=f"counted{index}.example",
            products=[product],
            submit=index % 2 == 0,
        )
    client = client_for(partner_admin_membership)
    url = reverse("deals:portal_deal_list")

    def get(query):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + query)
        counts = [
            q["sql"]
            for q in queries
            if q["sql"].startswith("SELECT COUNT(*)") and 'FROM "deals_deal"' in q["sql"]
        ]
        return response, counts

    for query, page in (("", 1), ("?page=2", 2), ("?ordering=amount&page=2", 2)):
        response, counts = get(query)
        assert response.status_code == 200
        assert f"Page {page} of 2" in response.text and counts == []
    # The oldest registration, alone on the last page; there is no third.
    last = get("?page=2")[0].text
    assert last.count("Counted ") == 1 and "Counted 00" in last
    assert get("?page=3")[0].status_code == 404
    # A filter narrows the rows: the paginator counts them (25 drafts, one page).
    response, counts = get("?status=draft")
    assert len(counts) == 1
    assert response.text.count("Counted ") == 25 and 'aria-label="Pagination"' not in response.text
    # An invalid filter value is not taken for "no filter" either.
    assert len(get("?motion=not-a-motion")[1]) == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_console_deal_list_queries_are_bounded(
    rows, partner_admin_membership, cm_membership, product, django_assert_max_num_queries
):
    _deals(partner_admin_membership, rows, product)
    client = client_for(cm_membership)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("deals:console_deal_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_review_queue_queries_are_bounded(
    rows, partner_admin_membership, cm_membership, product, django_assert_max_num_queries
):
    _deals(partner_admin_membership, rows, product)
    client = client_for(cm_membership)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("deals:review_queue"))
    assert response.status_code == 200
    assert response.content.count(b'data-testid="queue-row"') == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_conflict_and_lead_lists_are_bounded(
    rows, partner_admin_membership, rival, cm_membership, django_assert_max_num_queries
):
    product = ProductFactory()
    for _ in range(rows):
        name = uuid.uuid4().hex[:12]
        make_deal(
            partner_admin_membership, customer=name, domain=f"{name}.example", products=[product]
        )
        make_deal(rival, customer=name, domain=f"{name}.example", products=[product])
    assert DealConflict.objects.count() == rows
    client = client_for(cm_membership)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("deals:conflict_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("deals:lead_list")).status_code == 200


def test_every_console_page_renders(cm_membership, admin_membership, motion, product):
    for name in (
        "console_deal_list",
        "review_queue",
        "conflict_list",
        "lead_list",
        "lead_create",
        "lead_import",
        "motion_list",
        "product_list",
        "routing_rule_list",
    ):
        assert client_for(cm_membership).get(reverse(f"deals:{name}")).status_code == 200, name
    for name in ("motion_create", "product_create", "routing_rule_create", "settings"):
        assert client_for(admin_membership).get(reverse(f"deals:{name}")).status_code == 200, name
        assert client_for(cm_membership).get(reverse(f"deals:{name}")).status_code == 403, name
    assert (
        client_for(admin_membership)
        .get(reverse("deals:motion_detail", kwargs={"pk": motion.pk}))
        .status_code
        == 200
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_portal_lead_list_queries_are_bounded(
    rows, partner_admin_membership, cm_membership, motion, django_assert_max_num_queries
):
    for i in range(rows):
        lead = services.lead_create(
            acting_membership=cm_membership,
            motion=motion,
            product=None,
            data={"customer_name": f"Lead {i}", "country": "US"},
            route=False,
        )
        services.lead_assign(
            lead=lead,
            organization=partner_admin_membership.partner_organization,
            acting_membership=cm_membership,
        )
    client = client_for(partner_admin_membership)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("deals:portal_lead_list"))
    assert response.content.count(b"answer by") == rows


def test_bad_input_never_fails_with_a_500(partner_admin_membership, cm_membership):
    staff = client_for(cm_membership)
    assert (
        staff.post(reverse("deals:review_bulk_approve"), {"deal": ["not-an-id"]}).status_code == 302
    )
    for params in ({"motion": "nope"}, {"submitted_after": "yesterday"}, {"q": "DR-0000000000001"}):
        assert staff.get(reverse("deals:console_deal_list"), params).status_code == 200
        assert staff.get(reverse("api:deal-list"), params).status_code in (200, 400)
    partner = client_for(partner_admin_membership)
    assert partner.get(reverse("deals:portal_deal_list"), {"status": "bogus"}).status_code == 200


def test_staff_see_the_audit_trail_with_who_changed_what(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    client = client_for(cm_membership)
    client.post(reverse("deals:deal_approve", kwargs={"pk": deal.pk}))
    page = client.get(reverse("deals:console_deal_detail", kwargs={"pk": deal.pk})).content.decode()
    assert "Audit trail" in page
    assert "Status: submitted → approved" in page
    assert cm_membership.user.display_name in page
    partner_page = client_for(partner_admin_membership).get(
        reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})
    )
    assert b"Audit trail" not in partner_page.content


def test_pipeline_links_to_the_deals_of_a_stage(partner_admin_membership, cm_membership):
    approved = services.deal_approve(
        deal=make_deal(partner_admin_membership, customer="Staged Co", domain="staged.example"),
        acting_membership=cm_membership,
    )
    make_deal(partner_admin_membership, customer="Waiting Co", domain="waiting.example")
    client = client_for(partner_admin_membership)
    page = client.get(reverse("deals:portal_deal_list")).content.decode()
    assert f"stage={approved.stage_id}" in page
    staged = client.get(reverse("deals:portal_deal_list"), {"stage": approved.stage_id}).content
    assert b"Staged Co" in staged and b"Waiting Co" not in staged


@pytest.mark.django_db
def test_the_partner_filter_is_for_staff_only(partner_admin_membership, cm_membership):
    assert (
        'name="partner"'
        not in client_for(partner_admin_membership).get("/portal/deals/").content.decode()
    )
    assert 'name="partner"' in client_for(cm_membership).get("/manage/deals/").content.decode()


def test_registration_gate_shows_where_register_a_deal_is_offered(partner_admin_membership, motion):
    from deals import providers
    from tests.partners.factories import AgreementFactory

    org = partner_admin_membership.partner_organization
    agreement = AgreementFactory()
    org.partner_type = agreement.partner_type
    org.save()

    def needs_training(organization, for_motion):
        return ["complete the Co-sell learning path"] if for_motion == motion else []

    providers.registration_gates.register(needs_training)
    try:
        client = client_for(partner_admin_membership)
        for name in ("deals:portal_deal_list", "deals:portal_deal_create", "portal_home"):
            page = client.get(reverse(name)).content.decode()
            gate = page.split('data-testid="registration-gate"')[1]
            assert "The current program agreement is not accepted." in gate, name
            assert reverse("partners:portal_agreement") in gate, name
            assert f"{motion.name}: complete the Co-sell learning path" in gate, name
        from partners import services as partner_services

        partner_services.agreement_accept(
            organization=org, acting_membership=partner_admin_membership
        )
        page = client.get(reverse("deals:portal_deal_list")).content.decode()
        assert "not accepted" not in page
        assert "No motion is open to you yet" in page  # the only motion is still gated
    finally:
        providers.registration_gates.unregister(needs_training)
    page = client.get(reverse("deals:portal_deal_list")).content.decode()
    gate = page.split('data-testid="registration-gate"')[1].split("</div>")[0]
    assert 'aria-disabled="true"' not in gate and "Register a deal" in gate


def test_review_queue_sort_reads_in_words(partner_admin_membership, cm_membership):
    older = make_deal(partner_admin_membership, customer="Older", domain="older.example")
    newer = make_deal(partner_admin_membership, customer="Newer", domain="newer.example")
    client = client_for(cm_membership)
    page = client.get(reverse("deals:review_queue")).text
    assert "(descending)" not in page
    assert "(descending)" not in client.get(reverse("deals:console_deal_list")).text
    assert ">Newest first</option>" in page and ">Oldest first</option>" in page
    newest = client.get(reverse("deals:review_queue") + "?ordering=-age").text
    assert newest.index(newer.reference) < newest.index(older.reference)


def test_channel_manager_reopens_a_lost_deal_from_its_page(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    services.deal_close(
        deal=deal,
        acting_membership=cm_membership,
        won=False,
        closed_on=timezone.localdate(),
        final_amount=None,
    )
    staff = client_for(cm_membership)
    page = staff.get(reverse("deals:console_deal_detail", kwargs={"pk": deal.pk}))
    assert b"Reopen the deal" in page.content
    # The partner's page offers no reopen.
    partner_page = client_for(partner_admin_membership).get(
        reverse("deals:portal_deal_detail", kwargs={"pk": deal.pk})
    )
    assert b"Reopen the deal" not in partner_page.content
    url = reverse("deals:console_deal_reopen", kwargs={"pk": deal.pk})
    empty = staff.post(url, {"reason": ""}, follow=True)
    deal.refresh_from_db()
    assert deal.status == DealStatus.LOST and b"Why reopen it" in empty.content
    staff.post(url, {"reason": "The customer came back"})
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED and deal.stage is not None
    assert not deal.stage.is_lost and not deal.stage.is_won
    assert partner_admin_membership.user.notifications.filter(kind="deal.reopened").exists()


def test_deal_page_offers_the_later_stages_and_names_them_in_the_audit_trail(
    partner_admin_membership, cm_membership, motion
):
    """The stage select and the audit trail reuse the stages the page reads once."""
    import re

    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    partner = client_for(partner_admin_membership)
    staff = client_for(cm_membership)

    def offered(client, name):
        page = client.get(reverse(f"deals:{name}", kwargs={"pk": deal.pk})).content.decode()
        select = re.search(r'<select name="stage".*?</select>', page, re.S)
        labels = re.findall(r'<option value="[^"]*"[^>]*>([^<]*)</option>', select.group(0))
        return labels if select else None, page

    assert deal.stage.name == "Qualify"  # the partner's stage: only the partner moves it
    assert offered(partner, "portal_deal_detail")[0] == [
        "- Select an option -",
        "Technical validation",
        "Negotiate",
    ]
    moved = partner.post(
        reverse("deals:portal_deal_stage", kwargs={"pk": deal.pk}),
        {"stage": str(deal.motion.stages.get(name="Technical validation").pk)},
    )
    assert moved.status_code == 302
    options, page = offered(staff, "console_deal_detail")
    assert options == ["- Select an option -", "Negotiate"]
    assert "Qualify → Technical validation" in page[page.index('id="audit-title"') :]


def test_console_deal_page_queries_are_bounded(
    partner_admin_membership, cm_membership, motion, django_assert_max_num_queries
):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    client = client_for(cm_membership)
    url = reverse("deals:console_deal_detail", kwargs={"pk": deal.pk})
    client.get(url)
    # The deal, its stages (timeline, stage select and audit trail share them), comments,
    # transitions, extensions, partners, lines, history, conflicts, sales reps, the
    # access check and the unread count.
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
