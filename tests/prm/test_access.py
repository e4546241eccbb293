"""The user and membership kept between requests (prm.tenancy.access) never outlive a change.

Each test signs in, makes one request (which keeps the user and membership in this
process), changes something the way the code or an operator would, and checks the very
next request already sees the change.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.choices import LifecycleStage
from partners.models import PartnerOrganization
from partners.services import partner_transition
from prm.accounts.models import User
from prm.accounts.services import membership_set_active
from prm.tenancy.context import tenant_context
from prm.tenancy.models import Membership
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _signed_in(membership, path):
    client = client_for(membership)
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # served from what the process kept
    return client


def _cut_off(client, path):
    response = client.get(path)
    return response.status_code == 302 and "/accounts/login/" in response.url


def test_a_second_request_reads_neither_user_nor_membership(cm_membership):
    client = client_for(cm_membership)
    client.get("/manage/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/manage/").status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "tenancy_membership" not in sql
    assert "accounts_user" not in sql
    assert "tenancy_tenantaccessversion" in sql


def test_deactivating_a_member_by_the_service_cuts_access_at_the_next_request(
    admin_membership, cm_membership
):
    client = _signed_in(cm_membership, "/manage/")
    with tenant_context(cm_membership.tenant):
        membership_set_active(
            acting_membership=admin_membership, target=cm_membership, active=False
        )
    assert _cut_off(client, "/manage/")


def test_deactivating_a_member_by_a_bulk_update_cuts_access_at_the_next_request(
    partner_admin_membership,
):
    client = _signed_in(partner_admin_membership, "/portal/")
    with tenant_context(partner_admin_membership.tenant):
        Membership.objects.filter(pk=partner_admin_membership.pk).update(is_active=False)
    assert _cut_off(client, "/portal/")


def test_offboarding_a_partner_cuts_its_users_off_at_the_next_request(
    partner_admin_membership, cm_membership
):
    client = _signed_in(partner_admin_membership, "/portal/")
    with tenant_context(partner_admin_membership.tenant):
        partner_transition(
            organization=partner_admin_membership.partner_organization,
            target=LifecycleStage.OFFBOARDED,
            acting_membership=cm_membership,
            reason="Left the program",
        )
    assert _cut_off(client, "/portal/")


@pytest.mark.parametrize(
    "change", [{"lifecycle_stage": LifecycleStage.OFFBOARDED}, {"is_active": False}]
)
def test_an_organization_changed_by_a_bulk_update_cuts_its_users_off(
    partner_admin_membership, change
):
    client = _signed_in(partner_admin_membership, "/portal/")
    with tenant_context(partner_admin_membership.tenant):
        PartnerOrganization.objects.filter(
            pk=partner_admin_membership.partner_organization_id
        ).update(**change)
    assert _cut_off(client, "/portal/")


def test_a_user_deactivated_by_a_bulk_update_is_signed_out_at_the_next_request(cm_membership):
    client = _signed_in(cm_membership, "/manage/")
    User.objects.filter(pk=cm_membership.user_id).update(is_active=False)
    assert _cut_off(client, "/manage/")


def test_a_new_role_applies_at_the_next_request(cm_membership, partner_org):
    client = _signed_in(cm_membership, "/manage/")
    with tenant_context(cm_membership.tenant):
        Membership.objects.filter(pk=cm_membership.pk).update(
            role="partner", partner_organization=partner_org, partner_role="partner_admin"
        )
    assert client.get("/manage/").status_code == 403
    assert client.get("/portal/").status_code == 200


def test_a_changed_password_signs_out_other_sessions(cm_membership):
    client = _signed_in(cm_membership, "/manage/")
    user = User.objects.get(pk=cm_membership.user_id)
    user.set_password("another-long-passphrase-42")
    user.save(update_fields=["password"])
    assert _cut_off(client, "/manage/")
