"""Where one page spends its time, in process, through the WSGI handler gunicorn serves.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/profile_page.py \\
        var/bench/<run> /manage/funds/requests/ C [requests]

C signs in as the run's channel manager, P as its partner (cookies from <run>/env.sh).
Prints the mean time per request, then a cProfile of the requests: the costliest
functions by cumulative and by own time.
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

from bench.profile_member import call  # noqa: E402
from bench.querycount import read_env  # noqa: E402


def main() -> None:
    run, path, who = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    env = read_env(run / "env.sh")
    host = env["BENCH_HOST"]
    cookie = env["CM_COOKIE" if who == "C" else "PARTNER_COOKIE"]
    for _ in range(10):
        assert call(host, path, cookie).startswith("200"), path
    started = time.perf_counter()
    for _ in range(n):
        call(host, path, cookie)
    print(f"{path}: {(time.perf_counter() - started) / n * 1000:.2f} ms per request ({n})")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call(host, path, cookie)
    profiler.disable()
    for order, count in (("cumulative", 60), ("tottime", 25)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(count)
        print(out.getvalue())


if __name__ == "__main__":
    main()
