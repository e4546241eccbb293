"""A real Celery worker, against Redis and the test database.

The worker runs in a subprocess on a queue of its own, connected (as the application
role) to this run's test database; the rows it reads are committed by a transactional
test. It imports this module (`-I`) to know the probe task below.
"""

from __future__ import annotations

import uuid

import pytest
import redis
from django.conf import settings

from prm.celery import app, tenant_task
from tests.workers import start_worker, stop_worker, wait_for

PROBE = "tests.worker_probe"


@tenant_task(name=PROBE)
def worker_probe(*, tenant_id: int, key: str) -> None:
    """Write what this tenant sees (through the scoped manager *and* raw SQL) to Redis."""
    from django.db import connection

    from partners.models import PartnerOrganization
    from prm.tenancy.context import get_current_tenant

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_partnerorganization")  # RLS-bound
        raw_count = cursor.fetchone()[0]
    names = sorted(PartnerOrganization.objects.values_list("name", flat=True))
    value = f"{get_current_tenant().slug}|{raw_count}|{','.join(names)}"
    redis.Redis.from_url(settings.REDIS_URL).set(key, value, ex=300)


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """One worker for the module (starting one takes seconds); each test commits its
    rows through `transactional_db`."""
    queue = f"probe-{uuid.uuid4().hex}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = start_worker(queues=[queue], log=log, name=queue, imports=(__name__,))
    try:
        yield queue, log
    finally:
        stop_worker(process)


pytestmark = [
    pytest.mark.worker,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def test_a_real_worker_runs_a_tenant_task_for_that_tenant_only(worker, transactional_db):
    from prm.tenancy.context import tenant_context
    from tests.factories import PartnerOrganizationFactory, TenantFactory

    queue, log = worker
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    with tenant_context(acme):
        PartnerOrganizationFactory(name="Northwind")
        PartnerOrganizationFactory(name="Contoso")
    with tenant_context(globex):
        PartnerOrganizationFactory(name="Initech")

    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"prm-test:{queue}:acme"
    client.delete(key)
    # send_task goes through the broker even though tests run .delay() eagerly.
    app.send_task(PROBE, kwargs={"tenant_id": acme.pk, "key": key}, queue=queue)

    value = wait_for(lambda: client.get(key), 60, "the probe task's result", log)
    assert value.decode() == "acme|2|Contoso,Northwind"
    assert f"Task {PROBE}" in log.read_text() and "succeeded" in log.read_text()
    client.delete(key)


def test_a_real_worker_refuses_a_task_without_tenant(worker, transactional_db):
    queue, log = worker
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"prm-test:{queue}:none"
    app.send_task(PROBE, kwargs={"key": key}, queue=queue)

    wait_for(
        lambda: "TenantRequiredError" in log.read_text(), 60, "the worker to refuse the task", log
    )
    assert client.get(key) is None
    assert "needs tenant_id" in log.read_text()
