"""Deal lists and the console deal page render in constant work: one form in the review
queue whatever its rows, no <select> of every partner (an htmx autocomplete instead),
API rows built without DRF's per-field machinery but identical to what it gives."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers as drf_serializers
from rest_framework.utils.encoders import JSONEncoder

from deals import selectors, services
from deals.api.serializers import DealSerializer
from deals.choices import DealStatus
from deals.models import Deal, DealLine, DealPartner
from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.deals.factories import ProductFactory, make_deal
from tests.factories import MembershipFactory, PartnerOrganizationFactory

pytestmark = pytest.mark.django_db


def _deals(partner, n, product) -> list[Deal]:
    deals = []
    for _ in range(n):
        name = uuid.uuid4().hex[:12]
        deals.append(
            make_deal(partner, customer=name, domain=f"{name}.example", products=[product])
        )
    return deals


# --- review queue ----------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_review_queue_renders_one_form_whatever_the_rows(
    rows, partner_admin_membership, cm_membership, product, django_assert_max_num_queries
):
    deals = _deals(partner_admin_membership, rows, product)
    client = client_for(cm_membership, htmx=True)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("deals:review_queue"))
    body = response.content.decode()
    assert body.count('data-testid="queue-row"') == rows
    # The bulk form is the page's one form (one CSRF token): each row's Approve submits
    # it to the row's URL, Reject and Ask fetch their form when opened.
    assert body.count("<form") == 1 and body.count("csrfmiddlewaretoken") == 1
    assert "<select" not in body
    assert body.count(">Approve</button>") == rows
    for deal in deals:
        row = body.split(f'id="row-{deal.pk}"')[1].split("</tr>")[0]
        approve = reverse("deals:deal_approve", kwargs={"pk": deal.pk})
        assert f'formaction="{approve}"' in row and f'hx-post="{approve}"' in row
        assert f'hx-get="{reverse("deals:deal_reject", kwargs={"pk": deal.pk})}"' in row
        assert reverse("deals:deal_request_info", kwargs={"pk": deal.pk}) in row


def test_review_queue_rows_say_what_the_template_filters_said(
    partner_admin_membership, rival, cm_membership
):
    """The rows' texts are worked out in Python (deals.views.review.queue_rows): the same
    text the template's filters wrote, for a waiting row, a row with the partner and a
    row decided in place."""
    from django.template.defaultfilters import date as date_filter

    from partners.models import Tier
    from prm.core.money import format_money

    organization = partner_admin_membership.partner_organization
    organization.tier = Tier.objects.create(name="Gold <&>", rank=3)
    organization.save()
    late = make_deal(partner_admin_membership, customer="Late & Co", domain="late.example")
    asked = make_deal(rival, customer="Asked", domain="asked.example")
    services.deal_request_info(deal=asked, acting_membership=cm_membership, message="Who?")
    now = timezone.now()
    Deal.objects.filter(pk=late.pk).update(submitted_at=now - timedelta(days=3, hours=1))
    Deal.objects.filter(pk=asked.pk).update(submitted_at=now - timedelta(days=1, hours=1))
    late.refresh_from_db()
    client = client_for(cm_membership, htmx=True)
    body = client.get(reverse("deals:review_queue")).content.decode()

    row = body.split(f'id="row-{late.pk}"')[1].split("</tr>")[0]
    detail = reverse("deals:console_deal_detail", kwargs={"pk": late.pk})
    assert f'<a href="{detail}">{late.reference}</a> · Late &amp; Co<br>' in row
    assert f"late.example · US · {late.motion.name}</small>" in row
    assert f'{organization.name}<br><small class="muted">Gold &lt;&amp;&gt;</small>' in row
    submitted = date_filter(timezone.template_localtime(late.submitted_at), "d M Y H:i")
    assert f'<span class="pill pill-bad" title="Submitted {submitted}">3 days</span>' in row
    assert f'<td data-label="Amount">{format_money(late.amount, whole=True)}</td>' in row
    assert f'value="{late.pk}" form="bulk-form"' in row and ">Approve</button>" in row
    assert 'data-testid="request-info"' in row and "with partner" not in row

    row = body.split(f'id="row-{asked.pk}"')[1].split("</tr>")[0]
    assert '<span class="pill pill-warn" title="Submitted ' in row and ">1 day</span>" in row
    assert '<span class="pill status-info_requested">with partner</span>' in row
    assert rival.partner_organization.name + "</td>" in row  # no tier
    assert 'name="deal"' not in row and "Approve</button>" not in row
    assert 'data-testid="reject"' in row and 'data-testid="request-info"' not in row

    # Decided in place: the row says so, with the protection's end.
    url = reverse("deals:deal_approve", kwargs={"pk": late.pk})
    row = client.post(url, {"from": "queue"}).content.decode()
    late.refresh_from_db()
    assert '<span class="pill status-approved" data-testid="row-status">Approved</span>' in row
    assert f"<small>until {date_filter(late.protection_expires_on, 'd M Y')}</small>" in row
    assert 'name="deal"' not in row and 'data-testid="reject"' not in row


def test_review_queue_decision_forms_come_on_demand(partner_admin_membership, cm_membership):
    deal = make_deal(partner_admin_membership)
    other = make_deal(partner_admin_membership, customer="Initech", domain="initech.example")
    htmx = client_for(cm_membership, htmx=True)
    url = reverse("deals:deal_reject", kwargs={"pk": deal.pk})
    fragment = htmx.get(url)
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    assert "<html" not in text and f'hx-post="{url}"' in text
    assert 'name="code"' in text and 'name="reason"' in text and 'name="from"' in text
    assert 'value="conflict"' not in text  # decided on the conflict page, not here
    # The form it gives decides the row in place.
    response = htmx.post(url, {"from": "queue", "code": "other", "reason": "Not a fit."})
    assert b'data-testid="queue-row"' in response.content and b"<html" not in response.content
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED

    info_url = reverse("deals:deal_request_info", kwargs={"pk": other.pk})
    assert 'name="message"' in htmx.get(info_url).content.decode()
    # Without htmx the link leads to the deal page's review section, which has the form.
    plain = client_for(cm_membership).get(info_url)
    detail = reverse("deals:console_deal_detail", kwargs={"pk": other.pk})
    assert plain.status_code == 302 and plain["Location"] == f"{detail}#review-title"
    # Partners get neither.
    assert client_for(partner_admin_membership, htmx=True).get(info_url).status_code == 403


def test_approve_without_javascript_posts_the_page_form_to_the_row_url(
    partner_admin_membership, cm_membership
):
    first = make_deal(partner_admin_membership)
    ticked = make_deal(partner_admin_membership, customer="Initech", domain="initech.example")
    url = reverse("deals:deal_approve", kwargs={"pk": first.pk})
    # The bulk form's fields come along (a ticked box): only the row's deal is approved.
    response = client_for(cm_membership).post(url, {"from": "queue", "deal": [str(ticked.pk)]})
    assert response.status_code == 302
    assert response["Location"] == reverse("deals:console_deal_detail", kwargs={"pk": first.pk})
    first.refresh_from_db()
    ticked.refresh_from_db()
    assert (first.status, ticked.status) == (DealStatus.APPROVED, DealStatus.SUBMITTED)


def test_quick_select_writes_what_djangos_select_templates_write():
    from django import forms

    from prm.core.widgets import QuickSelect

    choices = [("", "Any status"), ("draft", "Draft"), ("a&b", 'A & <b>"x"</b>')]
    invalid = {"aria-invalid": "true", "aria-describedby": "id_status_error", "id": "id_status"}
    for value in ("", "draft", None, "a&b", "missing"):
        # An invalid field's attributes come in their own order, not sorted.
        for attrs in ({"id": "id_status", "required": True, "disabled": False}, invalid):
            expected = forms.Select(choices=choices).render("status", value, attrs)
            assert QuickSelect(choices=choices).render("status", value, attrs) == expected


# --- partner autocomplete ----------------------------------------------------------------


def test_partner_options_suggest_the_tenants_partners_by_name(
    cm_membership, partner_admin_membership, other_tenant
):
    PartnerOrganizationFactory(name="Northwind Traders")
    PartnerOrganizationFactory(name="Northwind Retired", is_active=False)
    PartnerOrganizationFactory(name="Contoso")
    with tenant_context(other_tenant):
        PartnerOrganizationFactory(name="Northwind Abroad")
        other_cm = MembershipFactory(role="channel_manager")
    url = reverse("deals:partner_options")
    client = client_for(cm_membership, htmx=True)
    # The filter's input sends its own name: `partner`.
    text = client.get(url, {"partner": "northW"}).content.decode()
    assert '<option value="Northwind Traders">' in text and "Northwind Retired" in text
    assert "Contoso" not in text and "Abroad" not in text
    # The deal page's editor offers only active partners.
    active = client.get(url, {"partners-0-organization": "north", "active": "1"}).text
    assert "Northwind Traders" in active and "Retired" not in active
    assert "Abroad" not in client.get(url, {"q": ""}).text
    # Another tenant's staff get their own tenant's partners only.
    theirs = client_for(other_cm, htmx=True).get(url, {"q": "north"}).text
    assert "Northwind Abroad" in theirs and "Traders" not in theirs
    # Partner users get no list of partners at all.
    assert client_for(partner_admin_membership, htmx=True).get(url, {"q": ""}).status_code == 403


def test_deal_filters_suggest_partners_instead_of_listing_them(
    partner_admin_membership, rival, cm_membership
):
    mine = make_deal(partner_admin_membership, customer="Initech", domain="initech.example")
    theirs = make_deal(rival, customer="Umbrella", domain="umbrella.example")
    PartnerOrganizationFactory(name="Bystander Partners")
    client = client_for(cm_membership)
    for name in ("deals:console_deal_list", "deals:review_queue"):
        page = client.get(reverse(name)).content.decode()
        assert 'list="partner-options"' in page and '<datalist id="partner-options">' in page
        assert '<label>Partner<input type="text" name="partner"' in page
        assert "Bystander Partners" not in page  # no option per partner
        assert '<select name="organization"' not in page and '<select name="partner"' not in page
    # The organization's id still filters (links, the API).
    rival_id = rival.partner_organization_id
    for name in ("deals:console_deal_list", "deals:review_queue"):
        page = client.get(reverse(name), {"organization": str(rival_id)}).content.decode()
        assert theirs.reference in page and mine.reference not in page
    # And so does the name the autocomplete suggests.
    page = client.get(reverse("deals:console_deal_list"), {"partner": "Rival Partners Ltd"}).text
    assert theirs.reference in page and mine.reference not in page


# --- console deal page -------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_console_deal_page_is_bounded_and_lists_no_partners(
    rows, partner_admin_membership, cm_membership, django_assert_max_num_queries
):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    for i in range(rows):
        services.deal_comment_add(deal=deal, acting_membership=cm_membership, body=f"Note {i}")
    for i in range(3):
        PartnerOrganizationFactory(name=f"Bystander {i}")
    client = client_for(cm_membership)
    url = reverse("deals:console_deal_detail", kwargs={"pk": deal.pk})
    with django_assert_max_num_queries(16):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and page.count("Note ") >= rows
    assert "Bystander" not in page  # no option per partner of the tenant
    assert '<select name="partners-0-organization"' not in page
    assert '<input type="text" name="partners-0-organization"' in page
    # The partner on the deal (approval puts the registering one at 100 %) and two free rows.
    assert page.count('list="active-partner-options"') == 3
    assert '<datalist id="active-partner-options">' in page
    organization = partner_admin_membership.partner_organization
    assert f'name="partners-0-organization" value="{organization.name}"' in page


def test_staff_put_partners_on_a_deal_by_name(partner_admin_membership, cm_membership):
    deal = services.deal_approve(
        deal=make_deal(partner_admin_membership), acting_membership=cm_membership
    )
    PartnerOrganizationFactory(name="Services Co")
    PartnerOrganizationFactory(name="Gone Ltd", is_active=False)
    client = client_for(cm_membership)
    url = reverse("deals:deal_partners", kwargs={"pk": deal.pk})
    data = {
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "10",
        "partners-0-organization": partner_admin_membership.partner_organization.name,
        "partners-0-role": "reseller",
        "partners-0-split_percent": "70",
        "partners-1-organization": "gone ltd",
        "partners-1-role": "service_provider",
        "partners-1-split_percent": "30",
    }
    saved = DealPartner.objects.filter(deal=deal).values_list("organization__name", "split_percent")
    before = set(saved)  # the registering partner, at 100 % since the approval
    refused = client.post(url, data, follow=True).content.decode()
    assert "Check the partners" in refused and set(saved.all()) == before
    data["partners-1-organization"] = "services co"  # any case: names are unique per tenant
    client.post(url, data, follow=True)
    assert set(saved.all()) == {
        (partner_admin_membership.partner_organization.name, Decimal("70")),
        ("Services Co", Decimal("30")),
    }


# --- API ---------------------------------------------------------------------------------


def _generic(deal) -> dict:
    """The row as DRF's generic serializer path builds it (the reference)."""
    serializer = DealSerializer(deal)
    return drf_serializers.ModelSerializer.to_representation(serializer, deal)


