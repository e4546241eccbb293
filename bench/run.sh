#!/usr/bin/env bash
# The benchmark of PERFORMANCE.md, end to end: data, server, wrk, conflict check, rollup.
# See bench/README.md. Everything runs on 127.0.0.1 and stops by itself.
#
#   bench/run.sh                      # 20 tenants / 10,000 partners / 1,000,000 deals
#   BENCH_DEALS=100000 bench/run.sh   # a quick run
#
# Knobs (environment): BENCH_DEALS, BENCH_PARTNERS, BENCH_TENANTS, BENCH_GENERATE (1 =
# always regenerate, 0 = never, default: when the size or the migrations changed),
# BENCH_DURATION (wrk -d per run, default 5s), BENCH_RUNS (default 3), BENCH_WORKERS
# (gunicorn sync workers, default 4), BENCH_PORT (default 8001).
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/prm_bench}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/3}
export DJANGO_SETTINGS_MODULE=bench.settings
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
PY=${PY:-.venv/bin/python}
PORT=${BENCH_PORT:-8001}
DURATION=${BENCH_DURATION:-5s}
RUNS=${BENCH_RUNS:-3}
WORKERS=${BENCH_WORKERS:-4}
TENANTS=${BENCH_TENANTS:-20}
PARTNERS=${BENCH_PARTNERS:-10000}
DEALS=${BENCH_DEALS:-1000000}
OUT=${BENCH_OUT:-var/bench/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# --- the database, migrated and filled --------------------------------------------------
DB_NAME=${DATABASE_URL##*/}
ADMIN_URL=${DATABASE_URL%/*}/postgres
if ! psql "$ADMIN_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    say "creating database $DB_NAME"
    psql "$ADMIN_URL" -qc "CREATE DATABASE \"$DB_NAME\""
fi
say "migrate"
$PY manage.py migrate --noinput -v0
STAMP_FILE=var/bench/generated.stamp
STAMP="$TENANTS/$PARTNERS/$DEALS/$(psql "$DATABASE_URL" -tAc \
    "SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) FROM django_migrations")"
GENERATE=${BENCH_GENERATE:-auto}
if [ "$GENERATE" = 1 ] || { [ "$GENERATE" = auto ] && [ "$(cat "$STAMP_FILE" 2>/dev/null)" != "$STAMP" ]; }; then
    say "generating $TENANTS tenants / $PARTNERS partners / $DEALS deals"
    /usr/bin/time -v $PY bench/generate.py --tenants "$TENANTS" --partners "$PARTNERS" \
        --deals "$DEALS" 2> "$OUT/generate.time" | tee "$OUT/generate.log"
    echo "$STAMP" > "$STAMP_FILE"
else
    say "data already generated for $STAMP (BENCH_GENERATE=1 to regenerate)"
fi
# Enablement rows (courses, enrolments, awards) for the generated partners: cheap, so
# regenerated whenever the partners were, or when its own tables are empty.
if [ "$(cat "$STAMP_FILE.enablement" 2>/dev/null)" != "$STAMP" ] || \
    [ "$(psql "$DATABASE_URL" -tAc 'SELECT count(*) FROM enablement_course')" = 0 ]; then
    say "generating enablement data"
    $PY bench/generate_enablement.py | tee "$OUT/generate_enablement.log"
    echo "$STAMP" > "$STAMP_FILE.enablement"
fi
psql "$DATABASE_URL" -tAc "SELECT 'tenants=' || (SELECT count(*) FROM tenancy_tenant) || ' partners=' ||
    (SELECT count(*) FROM partners_partnerorganization) || ' deals=' || (SELECT count(*) FROM deals_deal)
    || ' database=' || pg_size_pretty(pg_database_size(current_database()))" | tee "$OUT/data.txt"

# --- the machine -------------------------------------------------------------------------
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "python: $($PY -c 'import sys, sysconfig; print(sys.version.replace(chr(10), " "), "| GIL disabled:", bool(sysconfig.get_config_var("Py_GIL_DISABLED")))')"
    echo "django: $($PY -c 'import django; print(django.get_version())')"
    echo "postgres: $(psql "$DATABASE_URL" -tAc 'SHOW server_version')"
    echo "gunicorn: $($PY -m gunicorn --version 2>&1 | head -1), sync, $WORKERS workers"
    echo "wrk: $(wrk -v 2>&1 | head -1)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

# --- sign in, pick the objects ----------------------------------------------------------
$PY bench/prepare.py 2> "$OUT/prepare.log" | grep -E "^[A-Z_]+=" > "$OUT/env.sh"
# shellcheck disable=SC1090,SC1091
source "$OUT/env.sh"

# --- the server ----------------------------------------------------------------------------
say "gunicorn: sync, $WORKERS workers on 127.0.0.1:$PORT"
$PY -m gunicorn bench.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --worker-class sync --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" \
    --capture-output --timeout 60 &
GUNICORN_PID=$!
trap 'kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/_floor/stock/plain/" && break
    sleep 0.5
done

# name|cookie|path — the floors first, then the pages.
URLS=(
    "floor_plain_stock|-|/_floor/stock/plain/"
    "floor_plain_app_anonymous|-|/_floor/plain/"
    "floor_member_partner|P|/_floor/member/"
    "floor_member_cm|C|/_floor/member/"
    "floor_template_portal|P|/_floor/template/portal/"
    "floor_template_console|C|/_floor/template/console/"
    "floor_api_partner|P|/_floor/api/"
    "floor_api_cm|C|/_floor/api/"
    "portal_deal_list|P|/portal/deals/"
    "portal_deal_detail|P|/portal/deals/$DEAL_ID/"
    "api_deal_list_partner|P|/api/v1/deals/"
    "review_queue|C|/manage/deals/review/"
    "console_deal_list|C|/manage/deals/"
    "console_deal_detail|C|/manage/deals/$DEAL_ID/"
    "console_partner_detail|C|/manage/partners/$ORGANIZATION_ID/"
    "portal_course|P|/portal/learn/courses/$COURSE_ID/"
    "api_deal_list_cm|C|/api/v1/deals/"
    "console_partner_list|C|/manage/partners/"
    "portal_learn_catalogue|P|/portal/learn/"
    "portal_learn_team|P|/portal/learn/team/"
    "console_certification_roster|C|/manage/enablement/roster/"
    "console_dashboard|C|/manage/analytics/"
    "portal_dashboard|P|/portal/performance/"
    "portal_earnings|P|/portal/earnings/"
    "console_fund_requests|C|/manage/funds/requests/"
)
# BENCH_ONLY=<regex>: measure only the URLs whose name matches (the floors always).
if [ -n "${BENCH_ONLY:-}" ]; then
    SELECTED=()
    for entry in "${URLS[@]}"; do
        name=${entry%%|*}
        if [[ $name == floor_* ]] || [[ $name =~ $BENCH_ONLY ]]; then SELECTED+=("$entry"); fi
    done
    URLS=("${SELECTED[@]}")
fi
cookie_of() { case "$1" in P) echo "$PARTNER_COOKIE" ;; C) echo "$CM_COOKIE" ;; *) echo "" ;; esac; }

say "checking every URL answers 200 (a redirect to sign-in would be fast and wrong)"
: > "$OUT/urls.txt"
printf '%s\n' "${URLS[@]}" > "$OUT/urllist.txt"
for entry in "${URLS[@]}"; do
    IFS='|' read -r name who path <<< "$entry"
    cookie=$(cookie_of "$who")
    read -r code size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' \
        -H "Host: $BENCH_HOST" ${cookie:+-H "Cookie: $cookie"} "http://127.0.0.1:$PORT$path")
    echo "$name $code ${size}B $path" | tee -a "$OUT/urls.txt"
    if [ "$code" != 200 ]; then echo "$name answered $code: stopping" >&2; exit 1; fi
done

say "query counts and SQL time per URL (Django test client, same settings)"
# (structlog, unconfigured by the application, prints request lines on stdout: dropped)
NOLOG='^[0-9]{4}-[0-9]{2}-[0-9]{2} '
$PY bench/querycount.py "$OUT" 2>> "$OUT/prepare.log" | grep -Ev "$NOLOG" > "$OUT/querycount.txt" || true
cat "$OUT/querycount.txt"
say "plans of the deal lists' main queries, as built and with the tested fix"
$PY bench/explain_lists.py 2>> "$OUT/prepare.log" | grep -Ev "$NOLOG" > "$OUT/explain_lists.txt" || true
grep -E '^===' "$OUT/explain_lists.txt" || true

run_wrk() {  # name cookie path connections run
    local threads=1
    [ "$4" -gt 1 ] && threads=2
    wrk -t"$threads" -c"$4" -d"$DURATION" --timeout 10s --latency -H "Host: $BENCH_HOST" \
        ${2:+-H "Cookie: $2"} "http://127.0.0.1:$PORT$3" > "$OUT/wrk/$1.c$4.run$5.txt"
}
# After a 16-connection run the workers may still be busy with requests wrk gave up
# on: wait until four requests in a row get a free worker before the next measurement.
drain() {
    local pids
    for _ in 1 2; do
        pids=()
        for _ in 1 2 3 4; do
            curl -s -o /dev/null --max-time 120 "http://127.0.0.1:$PORT/_floor/stock/plain/" &
            pids+=($!)
        done
        wait "${pids[@]}"  # not a bare wait: gunicorn is a background job too
    done
}
mkdir -p "$OUT/wrk"
say "warm-up"
for entry in "${URLS[@]}"; do
    IFS='|' read -r name who path <<< "$entry"
    wrk -t1 -c4 -d2s -H "Host: $BENCH_HOST" ${who:+-H "Cookie: $(cookie_of "$who")"} \
        "http://127.0.0.1:$PORT$path" > /dev/null
    drain
done
for run in $(seq 1 "$RUNS"); do
    for entry in "${URLS[@]}"; do
        IFS='|' read -r name who path <<< "$entry"
        cookie=$(cookie_of "$who")
        say "run $run/$RUNS $name"
        run_wrk "$name" "$cookie" "$path" 1 "$run"
        run_wrk "$name" "$cookie" "$path" 16 "$run"
        drain
    done
done

if [ -n "${BENCH_ONLY:-}" ]; then
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
    $PY bench/report.py "$OUT" | tee "$OUT/summary.md"
    say "raw output in $OUT (BENCH_ONLY: conflict check and rollup skipped)"
    exit 0
fi

say "conflict check at this size"
$PY bench/conflicts.py 2>> "$OUT/prepare.log" | grep -Ev "$NOLOG" > "$OUT/conflicts.txt"
head -n 6 "$OUT/conflicts.txt"

say "rollup floor (SQL GROUP BY)"
for run in $(seq 1 "$RUNS"); do
    psql "$DATABASE_URL" -X -q -f bench/rollup.sql > "$OUT/rollup.run$run.txt"
done
psql "$DATABASE_URL" -X -q -f bench/rollup_explain.sql > "$OUT/rollup_explain.txt"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
$PY bench/report.py "$OUT" | tee "$OUT/summary.md"
say "raw output in $OUT"
