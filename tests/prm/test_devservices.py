"""The embedded PostgreSQL and Valkey of a checkout with no DATABASE_URL / REDIS_URL.

Every step runs in a subprocess with its own var/ folder, so the servers under test are
never the ones this test run uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

HOLD = """
import sys
from prm import devservices
print(devservices.database_url(), devservices.redis_url(), flush=True)
sys.stdin.read()  # keep the lease until the test closes stdin
"""

WRITE = """
import psycopg2, redis
from prm import devservices
db, cache = devservices.database_url(), devservices.redis_url()
conn = psycopg2.connect(db.replace("postgres://", "postgresql://", 1))
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("CREATE TABLE kept (value text)")
    cursor.execute("INSERT INTO kept VALUES ('still here')")
    cursor.execute("CREATE EXTENSION pg_trgm")
    cursor.execute("CREATE EXTENSION btree_gist")
    cursor.execute("SELECT current_database()")
    print(cursor.fetchone()[0])
conn.close()
redis.Redis.from_url(cache).set("kept", "still here")
print(db, cache)
"""

READ = """
import psycopg2, redis
from prm import devservices
db, cache = devservices.database_url(), devservices.redis_url()
conn = psycopg2.connect(db.replace("postgres://", "postgresql://", 1))
with conn.cursor() as cursor:
    cursor.execute("SELECT value FROM kept")
    print(cursor.fetchone()[0])
    cursor.execute("SELECT similarity('acme', 'acme')")
    print(cursor.fetchone()[0])
conn.close()
print(redis.Redis.from_url(cache).get("kept").decode())
"""


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["PRM_VAR_DIR"] = str(var_dir)
    env["PYTHONPATH"] = str(BASE_DIR)
    return env


def _python(code: str, var_dir: Path) -> list[str]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=_env(var_dir),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _status(var_dir: Path) -> dict:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "prm.devservices", "status"],
        env=_env(var_dir),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return json.loads(out)


@pytest.fixture
def var_dir(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    yield var
    subprocess.run(  # noqa: S603 - never leave servers behind, whatever failed
        [sys.executable, "-m", "prm.devservices", "stop"],
        env=_env(var),
        cwd=BASE_DIR,
        capture_output=True,
        timeout=120,
    )


def test_processes_share_the_servers_and_the_last_one_out_stops_them(var_dir):
    holder = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLD],
        env=_env(var_dir),
        cwd=BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        db_url, redis_url = holder.stdout.readline().split()
        assert db_url.endswith("/prm")
        assert str(var_dir / "postgres").replace("/", "%2F") in db_url
        assert redis_url.startswith("redis://127.0.0.1:")

        # Another process of the checkout reaches the same servers, and leaving does not
        # stop them while the holder still uses them.
        database, other_db_url, other_redis_url = _python(WRITE, var_dir)
        assert (database, other_db_url, other_redis_url) == ("prm", db_url, redis_url)
        status = _status(var_dir)
        assert status["postgres"] == db_url
        assert status["redis"] == redis_url
        assert status["leases"] == [holder.pid]
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=120) == 0, holder.stderr.read()

    # The last one out stopped both servers ...
    assert _status(var_dir) == {"postgres": None, "redis": None, "leases": [], "pinned": False}
    # ... and the next start finds the data where it was.
    assert _python(READ, var_dir) == ["still", "here", "1.0", "still", "here"]
    assert _status(var_dir)["postgres"] is None


def test_started_servers_stay_up_until_stopped(var_dir):
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "prm.devservices", "start"],
        env=_env(var_dir),
        cwd=BASE_DIR,
        capture_output=True,
        timeout=120,
        check=True,
    )
    # A process that comes and goes does not stop pinned servers ...
    _python(WRITE, var_dir)
    status = _status(var_dir)
    assert status["pinned"] and status["postgres"] and status["redis"]
    # ... `stop` does.
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "prm.devservices", "stop"],
        env=_env(var_dir),
        cwd=BASE_DIR,
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert _status(var_dir) == {"postgres": None, "redis": None, "leases": [], "pinned": False}
