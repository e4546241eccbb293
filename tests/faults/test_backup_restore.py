"""Backup and restore: the restored portal serves the same data to the same people.

`manage.py backup` (what `make backup` runs) dumps this test database and a media
folder to one file; `manage.py restore` (what `make restore FILE=…` runs) loads it into
a new, empty database. The restored database is then checked as the application role:
the same rows per tenant, row-level security on again, and a partner signs in and sees
its organization.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.conf import settings

from prm.tenancy.context import tenant_context
from tests.deals.factories import make_deal
from tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    PartnerOrganizationFactory,
    TenantFactory,
    UserFactory,
)
from tests.workers import BASE_DIR, worker_database_url

pytestmark = [pytest.mark.faults]


def _manage(*args: str, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prm.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "PYTHONPATH": str(BASE_DIR),
    }
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def empty_database():
    """A new database on the same server, dropped afterwards."""
    source = worker_database_url()
    name = f"{settings.DATABASES['default']['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_with_database(source, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(source, name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_a_backup_restores_into_an_empty_database_with_the_same_data_and_access(
    transactional_db, empty_database, tmp_path
):
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    with tenant_context(acme):
        org = PartnerOrganizationFactory(name="Northwind Traders")
        alice = MembershipFactory(
            user=UserFactory(email="alice@northwind.test"),
            role="partner",
            partner_organization=org,
            partner_role="partner_admin",
        )
        make_deal(alice, customer="Initrode", domain="initrode.example", submit=False)
    with tenant_context(globex):
        PartnerOrganizationFactory(name="Umbrella Systems")
    media = tmp_path / "media"
    (media / "tenants" / str(acme.pk)).mkdir(parents=True)
    (media / "tenants" / str(acme.pk) / "logo.png").write_bytes(b"\x89PNG logo")

    backup_file = tmp_path / "backup.tar"
    made = _manage(
        "backup",
        "--output",
        str(backup_file),
        database_url=worker_database_url(),
        media_root=media,
    )
    assert made.returncode == 0, made.stderr
    assert "acme (1 partners, 1 deals)" in made.stdout

    restored_media = tmp_path / "restored-media"
    loaded = _manage(
        "restore", str(backup_file), database_url=empty_database, media_root=restored_media
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "row counts checked" in loaded.stdout
    assert (restored_media / "tenants" / str(acme.pk) / "logo.png").read_bytes() == b"\x89PNG logo"

    # As the application role: row-level security is on again, scoped by app.tenant_id.
    app_url = urlsplit(empty_database)._replace(
        netloc=f"{settings.DATABASE_APP_USER}@{urlsplit(empty_database).hostname}"
        + (f":{urlsplit(empty_database).port}" if urlsplit(empty_database).port else "")
    )
    with psycopg2.connect(urlunsplit(app_url)) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_partnerorganization")
        assert cursor.fetchone()[0] == 0  # no tenant set: nothing
        cursor.execute("SELECT set_config('app.tenant_id', %s, false)", [str(acme.pk)])
        cursor.execute("SELECT name FROM partners_partnerorganization")
        assert [row[0] for row in cursor.fetchall()] == ["Northwind Traders"]

    # The same person signs in on the restored portal and sees her organization.
    signed_in = _manage(
        "shell",
        "-c",
        "from django.test import Client; from django.urls import reverse; "
        f"c = Client(HTTP_HOST='{acme.host}'); "
        f"r = c.post(reverse('account_login'), {{'login': 'alice@northwind.test', "
        f"'password': '{TEST_PASSWORD}'}}); "
        "page = c.get('/portal/', follow=True); "
        "print(r.status_code, page.status_code, 'Northwind Traders' in page.content.decode())",
        database_url=empty_database,
        media_root=restored_media,
    )
    assert signed_in.returncode == 0, signed_in.stderr
    assert signed_in.stdout.split()[-3:] == ["302", "200", "True"]


def test_a_restore_refuses_a_database_that_is_not_empty(transactional_db, tmp_path):
    TenantFactory(slug="acme")
    backup_file = tmp_path / "backup.tar"
    made = _manage(
        "backup",
        "--output",
        str(backup_file),
        database_url=worker_database_url(),
        media_root=tmp_path / "media",
    )
    assert made.returncode == 0, made.stderr
    refused = _manage(
        "restore",
        str(backup_file),
        database_url=worker_database_url(),
        media_root=tmp_path / "media",
    )
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr
