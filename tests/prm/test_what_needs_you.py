""" "What needs you" (the home pages) drops items once what they asked for is done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals import services as deal_services
from partners import services
from tests.conftest import client_for
from tests.deals.factories import make_deal
from tests.factories import MembershipFactory, PartnerOrganizationFactory
from tests.partners.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def _needs_you(client, name: str) -> str:
    page = client.get(reverse(name)).content.decode()
    return page.split('id="needs-you"')[1].split("</section>")[0]


def test_a_decided_application_leaves_the_staffs_list(admin_membership, cm_membership):
    application = services.application_submit(
        company_name="Trey Research",
        website="https://trey.example",
        country="US",
        contact_name="Terry Adams",
        contact_email="terry@trey.example",
    )
    staff = client_for(cm_membership)
    assert "New partner application: Trey Research" in _needs_you(staff, "console_home")
    services.application_approve(application=application, acting_membership=admin_membership)
    assert "Trey Research" not in _needs_you(staff, "console_home")
    # Still in the inbox, as history.
    assert "Trey Research" in staff.get(reverse("notifications:inbox")).content.decode()


def test_an_accepted_agreement_leaves_that_organizations_list_only(
    admin_membership, partner_admin_membership
):
    agreement = AgreementFactory(published_at=None, title="Reseller terms")
    org = partner_admin_membership.partner_organization
    org.partner_type = agreement.partner_type
    org.save()
    other_org = PartnerOrganizationFactory(partner_type=agreement.partner_type)
    other = MembershipFactory(
        role="partner", partner_organization=other_org, partner_role="partner_admin"
    )
    services.agreement_publish(agreement=agreement, acting_membership=admin_membership)
    mine, theirs = client_for(partner_admin_membership), client_for(other)
    assert "Please accept Reseller terms" in _needs_you(mine, "portal_home")
    services.agreement_accept(organization=org, acting_membership=partner_admin_membership)
    assert "Please accept" not in _needs_you(mine, "portal_home")
    assert "Please accept Reseller terms" in _needs_you(theirs, "portal_home")


def test_a_reviewed_registration_leaves_the_channel_managers_list(
    partner_admin_membership, cm_membership
):
    org = partner_admin_membership.partner_organization
    org.channel_manager = cm_membership.user
    org.save()
    deal = make_deal(partner_admin_membership)
    staff = client_for(cm_membership)
    assert deal.reference in _needs_you(staff, "console_home")
    deal_services.deal_approve(deal=deal, acting_membership=cm_membership)
    assert deal.reference not in _needs_you(staff, "console_home")
