"""The API shell: keys, error shape, scoping, pagination, schema."""

import pytest
from django.test import Client

from prm.api.services import api_key_create, api_key_revoke
from prm.tenancy.context import tenant_context
from tests.conftest import client_for
from tests.factories import MembershipFactory, PartnerOrganizationFactory


def _key_client(tenant, key):
    return Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.django_db
def test_an_api_key_reads_its_own_tenant_only(admin_membership, other_tenant):
    with tenant_context(admin_membership.tenant):
        _, key = api_key_create(name="CRM", acting_membership=admin_membership)
        MembershipFactory(role="channel_manager", user__email="cm-acme@example.test")
    with tenant_context(other_tenant):
        MembershipFactory(role="admin", user__email="admin-globex@example.test")
    response = _key_client(admin_membership.tenant, key).get("/api/v1/members/")
    assert response.status_code == 200
    emails = {row["email"] for row in response.json()["results"]}
    assert "cm-acme@example.test" in emails and "admin-globex@example.test" not in emails
    # The same key sent to another tenant's host is unknown there.
    foreign = _key_client(other_tenant, key).get("/api/v1/members/")
    assert foreign.status_code == 401
    assert foreign.json()["detail"] == "Unknown or revoked API key."


@pytest.mark.django_db
def test_malformed_and_revoked_keys_get_401_with_a_reason(admin_membership):
    tenant = admin_membership.tenant
    malformed = _key_client(tenant, "not-a-key").get("/api/v1/members/")
    assert malformed.status_code == 401
    assert malformed.json()["type"] == "authentication_failed"
    assert "Malformed API key" in malformed.json()["detail"]
    with tenant_context(tenant):
        api_key, key = api_key_create(name="Old", acting_membership=admin_membership)
        api_key_revoke(api_key=api_key)
    assert _key_client(tenant, key).get("/api/v1/members/").status_code == 401


@pytest.mark.django_db
def test_a_key_stops_working_when_its_admin_is_deactivated(admin_membership):
    from prm.tenancy.models import Membership

    with tenant_context(admin_membership.tenant):
        _, key = api_key_create(name="CRM", acting_membership=admin_membership)
        Membership.objects.filter(pk=admin_membership.pk).update(is_active=False)
    assert _key_client(admin_membership.tenant, key).get("/api/v1/members/").status_code == 401


@pytest.mark.django_db
def test_only_admins_create_keys_and_the_key_is_shown_once(admin_membership, cm_membership):
    assert client_for(cm_membership).get("/manage/api-keys/").status_code == 403
    client = client_for(admin_membership)
    response = client.post("/manage/api-keys/", {"name": "Salesforce sync"}, follow=True)
    key = response.context["new_key"]
    assert key.startswith("prm_")
    assert key not in client.get("/manage/api-keys/").content.decode()  # not shown again
    assert _key_client(admin_membership.tenant, key).get("/api/v1/members/").status_code == 200
    empty = client.post("/manage/api-keys/", {"name": ""})
    assert empty.status_code == 400


@pytest.mark.django_db
def test_unauthenticated_requests_get_the_error_shape(tenant):
    response = Client(HTTP_HOST=tenant.host).get("/api/v1/members/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"type", "detail", "errors"}


@pytest.mark.django_db
def test_invitation_validation_errors_are_400_with_field_errors(cm_membership):
    client = client_for(cm_membership)
    response = client.post(
        "/api/v1/invitations/",
        {"email": "not-an-email", "role": "partner"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error" and "email" in body["errors"]
    missing_org = client.post(
        "/api/v1/invitations/",
        {"email": "x@example.test", "role": "partner"},
        content_type="application/json",
    )
    assert missing_org.status_code == 400
    assert "partner_organization" in missing_org.json()["errors"]


@pytest.mark.django_db
def test_an_organization_id_of_another_tenant_is_not_accepted(cm_membership, other_tenant):
    foreign_org = PartnerOrganizationFactory(tenant=other_tenant)
    response = client_for(cm_membership).post(
        "/api/v1/invitations/",
        {"email": "x@example.test", "role": "partner", "partner_organization": str(foreign_org.pk)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "partner_organization" in response.json()["errors"]


@pytest.mark.django_db
def test_a_partner_admin_invites_over_the_api_into_its_organization(partner_admin_membership):
    response = client_for(partner_admin_membership).post(
        "/api/v1/invitations/", {"email": "colleague@example.test"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["partner_organization"] == str(
        partner_admin_membership.partner_organization_id
    )


@pytest.mark.django_db
def test_a_partner_member_sees_no_invitations_and_cannot_send_one(partner_member_membership):
    client = client_for(partner_member_membership)
    assert client.get("/api/v1/invitations/").json()["count"] == 0
    denied = client.post(
        "/api/v1/invitations/", {"email": "y@example.test"}, content_type="application/json"
    )
    assert denied.status_code == 403


@pytest.mark.django_db
def test_member_list_queries_do_not_grow_with_rows(cm_membership, django_assert_max_num_queries):
    client = client_for(cm_membership)
    client.get("/api/v1/members/")
    with django_assert_max_num_queries(10) as one:
        assert client.get("/api/v1/members/").json()["count"] == 1
    with tenant_context(cm_membership.tenant):
        org = PartnerOrganizationFactory()
        for _ in range(50):
            MembershipFactory(
                role="partner", partner_organization=org, partner_role="partner_member"
            )
    # New members bump the tenant's access version: the next request reloads the signed-in
    # member once, whatever the number of rows; measure the one after it.
    budget = len(one.captured_queries)  # before the next request resets the query log
    client.get("/api/v1/members/")
    with django_assert_max_num_queries(budget):
        assert client.get("/api/v1/members/").json()["count"] == 51


@pytest.mark.django_db
def test_the_schema_and_docs_are_served(cm_membership):
    client = client_for(cm_membership)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/members/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()  # assets are vendored (sidecar)


@pytest.mark.django_db
def test_staff_mfa_rule_applies_to_api_keys(admin_membership):
    from allauth.mfa.models import Authenticator
    from django.core.exceptions import ValidationError

    from prm.tenancy.models import Tenant

    tenant = admin_membership.tenant
    with tenant_context(tenant):
        _, key = api_key_create(name="CRM", acting_membership=admin_membership)
    Tenant.objects.filter(pk=tenant.pk).update(require_staff_mfa=True)
    tenant.refresh_from_db()
    # The existing key of an admin without MFA is refused, with the reason.
    refused = _key_client(tenant, key).get("/api/v1/members/")
    assert refused.status_code == 403
    assert refused.json()["type"] == "mfa_required"
    assert "two-factor" in refused.json()["detail"]
    # No new key either, in the service and on the console page.
    admin_membership.tenant = tenant
    with tenant_context(tenant), pytest.raises(ValidationError, match="two-factor"):
        api_key_create(name="Another", acting_membership=admin_membership)
    client = client_for(admin_membership)
    session = client.session
    session["prm_mfa_ok"] = True  # past the middleware, as a stale session would be
    session.save()
    page = client.post("/manage/api-keys/", {"name": "Another"})
    assert page.status_code == 400 and "two-factor" in page.text
    # Once the admin has set up TOTP, the key works again.
    Authenticator.objects.create(user=admin_membership.user, type="totp", data={"secret": "x"})
    assert _key_client(tenant, key).get("/api/v1/members/").status_code == 200
    with tenant_context(tenant):
        assert api_key_create(name="Another", acting_membership=admin_membership)[1].startswith(
            "prm_"
        )
