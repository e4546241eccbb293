"""Co-branded campaigns: the kit, launches, the public landing page, its leads, figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from deals import services as deal_services
from deals.models import Lead
from marketing import services
from marketing.models import Campaign, CampaignAsset, CampaignLaunch, CampaignLead
from marketing.selectors import campaign_stats
from prm.notifications.models import Notification
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory
from tests.marketing.factories import (
    PDF,
    launch,
    lead_data,
    make_campaign,
    pdf,
    png,
    upload,
)
from tests.partners.factories import PartnerTypeFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(admin_membership):
    return make_campaign(admin_membership)


@pytest.fixture
def live(campaign, partner_admin_membership):
    return launch(campaign, partner_admin_membership)


def _landing(live):
    return reverse("marketing:landing", args=[live.slug, live.campaign.slug])


# --- the kit -----------------------------------------------------------------------------


def test_landing_body_is_sanitised_on_save(campaign):
    assert "<strong>Backups</strong>" in campaign.body_html
    assert "<script>" not in campaign.body_html


def test_campaign_address_is_unique_in_the_tenant(admin_membership, campaign):
    with pytest.raises(ValidationError) as exc:
        make_campaign(admin_membership, slug=campaign.slug)
    assert "slug" in exc.value.message_dict


def test_partner_cannot_build_a_campaign(partner_admin_membership):
    with pytest.raises(PermissionDenied):
        make_campaign(partner_admin_membership)


def test_asset_type_is_checked_by_content_and_size_capped(admin_membership, campaign):
    asset = services.campaign_asset_add(
        campaign=campaign, acting_membership=admin_membership, title="One-pager", upload=pdf()
    )
    assert asset.content_type == "application/pdf"
    assert asset.file.name.startswith(f"tenants/{campaign.tenant_id}/campaign-assets/")
    # A text file named .pdf is refused, and nothing is stored.
    with pytest.raises(ValidationError) as exc:
        services.campaign_asset_add(
            campaign=campaign,
            acting_membership=admin_membership,
            title="Fake",
            upload=upload("fake.pdf", b"just some text", "application/pdf"),
        )
    assert "not accepted" in str(exc.value.message_dict["file"])
    big = upload("big.pdf", PDF + b"0" * (services.ASSET_MAX_BYTES + 1), "application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.campaign_asset_add(
            campaign=campaign, acting_membership=admin_membership, title="Big", upload=big
        )
    assert "at most 8 MB" in str(exc.value.message_dict["file"])
    assert CampaignAsset.objects.count() == 1


# --- audience and launch -----------------------------------------------------------------


def test_audience_by_type_and_minimum_tier(admin_membership, partner_admin_membership):
    reseller = PartnerTypeFactory(key="reseller", name="Reseller")
    gold = TierFactory(name="Gold", rank=3)
    silver = TierFactory(name="Silver", rank=2)
    org = partner_admin_membership.partner_organization
    campaign = make_campaign(
        admin_membership, audience_partner_types=[reseller.pk], audience_min_tier=gold
    )

    def visible(membership):
        fresh = Membership.objects.select_related("partner_organization").get(pk=membership.pk)
        return Campaign.objects.visible_to(fresh)

    assert not visible(partner_admin_membership).filter(pk=campaign.pk).exists()
    with pytest.raises(PermissionDenied):
        launch(campaign, partner_admin_membership)
    org.partner_type, org.tier = reseller, silver
    org.save()
    partner_admin_membership.refresh_from_db()
    assert not visible(partner_admin_membership).filter(pk=campaign.pk).exists()
    org.tier = gold
    org.save()
    partner_admin_membership.refresh_from_db()
    assert visible(partner_admin_membership).filter(pk=campaign.pk).exists()


def test_draft_campaign_is_not_offered(admin_membership, partner_admin_membership):
    campaign = make_campaign(admin_membership, publish=False)
    assert not Campaign.objects.visible_to(partner_admin_membership).exists()
    with pytest.raises(PermissionDenied):
        launch(campaign, partner_admin_membership)


def test_campaign_not_yet_running_cannot_be_launched(admin_membership, partner_admin_membership):
    today = timezone.localdate()
    campaign = make_campaign(
        admin_membership, starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=9)
    )
    with pytest.raises(ValidationError, match="not running"):
        launch(campaign, partner_admin_membership)


def test_launch_is_once_per_organization_and_fills_placeholders(
    live, campaign, partner_admin_membership, partner_member_membership, cm_membership
):
    assert launch(campaign, partner_member_membership).pk == live.pk
    org = partner_admin_membership.partner_organization
    branding = services.branding_for(organization=org, launch=live)
    text = services.fill_placeholders(campaign.email_body + " {unknown} {0.__class__}", branding)
    assert f"Pat Partner from {org.name}" in text
    assert live.get_public_path() in text
    assert "{unknown} {0.__class__}" in text  # only the known placeholders are filled


def test_partner_may_not_change_what_the_kit_keeps(admin_membership, partner_admin_membership):
    campaign = make_campaign(admin_membership, allow_custom_headline=False)
    with pytest.raises(ValidationError) as exc:
        launch(campaign, partner_admin_membership, headline="Ours")
    assert "headline" in exc.value.message_dict


# --- the public landing page ------------------------------------------------------------


def test_landing_page_counts_views_and_shows_the_partner(live, tenant):
    client = client_for(tenant=tenant)
    response = client.get(_landing(live))
    client.get(_landing(live))
    assert response.status_code == 200
    assert live.organization.name in response.content.decode()
    assert "Never lose a file again" in response.content.decode()
    assert campaign_stats(campaign=live.campaign)["views"] == 2


def test_landing_page_on_another_tenants_host_is_404(live, other_tenant):
    assert client_for(tenant=other_tenant).get(_landing(live)).status_code == 404


def test_same_addresses_in_two_tenants_stay_apart(live, tenant):
    other = TenantFactory(slug="initech")
    with tenant_context(other):
        admin = MembershipFactory(role="admin")
        org = PartnerOrganizationFactory(name=live.organization.name)
        partner = MembershipFactory(
            role="partner", partner_organization=org, partner_role="partner_admin"
        )
        theirs = launch(
            make_campaign(admin, slug=live.campaign.slug, headline="Initech headline"), partner
        )
    assert theirs.slug == live.slug
    body = client_for(tenant=other).get(_landing(live)).content.decode()
    assert "Initech headline" in body and "Never lose a file again" not in body


def test_submission_becomes_a_partner_sourced_lead_offered_to_the_partner(
    live, tenant, partner_admin_membership, cm_membership
):
    org = live.organization
    org.channel_manager = cm_membership.user
    org.save()
    response = client_for(tenant=tenant).post(_landing(live), lead_data())
    assert response.status_code == 302
    link = CampaignLead.objects.select_related("lead").get()
    lead = link.lead
    assert (lead.customer_name, lead.contact_email, lead.country) == (
        "Buyer Ltd",
        "vera@buyer.example",
        "GB",
    )
    assert lead.partner_sourced and lead.status == "offered"
    assert lead.assigned_organization_id == org.pk
    assert link.launch_id == live.pk and org.name in link.consent_text
    kinds = set(Notification.objects.values_list("recipient_id", "kind"))
    assert (partner_admin_membership.user_id, "lead.offered") in kinds
    assert (cm_membership.user_id, "campaign.lead") in kinds
    # The partner sees it among its leads, and accepting it counts on the campaign.
    assert Lead.objects.visible_to(partner_admin_membership).filter(pk=lead.pk).exists()
    deal_services.lead_accept(lead=lead, acting_membership=partner_admin_membership)
    stats = campaign_stats(campaign=live.campaign)
    assert (stats["leads"], stats["accepted"], stats["deals"], stats["won"]) == (1, 1, 1, 0)


def test_bad_email_shows_a_field_error_and_keeps_what_was_typed(live, tenant):
    response = client_for(tenant=tenant).post(
        _landing(live), lead_data(email="vera-at-buyer", company="Typed Company Ltd")
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter an e-mail address like name@company.com." in body
    assert 'value="Typed Company Ltd"' in body
    assert not CampaignLead.objects.exists() and not Lead.objects.exists()


def test_consent_is_required(live, tenant):
    data = lead_data()
    del data["consent"]
    response = client_for(tenant=tenant).post(_landing(live), data)
    assert response.status_code == 400
    assert "Tick the box to agree to be contacted." in response.content.decode()
    assert not Lead.objects.exists()


def test_honeypot_stores_nothing(live, tenant):
    response = client_for(tenant=tenant).post(_landing(live), lead_data(nickname="bot"))
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_submissions_are_limited_per_address(live, tenant):
    client = client_for(tenant=tenant)
    for i in range(5):
        assert client.post(_landing(live), lead_data(company=f"C{i}")).status_code == 302
    response = client.post(_landing(live), lead_data(company="Sixth Ltd"))
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many requests" in body and 'value="Sixth Ltd"' in body
    assert CampaignLead.objects.count() == 5


def test_paused_or_closed_page_takes_no_leads(live, tenant, admin_membership):
    services.campaign_set_status(
        campaign=live.campaign, acting_membership=admin_membership, status="closed"
    )
    response = client_for(tenant=tenant).post(_landing(live), lead_data())
    assert response.status_code == 400
    assert "This offer has ended" in response.content.decode()
    assert not Lead.objects.exists()


def test_lead_of_a_partner_that_cannot_transact_waits_for_the_vendor(
    live, tenant, admin_membership
):
    org = live.organization
    org.lifecycle_stage = "inactive"
    org.save()
    client_for(tenant=tenant).post(_landing(live), lead_data())
    lead = Lead.objects.get()
    assert lead.status == "unassigned" and lead.partner_sourced
    assert Notification.objects.filter(
        recipient=admin_membership.user, kind="campaign.lead"
    ).exists()


# --- pages -------------------------------------------------------------------------------


def test_vendor_builds_and_publishes_a_campaign(admin_membership):
    from tests.marketing.factories import lead_motion

    client = client_for(admin_membership)
    today = timezone.localdate()
    response = client.post(
        reverse("marketing:console_campaign_create"),
        {
            "name": "Autumn backup",
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "lead_motion": lead_motion().pk,
            "headline": "Back up",
        },
    )
    assert response.status_code == 400
    assert "must end on or after its start" in response.content.decode()
    response = client.post(
        reverse("marketing:console_campaign_create"),
        {
            "name": "Autumn backup",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=5)).isoformat(),
            "lead_motion": lead_motion().pk,
            "headline": "Back up",
            "body_markdown": "[x](javascript:alert(1)) *fine*",
        },
    )
    campaign = Campaign.objects.get(name="Autumn backup")
    assert response.status_code == 302 and campaign.slug == "autumn-backup"
    assert 'href="javascript' not in campaign.body_html and "<em>fine</em>" in campaign.body_html
    client.post(
        reverse("marketing:console_campaign_status", args=[campaign.pk]), {"status": "published"}
    )
    campaign.refresh_from_db()
    assert campaign.status == "published"


def test_asset_upload_of_wrong_type_is_a_form_error(admin_membership, campaign):
    client = client_for(admin_membership)
    response = client.post(
        reverse("marketing:console_campaign_asset_upload", args=[campaign.pk]),
        {"title": "Script", "file": upload("x.png", b"#!/bin/sh\necho hi\n", "image/png")},
    )
    assert response.status_code == 400
    assert "This type of file is not accepted" in response.content.decode()
    response = client.post(
        reverse("marketing:console_campaign_asset_upload", args=[campaign.pk]),
        {"title": "Banner", "file": png()},
    )
    assert response.status_code == 302


def test_asset_download_checks_access(admin_membership, partner_admin_membership):
    reseller = PartnerTypeFactory(key="reseller", name="Reseller")
    campaign = make_campaign(admin_membership, audience_partner_types=[reseller.pk])
    asset = services.campaign_asset_add(
        campaign=campaign, acting_membership=admin_membership, title="Deck", upload=pdf()
    )
    url = reverse("marketing:campaign_asset_download", args=[asset.pk])
    response = client_for(admin_membership).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The partner is not of the targeted type: the file does not exist for it.
    assert client_for(partner_admin_membership).get(url).status_code == 404
    assert client_for(tenant=admin_membership.tenant).get(url).status_code == 302


def test_partner_previews_co_branded_and_launches(campaign, partner_admin_membership):
    client = client_for(partner_admin_membership)
    org = partner_admin_membership.partner_organization
    url = reverse("marketing:portal_campaign_detail", args=[campaign.pk])
    body = client.get(url).content.decode()
    assert f"{org.name} has news" in body  # the subject with the partner's name filled in
    response = client.post(url, {"contact_name": "", "contact_email": "not-an-email"})
    assert response.status_code == 400
    assert CampaignLaunch.objects.count() == 0
    response = client.post(
        url, {"contact_name": "Pat", "contact_email": "pat@p.test", "headline": "Our offer"}
    )
    launch_row = CampaignLaunch.objects.get()
    assert response.status_code == 302 and launch_row.headline == "Our offer"
    page = client.get(reverse("marketing:portal_launch_detail", args=[launch_row.pk]))
    assert launch_row.get_public_path() in page.content.decode()
    listing = client.get(reverse("marketing:portal_campaign_list")).content.decode()
    assert "Your launches" in listing


# --- API ---------------------------------------------------------------------------------


def test_api_builds_publishes_and_launches(admin_membership, partner_admin_membership):
    from tests.marketing.factories import lead_motion

    today = timezone.localdate()
    staff = client_for(admin_membership)
    payload = {
        "name": "API campaign",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=3)).isoformat(),
        "lead_motion": str(lead_motion().pk),
        "headline": "Hi",
        "audience_partner_types": ["00000000-0000-0000-0000-000000000000"],
    }
    response = staff.post("/api/v1/campaigns/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "audience_partner_types" in response.json()["errors"]
    payload["audience_partner_types"] = []
    response = staff.post("/api/v1/campaigns/", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    campaign_id = response.json()["id"]
    partner = client_for(partner_admin_membership)
    assert partner.get(f"/api/v1/campaigns/{campaign_id}/").status_code == 404  # a draft
    staff.post(
        f"/api/v1/campaigns/{campaign_id}/status/",
        {"status": "published"},
        content_type="application/json",
    )
    response = partner.post(
        f"/api/v1/campaigns/{campaign_id}/launch/",
        {"contact_name": "Pat", "contact_email": "bad"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "contact_email" in response.json()["errors"]
    response = partner.post(
        f"/api/v1/campaigns/{campaign_id}/launch/",
        {"contact_name": "Pat", "contact_email": "pat@p.test"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["public_path"].startswith("/c/")
    listed = staff.get("/api/v1/campaigns/").json()["results"][0]
    assert listed["stats"]["launches"] == 1
    launches = partner.get("/api/v1/campaign-launches/").json()
    assert launches["count"] == 1 and launches["results"][0]["stats"]["leads"] == 0


def test_api_asset_upload_refuses_wrong_type(admin_membership, campaign):
    response = client_for(admin_membership).post(
        "/api/v1/campaign-assets/",
        {"campaign": str(campaign.pk), "title": "x", "file": upload("x.pdf", b"plain text")},
    )
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


# --- bounded queries ---------------------------------------------------------------------


def _many(admin, partner, rows):
    campaigns = [make_campaign(admin) for _ in range(rows)]
    for c in campaigns:
        services.campaign_asset_add(campaign=c, acting_membership=admin, title="t", upload=pdf())
        launch(c, partner)
    return campaigns


@pytest.mark.parametrize("rows", [1, 50])
def test_campaign_lists_are_bounded(
    rows, admin_membership, partner_admin_membership, django_assert_max_num_queries
):
    campaigns = _many(admin_membership, partner_admin_membership, rows)
    staff, partner = client_for(admin_membership), client_for(partner_admin_membership)
    with django_assert_max_num_queries(14):
        response = staff.get(reverse("marketing:console_campaign_list"))
    assert response.content.count(b'data-testid="campaign-row"') == rows
    with django_assert_max_num_queries(16):
        response = partner.get(reverse("marketing:portal_campaign_list"))
    assert response.content.count(b'data-testid="my-launch-row"') == rows
    with django_assert_max_num_queries(16):
        response = staff.get(reverse("marketing:console_campaign_detail", args=[campaigns[0].pk]))
    assert response.status_code == 200
    for url in ("/api/v1/campaigns/", "/api/v1/campaign-launches/", "/api/v1/campaign-assets/"):
        for client in (staff, partner):
            with django_assert_max_num_queries(12):
                response = client.get(url)
            assert response.json()["count"] == rows, url
