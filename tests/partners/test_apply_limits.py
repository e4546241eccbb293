"""The /apply/ limit: atomic under concurrent posts, keyed on the client behind the proxy."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from partners.models import PartnerApplication
from prm.tenancy.context import tenant_context
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _application(n: int) -> dict:
    return {
        "company_name": f"Concurrent Co {n}",
        "website": f"https://concurrent{n}.test",
        "country": "de",
        "contact_name": "Fay",
        "contact_email": f"fay{n}@concurrent{n}.test",
        "message": "Hello",
    }


def _post(tenant, n: int, **meta):
    return Client(HTTP_HOST=tenant.host, **meta).post("/apply/", _application(n))


def test_twelve_concurrent_applications_get_exactly_five_through():
    tenant = TenantFactory(slug="apply-race", name="Apply Race")
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def apply(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(_post(tenant, n).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [302] * 5 + [429] * 7
    with tenant_context(tenant):
        assert PartnerApplication.objects.count() == 5


def test_the_limit_is_per_client_behind_a_trusted_proxy(settings):
    settings.PRM_TRUSTED_PROXY_COUNT = 1
    settings.PRM_TRUSTED_PROXY_NETWORKS = ()
    tenant = TenantFactory(slug="apply-proxy", name="Apply Proxy")
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(5):
        assert _post(tenant, n, HTTP_X_FORWARDED_FOR="203.0.113.1", **via_proxy).status_code == 302
    assert _post(tenant, 5, HTTP_X_FORWARDED_FOR="203.0.113.1", **via_proxy).status_code == 429
    # Another client behind the same proxy may still apply.
    assert _post(tenant, 6, HTTP_X_FORWARDED_FOR="203.0.113.2", **via_proxy).status_code == 302


def test_a_rejected_form_does_not_use_up_the_limit():
    tenant = TenantFactory(slug="apply-typos", name="Apply Typos")
    client = Client(HTTP_HOST=tenant.host)
    for _ in range(6):
        invalid = client.post("/apply/", {**_application(0), "contact_email": "not-an-address"})
        assert invalid.status_code == 400
    assert client.post("/apply/", _application(1)).status_code == 302
