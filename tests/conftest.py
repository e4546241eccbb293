"""Shared test set-up: real Postgres (as the application role) and real Redis."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from prm.tenancy.context import tenant_context
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory


def _use_role(user: str, password: str) -> None:
    conn = connections["default"]
    conn.close()
    conn.settings_dict["USER"] = user
    conn.settings_dict["PASSWORD"] = password


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # The test database is created and migrated by the owner role of DATABASE_URL ...
    _use_role(settings.DATABASE_OWNER_USER, settings.DATABASE_OWNER_PASSWORD)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # ... and every test then runs as the application role, which row-level security
    # binds, exactly as the running portal does.
    _use_role(settings.DATABASE_APP_USER, settings.DATABASE_APP_PASSWORD)
    yield
    # Dropping the test database (without --reuse-db) is the owner's job again.
    _use_role(settings.DATABASE_OWNER_USER, settings.DATABASE_OWNER_PASSWORD)


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (this worker's keys only: Redis is shared)."""
    from django.core.cache import cache

    from prm.tenancy import resolver

    cache.delete_pattern("*")
    resolver.clear_cache()
    yield


@pytest.fixture
def tenant(db):
    return TenantFactory(slug="acme", name="Acme")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(slug="globex", name="Globex")


@pytest.fixture
def in_tenant(tenant):
    """Run the test body as `tenant` (what middleware does for a request)."""
    with tenant_context(tenant):
        yield tenant


def client_for(membership=None, *, tenant=None, htmx: bool = False) -> Client:
    """A test client on the member's tenant host, signed in as the member's user."""
    tenant = tenant or membership.tenant
    headers = {"HTTP_HOST": tenant.host}
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    client = Client(**headers)
    if membership is not None:
        client.force_login(membership.user)
    return client


@pytest.fixture
def admin_membership(in_tenant):
    return MembershipFactory(role="admin")


@pytest.fixture
def cm_membership(in_tenant):
    return MembershipFactory(role="channel_manager")


@pytest.fixture
def partner_org(in_tenant):
    return PartnerOrganizationFactory()


@pytest.fixture
def partner_admin_membership(partner_org):
    return MembershipFactory(
        role="partner", partner_organization=partner_org, partner_role="partner_admin"
    )


@pytest.fixture
def partner_member_membership(partner_org):
    return MembershipFactory(
        role="partner", partner_organization=partner_org, partner_role="partner_member"
    )


def pytest_terminal_summary(terminalreporter):
    """Report how many cross-tenant and cross-partner attempts the harness made."""
    attempts = 0
    tests_run = 0
    for report in terminalreporter.stats.get("passed", []):
        for key, value in getattr(report, "user_properties", []):
            if key == "isolation_attempts":
                attempts += value
                tests_run += 1
    if tests_run:
        terminalreporter.write_line(
            f"isolation harness: {attempts} attempts by other tenants and other partner "
            f"organizations in {tests_run} tests, all refused"
        )
