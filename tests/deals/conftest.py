"""Fixtures the deal tests share: a product and a rival partner organization's admin."""

import pytest

from tests.deals.factories import ProductFactory
from tests.factories import MembershipFactory, PartnerOrganizationFactory


@pytest.fixture
def product(in_tenant):
    return ProductFactory(name="Cloud Suite")


@pytest.fixture
def rival(in_tenant):
    org = PartnerOrganizationFactory(name="Rival Partners Ltd")
    return MembershipFactory(role="partner", partner_organization=org, partner_role="partner_admin")
