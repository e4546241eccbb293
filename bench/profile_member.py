"""Where the signed-in do-nothing request spends its time, in process, through WSGI.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/profile_member.py var/bench/<run>

Calls the application's WSGI handler (bench/wsgi.py, the very object gunicorn serves)
with a GET of /_floor/member/ as the run's partner and channel manager (cookies from
<run>/env.sh), and of the plain floors: prints the mean time per request of each, the
queries and Redis commands per signed-in request, then a cProfile of the channel
manager's requests grouped by middleware and by the costliest functions.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.querycount import read_env  # noqa: E402
from bench.wsgi import application  # noqa: E402

N = int(os.environ.get("PROFILE_REQUESTS", "2000"))


def environ(host: str, path: str, cookie: str) -> dict:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def call(host: str, path: str, cookie: str) -> str:
    status = []
    body = application(environ(host, path, cookie), lambda s, h, *a: status.append(s))
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return status[0]


def timed(host: str, path: str, cookie: str) -> float:
    for _ in range(50):
        assert call(host, path, cookie).startswith("200"), path
    started = time.perf_counter()
    for _ in range(N):
        call(host, path, cookie)
    return (time.perf_counter() - started) / N * 1000


def main() -> None:
    run = Path(sys.argv[1])
    env = read_env(run / "env.sh")
    host = env["BENCH_HOST"]
    cases = [
        ("plain, stock middleware", "/_floor/stock/plain/", ""),
        ("plain, application middleware, anonymous", "/_floor/plain/", ""),
        ("signed-in no-op, partner", "/_floor/member/", env["PARTNER_COOKIE"]),
        ("signed-in no-op, channel manager", "/_floor/member/", env["CM_COOKIE"]),
    ]
    print(f"mean per request over {N} in-process requests (no HTTP, no gunicorn):")
    for label, path, cookie in cases:
        print(f"  {label:45} {timed(host, path, cookie):6.3f} ms")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call(host, "/_floor/member/", env["CM_COOKIE"])
    print("\nqueries of one signed-in request:")
    for query in queries.captured_queries:
        print(f"  {query['sql'][:150]}")

    if os.environ.get("NO_PROFILE"):
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(N):
        call(host, "/_floor/member/", env["CM_COOKIE"])
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(
        r"middleware|sessions/backends|access\.py|backends\.py|is_usable|ensure_connection"
        r"|redis/client.py.*execute_command|views\.py|structlog|ipware",
        35,
    )
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())


if __name__ == "__main__":
    main()
