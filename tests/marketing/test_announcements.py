"""Announcements: published to an audience, seen on the home page, counted unread in the
header, read receipts for the vendor, optionally in the daily digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketing import selectors, services
from marketing.models import Announcement, AnnouncementRead
from prm.notifications import tasks as notification_tasks
from prm.notifications.models import Notification
from prm.tenancy.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory, PartnerOrganizationFactory
from tests.marketing.factories import make_announcement
from tests.partners.factories import PartnerTypeFactory, TierFactory

pytestmark = pytest.mark.django_db


def _fresh(membership):
    return Membership.objects.select_related("partner_organization").get(pk=membership.pk)


@pytest.fixture
def reseller(partner_org):
    partner_type = PartnerTypeFactory(key="reseller", name="Reseller")
    partner_org.partner_type = partner_type
    partner_org.save()
    return partner_type


@pytest.fixture
def outsider():
    """A partner user of another organization, of no partner type."""
    org = PartnerOrganizationFactory(name="Outsider Ltd")
    return MembershipFactory(role="partner", partner_organization=org, partner_role="partner_admin")


def test_audience_by_type_tier_and_role(
    admin_membership, partner_admin_membership, partner_member_membership, reseller, outsider
):
    gold = TierFactory(name="Gold", rank=3)
    org = partner_admin_membership.partner_organization
    org.tier = gold
    org.save()
    targeted = make_announcement(
        admin_membership,
        audience_partner_types=[reseller.pk],
        audience_tiers=[gold.pk],
        audience_partner_roles=["partner_admin"],
    )
    visible = Announcement.objects.visible_to
    assert list(visible(_fresh(partner_admin_membership))) == [targeted]
    assert not visible(_fresh(partner_member_membership)).exists()  # a member, not an admin
    assert not visible(_fresh(outsider)).exists()


def test_drafts_and_expired_ones_are_hidden(admin_membership, partner_admin_membership):
    make_announcement(admin_membership, publish=False, title="Draft")
    expiring = make_announcement(
        admin_membership, title="Soon gone", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert [a.title for a in Announcement.objects.visible_to(partner_admin_membership)] == [
        "Soon gone"
    ]
    Announcement.objects.filter(pk=expiring.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert not Announcement.objects.visible_to(_fresh(partner_admin_membership)).exists()


def test_body_is_sanitised_and_expiry_checked(admin_membership):
    a = make_announcement(admin_membership, body_markdown="<img src=x onerror=alert(1)> *hi*")
    assert "<img" not in a.body_html and "<em>hi</em>" in a.body_html
    with pytest.raises(Exception) as exc:
        make_announcement(admin_membership, expires_at=timezone.now() - timedelta(days=1))
    assert "expiry must be in the future" in str(exc.value)


def test_home_panel_header_count_and_read_receipts(
    admin_membership, partner_admin_membership, partner_member_membership
):
    announcement = make_announcement(admin_membership, title="Price list 2027", is_pinned=True)
    client = client_for(partner_admin_membership)
    home = client.get(reverse("portal_home")).content.decode()
    assert "Price list 2027" in home
    assert 'data-testid="announcements-unread">1<' in home
    client.get(reverse("marketing:portal_announcement_detail", args=[announcement.pk]))
    client.get(reverse("marketing:portal_announcement_detail", args=[announcement.pk]))
    assert AnnouncementRead.objects.filter(announcement=announcement).count() == 1
    home = client.get(reverse("portal_home")).content.decode()
    assert 'data-testid="announcements-unread"' not in home
    receipts = {
        r.user_id: r.read_at for r in selectors.announcement_receipts(announcement=announcement)
    }
    assert receipts[partner_admin_membership.user_id] is not None
    assert receipts[partner_member_membership.user_id] is None
    page = client_for(admin_membership).get(
        reverse("marketing:console_announcement_detail", args=[announcement.pk])
    )
    assert "Read receipts (1 of 2)" in page.content.decode()


def test_staff_publish_from_the_form_with_clear_errors(admin_membership, reseller):
    client = client_for(admin_membership)
    url = reverse("marketing:console_announcement_create")
    response = client.post(url, {"title": "", "body_markdown": ""})
    assert response.status_code == 400
    assert "Give the announcement a title." in response.content.decode()
    response = client.post(
        url,
        {
            "title": "Partner summit",
            "body_markdown": "Join us.",
            "audience_partner_types": [str(reseller.pk)],
            "publish": "1",
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.published_at is not None
    assert announcement.audience_partner_types == [reseller.pk]


def test_digest_lists_new_announcements_for_those_targeted(
    tenant, admin_membership, partner_admin_membership, outsider, reseller
):
    make_announcement(
        admin_membership,
        title="Summit in May",
        include_in_digest=True,
        audience_partner_types=[reseller.pk],
    )
    make_announcement(admin_membership, title="Not for the digest")
    assert notification_tasks.send_digest(tenant_id=tenant.pk) >= 1
    digest = Notification.objects.get(recipient=partner_admin_membership.user, kind="digest")
    assert "Announcement: Summit in May" in digest.body
    assert "Not for the digest" not in digest.body
    assert not Notification.objects.filter(recipient=outsider.user, kind="digest").exists()
    # A second run on the same day sends nothing again.
    assert notification_tasks.send_digest(tenant_id=tenant.pk) == 0


def test_api_publish_read_and_receipts(admin_membership, partner_admin_membership, outsider):
    staff = client_for(admin_membership)
    response = staff.post(
        "/api/v1/announcements/",
        {"title": "", "body_markdown": "x", "audience_partner_roles": ["boss"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"audience_partner_roles"} <= set(response.json()["errors"])
    response = staff.post(
        "/api/v1/announcements/",
        {"title": "API news", "body_markdown": "Hello"},
        content_type="application/json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    partner = client_for(partner_admin_membership)
    assert partner.get(f"/api/v1/announcements/{pk}/").status_code == 404  # a draft
    staff.post(f"/api/v1/announcements/{pk}/publish/", {}, content_type="application/json")
    assert partner.get(f"/api/v1/announcements/{pk}/").json()["is_read"] is False
    assert partner.post(f"/api/v1/announcements/{pk}/read/").status_code == 204
    assert partner.get(f"/api/v1/announcements/{pk}/").json()["is_read"] is True
    assert partner.get(f"/api/v1/announcements/{pk}/receipts/").status_code == 403
    receipts = staff.get(f"/api/v1/announcements/{pk}/receipts/").json()
    by_email = {r["email"]: r["read_at"] for r in receipts}
    assert by_email[partner_admin_membership.user.email] is not None
    assert by_email[outsider.user.email] is None


@pytest.mark.parametrize("rows", [1, 50])
def test_announcement_lists_are_bounded(
    rows, admin_membership, partner_admin_membership, django_assert_max_num_queries
):
    for i in range(rows):
        announcement = make_announcement(admin_membership, is_pinned=i == 0)
        services.announcement_mark_read(
            announcement=announcement, acting_membership=partner_admin_membership
        )
    staff, partner = client_for(admin_membership), client_for(partner_admin_membership)
    with django_assert_max_num_queries(14):
        response = staff.get(reverse("marketing:console_announcement_list"))
    assert response.content.count(b'data-testid="announcement-row"') == rows
    with django_assert_max_num_queries(16):
        response = partner.get(reverse("marketing:portal_announcement_list"))
    assert response.content.count(b'data-testid="portal-announcement"') == rows
    with django_assert_max_num_queries(18):
        response = partner.get(reverse("portal_home"))
    assert response.status_code == 200
    with django_assert_max_num_queries(16):
        response = staff.get(
            reverse("marketing:console_announcement_detail", args=[announcement.pk])
        )
    assert response.content.count(b'data-testid="receipt-row"') == 1
    for client in (staff, partner):
        with django_assert_max_num_queries(12):
            assert client.get("/api/v1/announcements/").json()["count"] == rows