def _json(data) -> str:
    return json.dumps(data, cls=JSONEncoder)


def test_api_deal_rows_are_what_the_generic_serializer_gives(
    partner_admin_membership, rival, cm_membership
):
    today = timezone.localdate()
    # Several lines, named so that their order by name is neither the order they were
    # added in nor Python's (case): the page's lines come in the database's name order.
    draft = make_deal(
        partner_admin_membership,
        customer="Draft Co",
        domain="d.example",
        submit=False,
        products=[ProductFactory(name=n) for n in ("banana Box", "Apple Kit", "Cherry Pack")],
    )
    approved = services.deal_approve(
        deal=make_deal(partner_admin_membership, customer="Won Co", domain="w.example"),
        acting_membership=cm_membership,
    )
    services.deal_partners_set(
        deal=approved,
        acting_membership=cm_membership,
        participants=[
            (partner_admin_membership.partner_organization, "reseller", Decimal("62.5")),
            (rival.partner_organization, "service_provider", Decimal("37.5")),
        ],
    )
    won = services.deal_close(
        deal=approved,
        acting_membership=cm_membership,
        won=True,
        closed_on=today - timedelta(days=1),
        final_amount=Decimal("12345.67"),
    )
    rejected = services.deal_reject(
        deal=make_deal(rival, customer="No Co", domain="n.example"),
        acting_membership=cm_membership,
        reason="Not a fit.",
    )
    deals = list(
        Deal.objects.filter(pk__in=[draft.pk, won.pk, rejected.pk]).prefetch_related(
            "organization", "motion", "stage", "lines__product", "participants__organization"
        )
    )
    assert len(deals) == 3
    for deal in deals:
        fast = DealSerializer(deal).data
        generic = _generic(deal)
        assert list(fast) == list(generic) == list(DealSerializer.Meta.fields)
        assert _json(fast) == _json(generic), deal.customer_name
    # A page: its nested parts fetched flat, by the page's ids; the same rows.
    page = DealSerializer(Deal.objects.filter(pk__in=[d.pk for d in deals]), many=True).data
    assert _json(sorted(page, key=lambda r: r["number"])) == _json(
        sorted((_generic(d) for d in deals), key=lambda r: r["number"])
    )
    by_name = {d.customer_name: DealSerializer(d).data for d in deals}
    assert by_name["Draft Co"]["stage"] is None and by_name["Draft Co"]["stage_name"] is None
    # The date-times in the time zone of the request, as DRF writes them (no "Z" then).
    with timezone.override("America/New_York"):
        page_there = DealSerializer(
            Deal.objects.filter(pk__in=[d.pk for d in deals]), many=True
        ).data
        generic_there = sorted((_generic(d) for d in deals), key=lambda r: r["number"])
    assert _json(sorted(page_there, key=lambda r: r["number"])) == _json(generic_there)
    assert "-0" in page_there[0]["created_at"] and _json(page_there) != _json(page)
    in_page = {row["customer_name"]: row for row in page}
    assert [line["product_name"] for line in in_page["Draft Co"]["lines"]] == [
        line.product.name for line in DealLine.objects.filter(deal=draft).select_related("product")
    ]
    assert [p["split_percent"] for p in in_page["Won Co"]["participants"]] == ["62.50", "37.50"]
    assert by_name["Won Co"]["final_amount"] == "12345.67"
    assert [p["split_percent"] for p in by_name["Won Co"]["participants"]] == ["62.50", "37.50"]


