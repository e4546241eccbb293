"""Help requests: asked by a partner user, answered by its channel manager (else the
admins) within a response time, escalated when late, resolved and rated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from marketing import services, tasks
from marketing.models import HelpRequest
from prm.notifications.models import Notification
from tests.conftest import client_for
from tests.marketing.factories import PDF, pdf, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_org(partner_org, cm_membership):
    partner_org.channel_manager = cm_membership.user
    partner_org.save()
    return partner_org


def _ask(membership, **extra):
    values = {
        "category": "deal",
        "subject": "Protection for DR-000001",
        "body": "Can you extend it?",
    }
    values.update(extra)
    return services.help_request_create(acting_membership=membership, **values)


def test_request_goes_to_the_channel_manager_with_a_deadline(
    owned_org, partner_admin_membership, cm_membership
):
    before = timezone.now()
    request = _ask(partner_admin_membership, attachment=pdf())
    assert request.assignee == cm_membership.user
    assert before + timedelta(hours=8) <= request.response_due_at
    assert request.attachment.name.startswith(f"tenants/{request.tenant_id}/help/")
    assert Notification.objects.filter(recipient=cm_membership.user, kind="help.requested").exists()


def test_without_a_channel_manager_the_admins_hear(partner_admin_membership, admin_membership):
    request = _ask(partner_admin_membership)
    assert request.assignee is None
    assert Notification.objects.filter(
        recipient=admin_membership.user, kind="help.requested"
    ).exists()


def test_bad_attachment_and_missing_text_are_refused_and_nothing_is_stored(
    partner_admin_membership,
):
    with pytest.raises(ValidationError) as exc:
        _ask(
            partner_admin_membership,
            subject="",
            attachment=upload("run.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        )
    assert {"subject", "attachment"} <= set(exc.value.message_dict)
    big = upload("big.pdf", PDF + b"0" * (services.ATTACHMENT_MAX_BYTES + 1))
    with pytest.raises(ValidationError, match="at most 8 MB"):
        _ask(partner_admin_membership, attachment=big)
    assert not HelpRequest.objects.exists()


def test_thread_statuses_resolve_and_rating(owned_org, partner_admin_membership, cm_membership):
    request = _ask(partner_admin_membership)
    with pytest.raises(ValidationError):
        services.help_request_rate(
            request=request, acting_membership=partner_admin_membership, rating=5
        )
    services.help_reply_add(
        request=request, acting_membership=cm_membership, body="Extended by 30 days."
    )
    request.refresh_from_db()
    assert request.status == "waiting_on_partner" and request.first_response_at
    assert Notification.objects.filter(
        recipient=partner_admin_membership.user, kind="help.reply"
    ).exists()
    services.help_reply_add(
        request=request, acting_membership=partner_admin_membership, body="Thanks, one more?"
    )
    request.refresh_from_db()
    assert request.status == "open"
    services.help_request_resolve(request=request, acting_membership=partner_admin_membership)
    request = services.help_request_rate(
        request=request, acting_membership=partner_admin_membership, rating=4, comment="Quick"
    )
    assert (request.status, request.rating) == ("resolved", 4)


def test_another_organization_cannot_reply(partner_admin_membership):
    from tests.factories import MembershipFactory, PartnerOrganizationFactory

    request = _ask(partner_admin_membership)
    other = MembershipFactory(
        role="partner",
        partner_organization=PartnerOrganizationFactory(),
        partner_role="partner_admin",
    )
    with pytest.raises(PermissionDenied):
        services.help_reply_add(request=request, acting_membership=other, body="Hi")


def test_sla_escalation_once_and_not_after_an_answer(
    tenant, owned_org, partner_admin_membership, cm_membership, admin_membership
):
    late = _ask(partner_admin_membership, subject="Late one")
    answered = _ask(partner_admin_membership, subject="Answered one")
    services.help_reply_add(request=answered, acting_membership=cm_membership, body="Done")
    HelpRequest.objects.update(response_due_at=timezone.now() - timedelta(minutes=5))
    assert tasks.escalate_help_sla(tenant_id=tenant.pk) == 1
    assert tasks.escalate_help_sla(tenant_id=tenant.pk) == 0
    overdue = Notification.objects.filter(kind="help.overdue")
    assert set(overdue.values_list("recipient_id", flat=True)) == {
        admin_membership.user_id,
        cm_membership.user_id,
    }
    late.refresh_from_db()
    assert late.escalated_at is not None


def test_partner_page_asks_with_clear_errors_and_keeps_the_text(partner_admin_membership):
    client = client_for(partner_admin_membership)
    url = reverse("marketing:portal_help_list")
    response = client.post(
        url,
        {
            "category": "technical",
            "subject": "SSO setup",
            "body": "Our SAML login fails.",
            "attachment": upload("shot.png", b"plain text, not an image"),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "This type of file is not accepted" in body
    assert "Our SAML login fails." in body and 'value="SSO setup"' in body
    response = client.post(
        url, {"category": "technical", "subject": "SSO setup", "body": "Our SAML login fails."}
    )
    assert response.status_code == 302
    assert HelpRequest.objects.get().category == "technical"


def test_attachment_is_served_only_to_vendor_and_owner(partner_admin_membership, admin_membership):
    from tests.factories import MembershipFactory, PartnerOrganizationFactory

    request = _ask(partner_admin_membership, attachment=pdf())
    url = reverse("marketing:help_attachment", args=[request.pk])
    assert client_for(admin_membership).get(url).status_code == 200
    assert client_for(partner_admin_membership).get(url)["Content-Type"] == "application/pdf"
    other = MembershipFactory(
        role="partner",
        partner_organization=PartnerOrganizationFactory(),
        partner_role="partner_admin",
    )
    assert client_for(other).get(url).status_code == 404


def test_api_ask_reply_resolve_rate(owned_org, partner_admin_membership, cm_membership):
    partner, staff = client_for(partner_admin_membership), client_for(cm_membership)
    response = partner.post(
        "/api/v1/help-requests/", {"category": "funds", "subject": "", "body": "x"}
    )
    assert response.status_code == 400 and "subject" in response.json()["errors"]
    response = partner.post(
        "/api/v1/help-requests/",
        {"category": "funds", "subject": "MDF claim", "body": "Where is my payout?"},
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert staff.post("/api/v1/help-requests/", {}).status_code == 403
    response = staff.post(
        f"/api/v1/help-requests/{pk}/reply/",
        {"body": "Paid Friday."},
        content_type="application/json",
    )
    assert response.json()["status"] == "waiting_on_partner"
    response = partner.post(
        f"/api/v1/help-requests/{pk}/rate/", {"rating": 5}, content_type="application/json"
    )
    assert response.status_code == 400
    partner.post(f"/api/v1/help-requests/{pk}/resolve/")
    response = partner.post(
        f"/api/v1/help-requests/{pk}/rate/", {"rating": 9}, content_type="application/json"
    )
    assert response.status_code == 400
    response = partner.post(
        f"/api/v1/help-requests/{pk}/rate/", {"rating": 5}, content_type="application/json"
    )
    assert response.json()["rating"] == 5
    assert len(response.json()["replies"]) == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_help_lists_are_bounded(
    rows, owned_org, partner_admin_membership, cm_membership, django_assert_max_num_queries
):
    for i in range(rows):
        request = _ask(partner_admin_membership, subject=f"Q{i}")
        services.help_reply_add(request=request, acting_membership=cm_membership, body="A")
    partner, staff = client_for(partner_admin_membership), client_for(cm_membership)
    with django_assert_max_num_queries(14):
        response = staff.get(reverse("marketing:console_help_list"))
    assert response.content.count(b'data-testid="help-row"') == rows
    with django_assert_max_num_queries(14):
        response = partner.get(reverse("marketing:portal_help_list"))
    assert response.content.count(b'data-testid="help-row"') == rows
    for client in (staff, partner):
        with django_assert_max_num_queries(12):
            assert client.get("/api/v1/help-requests/").json()["count"] == rows
