#!/usr/bin/env bash
# Load test of chibo's pages on province-scale data (~2,000 branches, ~100,000 members):
# wrk against a release build, everything on 127.0.0.1, every run bounded in time, and
# everything started here stopped and deleted on exit.
#
#   bash bench/run.sh                      # full run, summary in bench/last-run.txt
#   DURATION=5s CONNS=16 bash bench/run.sh # shorter
#   HISTORY_MONTHS=60 bash bench/run.sh    # five years of meetings (seeding takes minutes)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
RESULTS=${RESULTS:-$ROOT/bench/last-run.txt}
PW=bench-demo-password

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cd "$ROOT"
SQLX_OFFLINE=true cargo build --release --locked --quiet
BIN=$ROOT/target/release/chibo

WORK=$(mktemp -d /tmp/chibo-bench.XXXXXX)
chmod 755 "$WORK"
SERVER=""
cleanup() {
  set +e
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"; wait "$SERVER"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

t0=$(date +%s.%N)
"$BIN" --data-dir "$WORK/data" seed-demo --extra-towns 10 --history-months "${HISTORY_MONTHS:-12}" --demo-password "$PW" >/dev/null
t1=$(date +%s.%N)
"$BIN" --data-dir "$WORK/data" serve --no-demo --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
t2=$(date +%s.%N)

sql() { psql -X -qtA -h "$WORK/data" -U app -d chibo -c "$1"; }
# Signs in as a browser does (a write states its origin, or it is refused 403), and fails
# the run when no session comes back.
login() {
  curl -s -o /dev/null -c "$WORK/jar-$1" -H "Origin: http://127.0.0.1:$PORT" \
    -d "username=$1&password=$PW" "http://127.0.0.1:$PORT/login"
  local cookie
  cookie=$(awk '$6 == "chibo_session" { print "chibo_session=" $7 }' "$WORK/jar-$1")
  [ -n "$cookie" ] || { echo "sign-in as $1 failed: no session" >&2; exit 1; }
  echo "$cookie"
}
PROVINCE=$(sql "SELECT id FROM units WHERE parent_id IS NULL")
TOWN=$(sql "SELECT id FROM units WHERE name = 'Đảng bộ thị xã Kỳ Anh'")
WARD=$(sql "SELECT id FROM units WHERE name = 'Đảng bộ phường Sông Trí'")
BRANCH=$(sql "SELECT unit_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'bithu'")
ME=$(sql "SELECT member_id FROM users WHERE username = 'dangvien'")
COUNTS=$(sql "SELECT (SELECT count(*) FROM units WHERE kind = 'branch') || ' branches, ' || (SELECT count(*) FROM members) || ' members, ' || (SELECT count(*) FROM meetings) || ' meetings, ' || (SELECT count(*) FROM attendance) || ' attendance rows, ' || (SELECT count(*) FROM evaluations) || ' score sheets'")

{
  echo "chibo bench $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(rustc --version)"
  echo "data: $COUNTS; seeded in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s; server up in $(printf '%.2f' "$(echo "$t2 - $t1" | bc)") s"
  echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency; wrk, server and postgres share the machine"
  echo
  printf '%-34s %9s %9s %9s %8s\n' endpoint req/s p50 p99 ratio
} | tee "$RESULTS"

base=""
FAILED=0
run() { # name cookie path [connections]
  local out rps p50 p99 conns=${4:-$CONNS} code
  # The page itself must answer 200: wrk counts a redirect (to the sign-in page) as a success.
  code=$(curl -s -o /dev/null -w '%{http_code}' ${2:+-H "Cookie: $2"} "http://127.0.0.1:$PORT$3")
  if [ "$code" != 200 ]; then
    echo "$1: $3 answered HTTP $code, not 200: no figure" | tee -a "$RESULTS" >&2
    FAILED=1
    return
  fi
  out=$(timeout 120 wrk -t"$(( conns < THREADS ? conns : THREADS ))" -c"$conns" -d"$DURATION" --timeout 10s --latency ${2:+-H "Cookie: $2"} "http://127.0.0.1:$PORT$3")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "$1: non-2xx answers" >&2; grep "Non-2xx" <<<"$out" >&2; fi
  [ -z "$base" ] && base=$rps
  printf '%-34s %9.0f %9s %9s %8.2f\n' "$1" "$rps" "$p50" "$p99" "$(echo "$base / $rps" | bc -l)" | tee -a "$RESULTS"
}

run "/readyz (SELECT 1, baseline)" "" /readyz
run "/login (render, no session)" "" /login
run "branch home, 35 members (bithu)" "$(login bithu)" "/units/$BRANCH"
run "member's own page (dangvien)" "$(login dangvien)" "/members/$ME"
run "ward, 12 branches (phuong)" "$(login phuong)" "/units/$WARD"
run "town, 30 committees (thixa)" "$(login thixa)" "/units/$TOWN"
run "province, ~100k members (admin)" "$(login admin)" "/units/$PROVINCE"
# Scoring: last month's regular meeting of the bithu branch (figures computed on every view),
# the branch's year of scores with the annual roll-up, and the rubric page with its preview.
SCORED=$(sql "SELECT m.id FROM meetings m JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
               WHERE m.unit_id = '$BRANCH' AND m.kind = 'regular' ORDER BY m.month DESC LIMIT 1")
RUBRIC=$(sql "SELECT id FROM rubrics WHERE code = 'HD42-KHUNG' ORDER BY version LIMIT 1")
BITHU=$(login bithu)
run "meeting evaluation form (bithu)" "$BITHU" "/meetings/$SCORED/evaluation"
run "branch scores of the year (bithu)" "$BITHU" "/units/$BRANCH/evaluations"
run "rubric with preview (admin)" "$(login admin)" "/admin/rubrics/$RUBRIC"
# Supervision, for last month: dashboards, alerts and monthly reports by subtree size.
MONTH=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
PHUONG=$(login phuong); THIXA=$(login thixa); ADMIN=$(login admin)
run "ward dashboard, 12 branches" "$PHUONG" "/dashboard/$WARD?month=$MONTH"
run "town dashboard, 177 branches" "$THIXA" "/dashboard/$TOWN?month=$MONTH"
# The province's pages take a large share of a second each: two connections, so that the
# latency is the server's time, not a queue.
run "province dashboard, ~2,000 branches (-c2)" "$ADMIN" "/dashboard/$PROVINCE?month=$MONTH" 2
run "town alerts" "$THIXA" "/alerts/$TOWN?month=$MONTH"
run "town monthly report" "$THIXA" "/reports/monthly/$TOWN?month=$MONTH"
run "town monthly report (-c1)" "$THIXA" "/reports/monthly/$TOWN?month=$MONTH" 1
run "town dashboard (-c1)" "$THIXA" "/dashboard/$TOWN?month=$MONTH" 1
run "town monthly report .xlsx" "$THIXA" "/reports/monthly/$TOWN.xlsx?month=$MONTH"
run "province monthly report (-c2)" "$ADMIN" "/reports/monthly/$PROVINCE?month=$MONTH" 2
echo "ratio = baseline req/s ÷ this page's req/s (how many times dearer than /readyz)" | tee -a "$RESULTS"
[ "$FAILED" = 0 ] || { echo "some pages gave no figure (see above)" >&2; exit 1; }
