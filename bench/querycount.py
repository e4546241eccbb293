"""Queries and SQL time of each benchmarked URL, through Django's test client.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/querycount.py var/bench/<run>

Reads <run>/env.sh (hosts, cookies) and <run>/urllist.txt (name|who|path); each URL is
requested twice and the second request is reported (warm caches), with the slowest
queries. With PROFILE=name, also prints a pyinstrument profile of that URL.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


class Timer:
    """Every query's SQL and its time (perf_counter, not Django's 1 ms rounding)."""

    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql))


def read_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            env[key] = shlex.split(value)[0] if value else ""
    return env


def main() -> None:
    out = Path(sys.argv[1])
    env = read_env(out / "env.sh")
    profile = os.environ.get("PROFILE", "")
    cookies = {"P": env["PARTNER_COOKIE"], "C": env["CM_COOKIE"]}
    print(f"{'url':32} {'status':>6} {'queries':>7} {'sql ms':>7} {'total ms':>8}")
    slow_report = []
    for line in (out / "urllist.txt").read_text().splitlines():
        name, who, path = line.split("|")
        client = Client(HTTP_HOST=env["BENCH_HOST"])
        if who in cookies:
            key, value = cookies[who].split("=", 1)
            client.cookies[key] = value
        client.get(path)
        timer = Timer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(path)
            total = (time.perf_counter() - started) * 1000
        sql_ms = sum(ms for ms, _ in timer.queries)
        count = len(timer.queries)
        print(f"{name:32} {response.status_code:>6} {count:>7} {sql_ms:>7.1f} {total:>8.1f}")
        slowest = sorted(timer.queries, key=lambda q: -q[0])[:3]
        slow_report.append((name, slowest))
        if name == profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(20):
                client.get(path)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    print()
    for name, slowest in slow_report:
        print(f"--- {name}: slowest queries")
        for ms, sql in slowest:
            print(f"  {ms:7.2f} ms  {sql[:400]}")


if __name__ == "__main__":
    main()
