"""An admin revokes a certification award: with a reason, the person and their partner
admins told once, the public check says "revoked", certified people stop counting it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enablement import models, services
from enablement.selectors import certified_people_count
from prm.notifications.models import Notification
from tests.conftest import client_for


@pytest.fixture
def award(partner_org, partner_member_membership):
    cert = models.Certification.objects.create(name="Platform Certified", is_published=True)
    return models.CertificationAward.objects.create(
        certification=cert,
        membership=partner_member_membership,
        organization=partner_org,
        code="REVK-AAAA-BBBB",
        valid_until=timezone.localdate() + timedelta(days=200),
    )


def test_revoking_needs_a_reason_notifies_once_and_stops_counting(
    admin_membership, partner_admin_membership, partner_member_membership, partner_org, award
):
    assert certified_people_count(partner_org) == 1
    with pytest.raises(ValidationError, match="reason"):
        services.award_revoke(acting_membership=admin_membership, award=award, reason="  ")
    award.refresh_from_db()
    assert award.revoked_at is None
    services.award_revoke(
        acting_membership=admin_membership, award=award, reason="Exam taken by someone else"
    )
    award.refresh_from_db()
    assert award.revoked_at is not None and award.revoked_by == admin_membership.user
    assert award.revoked_reason == "Exam taken by someone else"
    assert not award.is_valid
    assert certified_people_count(partner_org) == 0
    with pytest.raises(ValidationError, match="already revoked"):
        services.award_revoke(acting_membership=admin_membership, award=award, reason="Again")
    sent = Notification.objects.filter(kind="enablement.certification_revoked")
    assert sorted(n.recipient_id for n in sent) == sorted(
        [partner_member_membership.user_id, partner_admin_membership.user_id]
    )
    assert all("Exam taken by someone else" in n.body for n in sent)
    # Audited: the award's history has the revocation.
    assert award.events.filter(revoked_reason="Exam taken by someone else").exists()


def test_a_revoked_award_is_not_renewed_by_completing_the_courses_again(
    admin_membership, partner_member_membership, award
):
    services.award_revoke(acting_membership=admin_membership, award=award, reason="Fraud")
    assert services.award_renewal_window_open(award) is False
    from enablement.services.certifications import _award_grant_or_renew

    assert (
        _award_grant_or_renew(
            certification=award.certification, membership=partner_member_membership
        )
        is None
    )
    award.refresh_from_db()
    assert award.revoked_at is not None


def test_admin_revokes_from_the_console_and_the_public_check_says_revoked(admin_membership, award):
    client = client_for(admin_membership)
    roster = client.get(reverse("enablement:roster")).content.decode()
    url = reverse("enablement:award_revoke", args=[award.pk])
    assert url in roster
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    award.refresh_from_db()
    assert award.revoked_at is None
    response = client.post(url, {"reason": "Left the partner under a cloud"})
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.revoked_at is not None
    roster = client.get(reverse("enablement:roster")).content.decode()
    assert "revoked" in roster and url not in roster
    public = client_for(None, tenant=admin_membership.tenant).get(f"/verify/{award.code}/")
    page = public.content.decode()
    assert public.status_code == 200
    assert "Revoked" in page and "Valid</span>" not in page
    assert "under a cloud" not in page  # the reason is not public
    export = b"".join(client.get(reverse("enablement:roster_export")).streaming_content)
    assert export.decode().strip().endswith(",revoked")


def test_channel_manager_and_partner_cannot_revoke(cm_membership, partner_admin_membership, award):
    url = reverse("enablement:award_revoke", args=[award.pk])
    assert client_for(cm_membership).post(url, {"reason": "x"}).status_code == 403
    assert client_for(partner_admin_membership).post(url, {"reason": "x"}).status_code in (
        403,
        404,
    )
    award.refresh_from_db()
    assert award.revoked_at is None


def test_revoking_publishes_the_event_analytics_listens_to(
    admin_membership, partner_org, award, monkeypatch, django_capture_on_commit_callbacks
):
    from analytics import handlers as analytics_handlers
    from enablement.events import CERTIFICATION_REVOKED
    from prm.core import events

    assert analytics_handlers.on_certification_earned in events.handlers(CERTIFICATION_REVOKED)
    received = []
    monkeypatch.setitem(events._handlers, CERTIFICATION_REVOKED, [lambda **p: received.append(p)])
    with django_capture_on_commit_callbacks(execute=True):
        services.award_revoke(acting_membership=admin_membership, award=award, reason="Fraud")
    assert received == [
        {
            "tenant_id": award.tenant_id,
            "award_id": str(award.pk),
            "certification_id": str(award.certification_id),
            "membership_id": str(award.membership_id),
            "organization_id": str(partner_org.pk),
        }
    ]
