"""Summarise one benchmark run (var/bench/<run>/) as Markdown: raw figures, medians,
ratios to the floors measured in the same run, and pass/fail against PERFORMANCE.md.

    .venv/bin/python bench/report.py var/bench/<run>
"""

from __future__ import annotations

import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

PLAIN = "floor_plain_stock"
# page -> (floor, target ratio of p50 at one connection or None, what the target is)
COMPARE = {
    "floor_plain_app_anonymous": (PLAIN, None, "informative: the application's middleware"),
    "floor_member_partner": (PLAIN, 2.0, "signed-in do-nothing ≤ 2× plain"),
    "floor_member_cm": (PLAIN, 2.0, "signed-in do-nothing ≤ 2× plain"),
    "portal_deal_list": ("floor_template_portal", 1.5, "list page ≤ 1.5× template floor"),
    "portal_deal_detail": ("floor_template_portal", 2.0, "detail page ≤ 2× template floor"),
    "review_queue": ("floor_template_console", 1.5, "list page ≤ 1.5× template floor"),
    "console_deal_list": ("floor_template_console", 1.5, "list page ≤ 1.5× template floor"),
    "console_deal_detail": ("floor_template_console", 2.0, "detail page ≤ 2× template floor"),
    "console_partner_detail": ("floor_template_console", 2.0, "detail page ≤ 2× template floor"),
    "portal_course": ("floor_template_portal", 2.0, "detail page ≤ 2× template floor"),
    "console_partner_list": ("floor_template_console", 1.5, "list page ≤ 1.5× template floor"),
    "portal_learn_catalogue": ("floor_template_portal", 1.5, "list page ≤ 1.5× template floor"),
    "portal_learn_team": ("floor_template_portal", 1.5, "list page ≤ 1.5× template floor"),
    "console_certification_roster": (
        "floor_template_console",
        1.5,
        "list page ≤ 1.5× template floor",
    ),
    "console_dashboard": ("floor_template_console", 1.5, "dashboard ≤ 1.5× template floor"),
    "portal_dashboard": ("floor_template_portal", 1.5, "dashboard ≤ 1.5× template floor"),
    "portal_earnings": ("floor_template_portal", 1.5, "list page ≤ 1.5× template floor"),
    "console_fund_requests": ("floor_template_console", 1.5, "list page ≤ 1.5× template floor"),
    "api_deal_list_partner": ("floor_api_partner", 1.5, "API list ≤ 1.5× DRF floor"),
    "api_deal_list_cm": ("floor_api_cm", 1.5, "API list ≤ 1.5× DRF floor"),
}
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse(path: Path) -> dict:
    text = path.read_text()
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    if re.search(r"^\s+0 requests in", text, re.M):
        p50 = p99 = rps = None  # nothing answered within the run: no figure, not zero
    return {
        "p50": float(p50.group(1)) * UNITS[p50.group(2)] if p50 else float("nan"),
        "p99": float(p99.group(1)) * UNITS[p99.group(2)] if p99 else float("nan"),
        "rps": float(rps.group(1)) if rps else float("nan"),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def main() -> None:
    out = Path(sys.argv[1])
    runs: dict[tuple[str, int], list[dict]] = defaultdict(list)
    order: list[str] = []
    for line in (out / "urllist.txt").read_text().splitlines():
        order.append(line.split("|")[0])
    for path in sorted((out / "wrk").glob("*.txt")):
        match = re.match(r"(.+)\.c(\d+)\.run(\d+)\.txt$", path.name)
        if match:
            runs[(match.group(1), int(match.group(2)))].append(parse(path))

    def med(name, conns, key):
        values = [r[key] for r in runs.get((name, conns), [])]
        return statistics.median(values) if values else float("nan")

    print(f"### Raw figures ({out.name})\n")
    print("p50 latency at 1 connection (ms) per run, median; requests/s at 16 connections per")
    print("run, median; p99 at 16 connections (median of runs). Non-2xx answers would be listed.\n")
    print(
        "| URL | p50 @1 runs (ms) | p50 @1 median | req/s @16 runs | req/s @16 median "
        "| p99 @16 (ms) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    problems = []
    for name in order:
        one = runs.get((name, 1), [])
        many = runs.get((name, 16), [])
        for r in one + many:
            if r["bad"] or r["errors"]:
                problems.append(f"{name}: {r['bad']} non-2xx/3xx, socket errors: {r['errors']}")
        p50s = ", ".join(f"{r['p50']:.2f}" for r in one)
        rpss = ", ".join(f"{r['rps']:.0f}" for r in many)
        print(
            f"| {name} | {p50s} | **{med(name, 1, 'p50'):.2f}** "
            f"| {rpss} | **{med(name, 16, 'rps'):.0f}** | {med(name, 16, 'p99'):.1f} |"
        )
    if problems:
        print("\nProblems:\n" + "\n".join(f"- {p}" for p in problems))

    plain = med(PLAIN, 1, "p50")
    print("\n### Against the targets (p50 at one connection, medians of the runs)\n")
    print("| page | p50 (ms) | floor | floor p50 (ms) | ratio | target | result | × plain floor |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (floor, target, what) in COMPARE.items():
        if (name, 1) not in runs:
            continue
        page, base = med(name, 1, "p50"), med(floor, 1, "p50")
        ratio = page / base
        if ratio != ratio:  # nan: no figure
            verdict = "no data"
        elif target is None:
            verdict = "—"
        else:
            verdict = "PASS" if ratio <= target else "**FAIL**"
        print(
            f"| {name} | {page:.2f} | {floor} | {base:.2f} | {ratio:.2f}× | {what} | {verdict} "
            f"| {page / plain:.1f}× |"
        )


if __name__ == "__main__":
    main()
