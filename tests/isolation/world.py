"""Two tenants, and in tenant A two partner organizations: the actors of the harness."""

from __future__ import annotations

from dataclasses import dataclass

from prm.tenancy.models import Membership, Tenant
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory


@dataclass
class World:
    tenant_a: Tenant
    tenant_b: Tenant
    org_a1: object
    org_a2: object
    org_b1: object
    admin_a: Membership
    cm_a: Membership
    partner_a1: Membership  # partner admin of A1, the usual owner
    member_a1: Membership
    partner_a2: Membership  # the same tenant's other partner: an attacker
    admin_b: Membership  # another tenant's admin: an attacker
    partner_b1: Membership


def build_world() -> World:
    tenant_a = TenantFactory(slug="tenant-a", name="Tenant A")
    tenant_b = TenantFactory(slug="tenant-b", name="Tenant B")
    org_a1 = PartnerOrganizationFactory(tenant=tenant_a, name="Org A1")
    org_a2 = PartnerOrganizationFactory(tenant=tenant_a, name="Org A2")
    org_b1 = PartnerOrganizationFactory(tenant=tenant_b, name="Org B1")

    def partner(org, tenant, role="partner_admin"):
        return MembershipFactory(
            tenant=tenant, role="partner", partner_organization=org, partner_role=role
        )

    return World(
        tenant_a=tenant_a,
        tenant_b=tenant_b,
        org_a1=org_a1,
        org_a2=org_a2,
        org_b1=org_b1,
        admin_a=MembershipFactory(tenant=tenant_a, role="admin"),
        cm_a=MembershipFactory(tenant=tenant_a, role="channel_manager"),
        partner_a1=partner(org_a1, tenant_a),
        member_a1=partner(org_a1, tenant_a, "partner_member"),
        partner_a2=partner(org_a2, tenant_a),
        admin_b=MembershipFactory(tenant=tenant_b, role="admin"),
        partner_b1=partner(org_b1, tenant_b),
    )
