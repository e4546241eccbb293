"""The demo data of marketing's links: in both tenants the demo campaign's kit offers
content-library assets, and an approved MDF request names the campaign it funds."""

import pytest
from django.core.management import call_command

from marketing.models import CampaignFunding, CampaignLibraryAsset
from marketing.selectors import campaign_mdf
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Tenant


def _links():
    fundings = list(CampaignFunding.objects.select_related("fund_request", "launch__campaign"))
    return CampaignLibraryAsset.objects.count(), fundings


@pytest.mark.django_db
def test_demo_shows_each_campaign_link_in_both_tenants():
    call_command("seed_demo")
    seen = {}
    for slug in ("acme", "globex"):
        with tenant_context(Tenant.objects.get(slug=slug)):
            library, fundings = _links()
            assert library == 2
            assert len(fundings) == 1
            funding = fundings[0]
            assert funding.fund_request.status == "approved"
            assert funding.fund_request.organization_id == funding.launch.organization_id
            totals = campaign_mdf(campaign_ids=[funding.launch.campaign_id])
            assert totals[funding.launch.campaign_id][0]["approved"] > 0
            seen[slug] = (library, len(fundings))
    call_command("seed_demo")  # a second run adds nothing
    for slug, counts in seen.items():
        with tenant_context(Tenant.objects.get(slug=slug)):
            library, fundings = _links()
            assert (library, len(fundings)) == counts