@pytest.mark.parametrize("rows", [1, 50])
def test_api_deal_list_rows_and_queries_do_not_grow(
    rows, partner_admin_membership, cm_membership, product, django_assert_max_num_queries
):
    _deals(partner_admin_membership, rows, product)
    for membership in (partner_admin_membership, cm_membership):
        client = client_for(membership)
        # The partner's list reads the ids of the deals it takes part in with the number
        # of its own (no COUNT); the rows' names, lines and participants in one query.
        with django_assert_max_num_queries(7):
            response = client.get(reverse("api:deal-list"))
        body = response.json()
        assert body["count"] == rows and len(body["results"]) == rows
        assert all(r["lines"][0]["product_name"] == "Cloud Suite" for r in body["results"])


# --- partner deal list -------------------------------------------------------------------


def test_partner_list_figures_count_by_status_and_stage(partner_admin_membership, cm_membership):
    approved = [
        services.deal_approve(
            deal=make_deal(partner_admin_membership, customer=f"A{i}", domain=f"a{i}.example"),
            acting_membership=cm_membership,
        )
        for i in range(3)
    ]
    make_deal(partner_admin_membership, customer="Waiting", domain="waiting.example")
    make_deal(partner_admin_membership, customer="Draft", domain="draft.example", submit=False)
    queryset = Deal.objects.visible_to(partner_admin_membership)
    counts, pipeline = selectors.deal_list_figures(queryset=queryset)
    assert counts == {DealStatus.APPROVED: 3, DealStatus.SUBMITTED: 1, DealStatus.DRAFT: 1}
    stage = approved[0].stage
    assert pipeline == [
        {
            "stage_id": stage.pk,
            "stage__motion__name": stage.motion.name,
            "stage__name": stage.name,
            "stage__position": stage.position,
            "count": 3,
            "amount": sum(deal.amount for deal in approved),
        }
    ]
