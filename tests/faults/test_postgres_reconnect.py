"""Postgres connections cut (a restart, a failover, an idle timeout): reconnect, re-scope.

`pg_terminate_backend` ends this database's other connections the way a restart does
from the client's side. The web reconnects at the next request (CONN_HEALTH_CHECKS),
and the new connection gets `app.tenant_id` again before its first query, so row-level
security shows the tenant's rows and no other's.
"""

from __future__ import annotations

import urllib.request

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from prm.tenancy.context import tenant_context
from tests.factories import PartnerOrganizationFactory, TenantFactory
from tests.workers import worker_database_url

pytestmark = [pytest.mark.faults]


def _terminate_other_connections() -> int:
    """End every connection to this test database but the one doing it."""
    with psycopg2.connect(worker_database_url()) as side, side.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _raw_partner_names() -> list[str]:
    # Raw SQL with no tenant filter: only row-level security scopes it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM partners_partnerorganization ORDER BY name")
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def two_tenants(transactional_db):
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    with tenant_context(acme):
        PartnerOrganizationFactory(name="Northwind", listed_in_locator=True)
    with tenant_context(globex):
        PartnerOrganizationFactory(name="Initech", listed_in_locator=True)
    return acme, globex


def test_a_cut_connection_is_replaced_and_scoped_to_the_tenant_again(two_tenants):
    acme, globex = two_tenants
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    with tenant_context(acme):
        assert _raw_partner_names() == ["Northwind"]
        before = connection.connection.info.backend_pid

        assert _terminate_other_connections() >= 1
        # What Django does at the start of every request and task.
        connection.close_if_unusable_or_obsolete()

        assert _raw_partner_names() == ["Northwind"]
        assert connection.connection.info.backend_pid != before
    with tenant_context(globex):
        assert _raw_partner_names() == ["Initech"]


def test_the_web_serves_the_right_tenant_after_its_connection_was_cut(two_tenants, live_server):
    acme, _ = two_tenants

    def locator() -> str:
        request = urllib.request.Request(  # noqa: S310 - the test's own live server
            f"{live_server.url}/partners/", headers={"Host": acme.host}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            assert response.status == 200
            return response.read().decode()

    first = locator()
    assert "Northwind" in first and "Initech" not in first
    assert _terminate_other_connections() >= 1
    again = locator()
    assert "Northwind" in again and "Initech" not in again
