"""The two walls: the fail-closed manager and Postgres row-level security."""

import pytest
from django.conf import settings
from django.db import connection

from partners.models import PartnerOrganization
from prm.tenancy import rls
from prm.tenancy.context import TenantNotSetError, tenant_context
from prm.tenancy.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory


@pytest.mark.django_db
def test_the_manager_fails_closed_without_a_tenant(tenant):
    PartnerOrganizationFactory(tenant=tenant)
    with pytest.raises(TenantNotSetError):
        list(PartnerOrganization.objects.all())


@pytest.mark.django_db
def test_raw_sql_that_forgets_its_filter_sees_only_the_current_tenant(tenant, other_tenant):
    PartnerOrganizationFactory(tenant=tenant, name="Mine")
    PartnerOrganizationFactory(tenant=other_tenant, name="Theirs")
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute("SELECT name FROM partners_partnerorganization")
        assert [row[0] for row in cursor.fetchall()] == ["Mine"]
    with tenant_context(None), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_partnerorganization")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_row_level_security_refuses_moving_a_row_into_another_tenant(tenant, other_tenant):
    from django.db import DatabaseError, transaction

    PartnerOrganizationFactory(tenant=tenant)
    with (
        tenant_context(tenant),
        connection.cursor() as cursor,
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
    ):
        cursor.execute("UPDATE partners_partnerorganization SET tenant_id = %s", [other_tenant.pk])


@pytest.mark.django_db
def test_every_tenant_table_has_row_level_security_enabled_and_forced():
    with connection.cursor() as cursor:
        tables = rls.tenant_tables(cursor)
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        flags = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
    assert len(tables) >= 5
    assert "partners_partnerorganization" in tables and "tenancy_membershipevent" in tables
    unprotected = sorted(t for t in tables if flags.get(t) != (True, True))
    assert not unprotected, f"tables without forced RLS: {unprotected}"


@pytest.mark.django_db
def test_the_application_role_is_bound_by_row_level_security():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_USER
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user"
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_an_unknown_host_gets_404_and_the_base_domain_shows_no_tenant(tenant):
    from django.test import Client

    assert Client(HTTP_HOST="nobody.localhost").get("/").status_code == 404
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    assert b"Acme" not in response.content


@pytest.mark.django_db
def test_a_registered_custom_domain_serves_its_tenant(tenant):
    from django.test import Client

    from prm.tenancy.models import TenantDomain

    TenantDomain.objects.create(tenant=tenant, domain="Partners.Acme.Example")
    with override_hosts():
        response = Client(HTTP_HOST="partners.acme.example").get("/accounts/login/")
    assert response.status_code == 200
    assert b"Acme" in response.content


def override_hosts():
    from django.test import override_settings

    return override_settings(ALLOWED_HOSTS=["*"])


@pytest.mark.django_db
def test_a_member_of_another_tenant_is_signed_out_not_shown_data(tenant, other_tenant):
    with tenant_context(other_tenant):
        stranger = MembershipFactory(role="admin")
    client = client_for(stranger)  # signed in on globex's host ...
    client.defaults["HTTP_HOST"] = tenant.host  # ... then visiting acme's
    response = client.get("/manage/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_is_refused_on_a_portal_where_the_user_has_no_membership(tenant, other_tenant):
    from django.test import Client

    with tenant_context(other_tenant):
        stranger = MembershipFactory(role="admin")
    client = Client(HTTP_HOST=tenant.host)
    response = client.post(
        "/accounts/login/",
        {"login": stranger.user.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_deactivated_member_loses_access_at_once(cm_membership):
    client = client_for(cm_membership)
    assert client.get("/manage/").status_code == 200
    with tenant_context(cm_membership.tenant):
        Membership.objects.filter(pk=cm_membership.pk).update(is_active=False)
    assert client.get("/manage/").status_code == 302


@pytest.mark.django_db
def test_roles_see_their_own_side(partner_admin_membership, cm_membership):
    assert client_for(partner_admin_membership).get("/manage/").status_code == 403
    assert client_for(cm_membership).get("/portal/").status_code == 403
    assert client_for(partner_admin_membership).get("/").url == "/portal/"
    assert client_for(cm_membership).get("/").url == "/manage/"


@pytest.mark.django_db
def test_a_request_body_over_the_limit_gets_a_clear_413(cm_membership, settings):
    settings.PRM_MAX_REQUEST_BYTES = 1024
    client = client_for(cm_membership)
    response = client.post("/people/", {"email": "x" * 4000}, HTTP_CONTENT_LENGTH="5000")
    assert response.status_code == 413
    api = client.post("/api/v1/members/", data="x" * 5000, content_type="application/json")
    assert api.status_code == 413
    assert api.json()["type"] == "request_too_large"


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(tenant):
    from django.test import Client

    response = Client(HTTP_HOST=tenant.host).get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_tenant_slugs_are_validated():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        TenantFactory.build(slug="admin", name="x").full_clean()


@pytest.mark.django_db
def test_work_goes_on_after_an_error_rolled_back_to_a_savepoint(tenant):
    from django.db import IntegrityError, transaction

    PartnerOrganizationFactory(tenant=tenant, name="Taken")
    with tenant_context(tenant), transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():
            PartnerOrganization.objects.create(name="taken")  # unique per tenant, any case
        # The outer transaction is usable, and still sees only this tenant.
        assert list(PartnerOrganization.objects.values_list("name", flat=True)) == ["Taken"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM partners_partnerorganization")
            assert cursor.fetchone()[0] == 1
