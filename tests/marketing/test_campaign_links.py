"""A campaign's links below it: kit assets from the content library (enablement), and the
campaign an MDF fund request funds (incentives, through its provider registry)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from enablement.models import Asset, AssetActivity
from incentives import services as incentive_services
from incentives.models import FundAllocation, FundRequest
from marketing import services
from marketing.models import CampaignFunding, CampaignLibraryAsset
from marketing.services.campaign_links import NOT_YOUR_CAMPAIGN
from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory
from tests.incentives.factories import fund_with_allocation, request_input
from tests.marketing.factories import (
    funding_request,
    launch,
    library_asset,
    make_campaign,
)
from tests.partners.factories import PartnerTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(admin_membership):
    return make_campaign(admin_membership)


def _other_partner(**org_fields):
    org = PartnerOrganizationFactory(**org_fields)
    return MembershipFactory(role="partner", partner_organization=org, partner_role="partner_admin")


def _add(campaign, admin, asset):
    return services.campaign_library_asset_add(
        campaign=campaign, acting_membership=admin, asset_id=asset.pk
    )


# --- kit assets from the content library ---------------------------------------------------


def test_partner_sees_only_the_library_assets_the_library_lets_it_see(
    admin_membership, partner_admin_membership, campaign
):
    public = library_asset(admin_membership, title="Co-branding guide")
    link = library_asset(admin_membership, title="Pricing page", file=False)
    narrow = library_asset(
        admin_membership,
        title="Distributor terms",
        audience_type_ids=[PartnerTypeFactory(key="distributor").pk],
    )
    draft = library_asset(admin_membership, title="Next year's deck", is_published=False)
    for asset in (public, link, narrow, draft):
        _add(campaign, admin_membership, asset)

    partner = client_for(partner_admin_membership)
    page = partner.get(reverse("marketing:portal_campaign_detail", args=[campaign.pk]))
    body = page.content.decode()
    assert body.count('data-testid="kit-library-asset"') == 2
    assert "Co-branding guide" in body and "Pricing page" in body
    assert "Distributor terms" not in body and "Next year&#x27;s deck" not in body
    # Opened and downloaded through the library's own pages (audience checked, counted).
    download = reverse("enablement:resource_download", args=[public.pk])
    assert download in body
    assert f"{reverse('enablement:resource', args=[link.pk])}?go=1" in body
    response = partner.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert AssetActivity.objects.filter(asset=public, kind="download").count() == 1
    # What the library hides stays hidden on its own pages too.
    assert partner.get(reverse("enablement:resource_download", args=[narrow.pk])).status_code == 404

    # Staff see all four, with why partners do not see the draft.
    console = client_for(admin_membership).get(
        reverse("marketing:console_campaign_detail", args=[campaign.pk])
    )
    text = console.content.decode()
    assert text.count('data-testid="kit-library-asset"') == 4
    assert "not published in the library" in text

    # The partner's own launch page lists them the same way.
    row = launch(campaign, partner_admin_membership)
    body = partner.get(reverse("marketing:portal_launch_detail", args=[row.pk])).content.decode()
    assert body.count('data-testid="kit-library-asset"') == 2


def test_a_campaign_outside_the_partners_audience_shows_it_no_library_asset(
    admin_membership, partner_admin_membership
):
    reseller = PartnerTypeFactory(key="reseller-only")
    campaign = make_campaign(admin_membership, audience_partner_types=[reseller.pk])
    _add(campaign, admin_membership, library_asset(admin_membership, title="Public deck"))
    partner = client_for(partner_admin_membership)
    assert CampaignLibraryAsset.objects.visible_to(partner_admin_membership).count() == 0
    assert partner.get("/api/v1/campaign-library-assets/").json()["count"] == 0


def test_adding_is_idempotent_checks_the_tenant_and_removing_keeps_the_asset(
    admin_membership, partner_admin_membership, campaign, other_tenant
):
    asset = library_asset(admin_membership, title="Deck")
    first = _add(campaign, admin_membership, asset)
    assert _add(campaign, admin_membership, asset).pk == first.pk
    with tenant_context(other_tenant):
        foreign = library_asset(MembershipFactory(role="admin"), title="Globex deck")
    with pytest.raises(ValidationError) as exc:
        _add(campaign, admin_membership, foreign)
    assert exc.value.message_dict == {"asset": ["Choose an asset of your content library."]}
    with pytest.raises(ValidationError):
        services.campaign_library_asset_add(
            campaign=campaign, acting_membership=admin_membership, asset_id="not-an-id"
        )
    with pytest.raises(PermissionDenied):
        _add(campaign, partner_admin_membership, asset)

    client = client_for(admin_membership)
    response = client.post(
        reverse("marketing:console_campaign_library_add", args=[campaign.pk]),
        {"asset": str(foreign.pk)},
        follow=True,
    )
    assert "Choose an asset of your content library." in response.content.decode()
    assert CampaignLibraryAsset.objects.count() == 1
    client.post(reverse("marketing:console_campaign_library_remove", args=[first.pk]))
    assert CampaignLibraryAsset.objects.count() == 0
    asset.refresh_from_db()  # still in the library


def test_library_picker_searches_and_pages_instead_of_listing_everything(
    admin_membership, campaign
):
    for n in range(25):
        library_asset(admin_membership, title=f"Datasheet {n:02d}", file=False, category="Sheets")
    library_asset(admin_membership, title="Security whitepaper", file=False)
    added = library_asset(admin_membership, title="Datasheet already in", file=False)
    _add(campaign, admin_membership, added)
    client = client_for(admin_membership, htmx=True)
    url = reverse("marketing:console_campaign_library_search", args=[campaign.pk])

    response = client.get(url)
    body = response.content.decode()
    assert "<html" not in body and "HX-Request" in response["Vary"]
    assert body.count('data-testid="library-result"') == 10  # a page, not all 26
    assert "26 matches" in body and 'data-testid="library-next"' in body
    assert "Datasheet already in" not in body  # in the kit already

    body = client.get(url, {"q": "security"}).content.decode()
    assert body.count('data-testid="library-result"') == 1 and "Security whitepaper" in body
    body = client.get(url, {"q": "datash", "page": 3}).content.decode()  # a title fragment
    assert body.count('data-testid="library-result"') == 5

    # Without htmx the same URL is a whole page (works without JavaScript).
    page = client_for(admin_membership).get(url, {"q": "security"})
    assert b"<html" in page.content and b"Add to the kit" in page.content

    # Picking one adds it to the kit.
    whitepaper = Asset.objects.get(title="Security whitepaper")
    client_for(admin_membership).post(
        reverse("marketing:console_campaign_library_add", args=[campaign.pk]),
        {"asset": str(whitepaper.pk)},
    )
    assert CampaignLibraryAsset.objects.filter(campaign=campaign, asset=whitepaper).exists()


def test_api_adds_lists_and_removes_library_assets(
    admin_membership, partner_admin_membership, campaign, other_tenant
):
    staff, partner = client_for(admin_membership), client_for(partner_admin_membership)
    visible = library_asset(admin_membership, title="Public deck")
    hidden = library_asset(admin_membership, title="Hidden deck", is_published=False)
    with tenant_context(other_tenant):
        foreign = library_asset(MembershipFactory(role="admin"), title="Globex deck")
    url = "/api/v1/campaign-library-assets/"
    response = staff.post(
        url, {"campaign": str(campaign.pk), "asset": str(foreign.pk)}, "application/json"
    )
    assert response.status_code == 400 and "asset" in response.json()["errors"]
    response = partner.post(
        url, {"campaign": str(campaign.pk), "asset": str(visible.pk)}, "application/json"
    )
    assert response.status_code == 403
    for asset in (visible, hidden):
        response = staff.post(
            url, {"campaign": str(campaign.pk), "asset": str(asset.pk)}, "application/json"
        )
        assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Hidden deck" and body["download_url"].endswith("/download/")

    assert staff.get(url, {"campaign": str(campaign.pk)}).json()["count"] == 2
    listed = partner.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "Public deck"
    assert partner.get(f"{url}{body['id']}/").status_code == 404  # the hidden one
    assert staff.delete(f"{url}{body['id']}/").status_code == 204
    assert CampaignLibraryAsset.objects.count() == 1


# --- the campaign an MDF request funds -------------------------------------------------------


def _request_form(allocation):
    return reverse("incentives:portal_request_create", args=[allocation.pk])


def _form_data(campaign_id="", **extra):
    data = {
        "title": "Paid social for the spring promotion",
        "activity_type": "digital",
        "description": "Promoted posts pointing at our landing page",
        "starts_on": request_input().starts_on.isoformat(),
        "ends_on": request_input().ends_on.isoformat(),
        "planned_spend": "800",
        "campaign": str(campaign_id),
    }
    data.update(extra)
    return data


def test_partner_names_one_of_its_launched_campaigns_and_the_vendor_sees_it(
    admin_membership, cm_membership, partner_admin_membership, campaign
):
    row = launch(campaign, partner_admin_membership)
    not_launched = make_campaign(admin_membership, name="Never launched")
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    partner = client_for(partner_admin_membership)
    # From its launch page the partner goes to its funds, the campaign carried along.
    page = partner.get(reverse("marketing:portal_launch_detail", args=[row.pk])).content.decode()
    funds_url = f"{reverse('incentives:portal_funds')}?campaign={campaign.pk}"
    assert funds_url in page
    funds = partner.get(funds_url).content.decode()
    assert f"{_request_form(allocation)}?campaign={campaign.pk}" in funds
    form = partner.get(_request_form(allocation)).content.decode()
    assert campaign.name in form and "Never launched" not in form  # only its own launches
    preset = partner.get(_request_form(allocation), {"campaign": str(campaign.pk)})
    assert f'value="{campaign.pk}" selected' in preset.content.decode()

    response = partner.post(_request_form(allocation), _form_data(campaign.pk))
    assert response.status_code == 302, response.content.decode()
    fund_request = FundRequest.objects.get()
    funding = CampaignFunding.objects.get()
    assert funding.fund_request == fund_request and funding.launch.campaign == campaign
    detail = partner.get(reverse("incentives:portal_request_detail", args=[fund_request.pk]))
    assert campaign.name in detail.content.decode()
    funds = partner.get(reverse("incentives:portal_funds")).content.decode()
    assert reverse("marketing:portal_launch_detail", args=[funding.launch_id]) in funds

    # The console's review queue shows which campaign the request funds.
    queue = client_for(cm_membership).get(reverse("incentives:request_queue")).content.decode()
    assert 'data-testid="request-link"' in queue and campaign.name in queue
    assert reverse("marketing:console_campaign_detail", args=[campaign.pk]) in queue
    # After a decision in place, the row still says so.
    row = client_for(cm_membership, htmx=True).post(
        reverse("incentives:request_approve", args=[fund_request.pk]),
        {"amount": "600", "reason": "Two weeks only"},
    )
    assert campaign.name in row.content.decode()
    assert not_launched  # offered to the partner, but not launched: never in its list


def test_another_partners_or_tenants_campaign_is_a_clear_field_error(
    admin_membership, partner_admin_membership, campaign, other_tenant
):
    launch(campaign, partner_admin_membership)
    theirs = make_campaign(admin_membership, name="Launched by someone else")
    launch(theirs, _other_partner(name="Other partner"))
    with tenant_context(other_tenant):
        globex_admin = MembershipFactory(role="admin")
        globex_campaign = make_campaign(globex_admin, name="Globex campaign")
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    partner = client_for(partner_admin_membership)
    for foreign in (theirs.pk, globex_campaign.pk, "not-an-id"):
        response = partner.post(_request_form(allocation), _form_data(foreign, title="Kept"))
        body = response.content.decode()
        assert response.status_code == 400
        assert NOT_YOUR_CAMPAIGN in body and 'value="Kept"' in body  # nothing typed is lost
    assert FundRequest.objects.count() == 0 and CampaignFunding.objects.count() == 0
    assert FundAllocation.objects.get(pk=allocation.pk).committed == 0

    # The service refuses the same way (the API and any other caller).
    with pytest.raises(ValidationError) as exc:
        incentive_services.fund_request_submit(
            acting_membership=partner_admin_membership,
            allocation=allocation,
            data=request_input("100", links={"campaign": str(theirs.pk)}),
        )
    assert exc.value.message_dict["campaign"] == [NOT_YOUR_CAMPAIGN]
    # Naming nothing is fine.
    response = partner.post(_request_form(allocation), _form_data(""))
    assert response.status_code == 302 and CampaignFunding.objects.count() == 0


def test_api_names_the_campaign_and_refuses_another_partners(
    admin_membership, partner_admin_membership, campaign
):
    launch(campaign, partner_admin_membership)
    theirs = make_campaign(admin_membership, name="Theirs")
    launch(theirs, _other_partner(name="Other partner"))
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    partner = client_for(partner_admin_membership)
    payload = {
        "allocation": str(allocation.pk),
        "title": "Ads",
        "activity_type": "digital",
        "description": "Ads",
        "starts_on": request_input().starts_on.isoformat(),
        "ends_on": request_input().ends_on.isoformat(),
        "planned_spend": "300.00",
        "campaign": str(theirs.pk),
    }
    response = partner.post("/api/v1/fund-requests/", payload, "application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["campaign"] == [NOT_YOUR_CAMPAIGN]
    assert FundRequest.objects.count() == 0

    payload["campaign"] = str(campaign.pk)
    response = partner.post("/api/v1/fund-requests/", payload, "application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["campaign"] == str(campaign.pk) and body["campaign_name"] == campaign.name
    listed = client_for(admin_membership).get("/api/v1/fund-requests/").json()["results"]
    assert listed[0]["campaign"] == str(campaign.pk)
    payload.pop("campaign")
    response = partner.post("/api/v1/fund-requests/", payload, "application/json")
    assert response.status_code == 201 and response.json()["campaign"] is None
    schema = client_for(admin_membership).get("/api/v1/schema/?format=json").json()
    properties = schema["components"]["schemas"]["FundRequest"]["properties"]
    assert "campaign" in properties and "campaign_name" in properties


def test_vendor_tracks_mdf_requested_and_approved_per_campaign_and_partner(
    admin_membership, cm_membership, partner_admin_membership, campaign
):
    row = launch(campaign, partner_admin_membership)
    first = funding_request(partner_admin_membership, admin_membership, campaign, planned="800")
    funding_request(partner_admin_membership, admin_membership, campaign, planned="200")
    incentive_services.fund_request_approve(
        request=first, acting_membership=cm_membership, amount=Decimal("500"), reason="Half"
    )
    staff = client_for(admin_membership)
    listing = staff.get(reverse("marketing:console_campaign_list")).content.decode()
    assert "$1,000.00 requested, $500.00 approved" in listing
    detail = staff.get(
        reverse("marketing:console_campaign_detail", args=[campaign.pk])
    ).content.decode()
    assert detail.count("$1,000.00 requested, $500.00 approved") == 2  # campaign + launch
    own = client_for(partner_admin_membership).get(
        reverse("marketing:portal_launch_detail", args=[row.pk])
    )
    assert "$1,000.00 requested, $500.00 approved" in own.content.decode()
    api = staff.get("/api/v1/campaigns/").json()["results"][0]["mdf"]
    assert api == [{"currency": "USD", "requests": 2, "requested": "1000.00", "approved": "500.00"}]
    assert (
        client_for(partner_admin_membership).get(f"/api/v1/campaigns/{campaign.pk}/").json()["mdf"]
        == []
    )  # other partners' figures are the vendor's


def test_without_the_link_registered_requests_name_nothing(
    admin_membership, partner_admin_membership, campaign
):
    """Incentives works alone: with no provider registered there is no field, and a
    posted "campaign" is ignored."""
    from incentives.forms import FundRequestForm
    from incentives.providers import fund_request_links

    launch(campaign, partner_admin_membership)
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization, admin_membership
    )
    registered = list(fund_request_links)
    for link in registered:
        fund_request_links.unregister(link)
    try:
        assert "campaign" not in FundRequestForm(membership=partner_admin_membership).fields
        response = client_for(partner_admin_membership).post(
            _request_form(allocation), _form_data(campaign.pk)
        )
        assert response.status_code == 302
        assert FundRequest.objects.count() == 1 and CampaignFunding.objects.count() == 0
    finally:
        for link in registered:
            fund_request_links.register(link)


# --- bounded queries ------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_lists_with_links_are_bounded(
    rows, admin_membership, partner_admin_membership, django_assert_max_num_queries
):
    campaigns = [make_campaign(admin_membership) for _ in range(rows)]
    _, allocation = fund_with_allocation(
        partner_admin_membership.partner_organization,
        admin_membership,
        budget="100000",
        allocated="50000",
    )
    for campaign in campaigns:
        launch(campaign, partner_admin_membership)
        _add(campaign, admin_membership, library_asset(admin_membership, file=False))
        incentive_services.fund_request_submit(
            acting_membership=partner_admin_membership,
            allocation=allocation,
            data=request_input("10", links={"campaign": str(campaign.pk)}),
        )
    staff, partner = client_for(admin_membership), client_for(partner_admin_membership)
    with django_assert_max_num_queries(14):
        response = staff.get(reverse("marketing:console_campaign_list"))
    assert response.content.count(b'data-testid="mdf"') == rows
    with django_assert_max_num_queries(14):
        response = staff.get(reverse("incentives:request_queue"))
    assert response.content.count(b'data-testid="request-link"') == rows
    with django_assert_max_num_queries(16):
        response = staff.get(reverse("marketing:console_campaign_detail", args=[campaigns[0].pk]))
    assert response.status_code == 200
    for client in (staff, partner):
        with django_assert_max_num_queries(14):
            response = client.get("/api/v1/campaign-library-assets/")
        assert response.json()["count"] == rows
        with django_assert_max_num_queries(14):
            response = client.get("/api/v1/fund-requests/")
        results = response.json()["results"]
        assert len(results) == rows and all(r["campaign"] for r in results)
    with django_assert_max_num_queries(14):
        response = partner.get(reverse("incentives:portal_funds"))
    assert response.content.count(b"Campaign it funds") == rows
    with django_assert_max_num_queries(14):
        response = partner.get(reverse("incentives:portal_request_create", args=[allocation.pk]))
    assert all(str(c.pk).encode() in response.content for c in campaigns)


def test_a_tenant_sees_no_other_tenants_links(admin_membership, partner_admin_membership):
    campaign = make_campaign(admin_membership)
    launch(campaign, partner_admin_membership)
    _add(campaign, admin_membership, library_asset(admin_membership, title="Acme deck"))
    funding_request(partner_admin_membership, admin_membership, campaign)
    globex = TenantFactory(slug="globex2", name="Globex 2")
    with tenant_context(globex):
        admin = MembershipFactory(role="admin")
        assert CampaignLibraryAsset.objects.count() == 0
        assert CampaignFunding.objects.count() == 0
    client = client_for(admin, tenant=globex)
    assert client.get("/api/v1/campaign-library-assets/").json()["count"] == 0
    assert client.get("/api/v1/fund-requests/").json()["count"] == 0
