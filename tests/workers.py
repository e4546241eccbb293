"""Real Celery workers for tests: started in a subprocess against this run's test database.

A worker connects (as the owner role, like migrations; row-level security still binds
the application role the portal uses elsewhere) to the test database of this pytest
process, to the Redis of `REDIS_URL`, and consumes queues of its own, so parallel test
processes never take each other's messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[1]


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    user = quote(settings.DATABASE_OWNER_USER, safe="")
    password = quote(settings.DATABASE_OWNER_PASSWORD, safe="")
    credentials = f"{user}:{password}" if password else user
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def wait_for(predicate: Callable, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    tail = f"; worker log:\n{log.read_text()[-4000:]}" if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{tail}")


def start_worker(
    *, queues: list[str], log: Path, name: str, imports: tuple[str, ...] = (), env=None
) -> subprocess.Popen:
    """A solo worker consuming `queues`; returns once it is ready."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prm.settings.test",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DATABASE_CONN_MAX_AGE": "0",
        "PYTHONPATH": str(BASE_DIR),
        **(env or {}),
    }
    celery = Path(sys.executable).parent / "celery"
    command = [str(celery), "-A", "prm", "worker"]
    for module in imports:
        command += ["-I", module]
    command += [
        "-Q",
        ",".join(queues),
        "-P",
        "solo",
        "-c",
        "1",
        "-n",
        f"{name}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    out = open(log, "a")  # noqa: SIM115 - the worker writes to it for its whole life
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=BASE_DIR,
        env=environment,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started = log.stat().st_size if log.exists() else 0
    wait_for(
        lambda: "ready." in log.read_text()[started:] or process.poll() is not None,
        90,
        "the worker to start",
        log,
    )
    assert process.poll() is None, f"the worker exited:\n{log.read_text()[-4000:]}"
    return process


def stop_worker(process: subprocess.Popen, *, kill: bool = False) -> None:
    """Stop it warmly (SIGTERM), or kill it outright (SIGKILL to its whole group)."""
    if process.poll() is not None:
        return
    if kill:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
