#!/usr/bin/env bash
# chibo's pages under load on province-scale data, beside the stack's ceiling measured in
# the same run (bench/README.md says what each column means). Everything listens on
# 127.0.0.1, every load run is bounded in time, and everything started here is stopped and
# deleted on exit.
#
#   bash bench/run.sh                    # one year of history; summary in bench/last-run.txt
#   YEARS=5 bash bench/run.sh            # five years (seeding takes ~12 minutes)
#   DURATION=5s bash bench/run.sh        # shorter load runs
#   CEILING=0 bash bench/run.sh          # without the ceiling run (no share column)
#   DATA=/path/to/data bash bench/run.sh # reuse a data directory seeded earlier (kept)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
YEARS=${YEARS:-1}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
CEILING=${CEILING:-1}
CEILING_SH=${CEILING_SH:-$ROOT/../shared/bench/ceiling/run.sh}
RESULTS=${RESULTS:-$ROOT/bench/last-run$([ "$YEARS" = 1 ] || echo "-${YEARS}y").txt}
PW=bench-demo-password
BASE=http://127.0.0.1:$PORT

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

# 1. The ceiling first, on an idle machine: /fortunes and the /rows?n=N sweep.
if [ -n "${CEILING_FROM:-}" ]; then
  # For iterating on this script only: a ceiling summary from an earlier run.
  cp "$CEILING_FROM" "$WORK/ceiling.txt"
elif [ "$CEILING" = 1 ]; then
  [ -f "$CEILING_SH" ] || { echo "no ceiling benchmark at $CEILING_SH (CEILING=0 to skip it)" >&2; exit 1; }
  echo "== ceiling ($CEILING_SH)"
  DURATION=$DURATION SCALE_DURATION=$DURATION CONNS=$CONNS RESULTS=$WORK/ceiling.txt \
    bash "$CEILING_SH" >"$WORK/ceiling.log" 2>&1 || { tail -20 "$WORK/ceiling.log" >&2; exit 1; }
  cp "$WORK/ceiling.txt" "${RESULTS%.txt}-ceiling.txt"
fi

# 2. The data: seeded here (deterministic: the same towns, members and history every run),
#    or a data directory given.
t0=$(date +%s.%N)
if [ -n "${DATA:-}" ]; then
  DATADIR=$DATA
  seeded="reused $DATA"
else
  DATADIR=$WORK/data
  echo "== seeding $YEARS year(s) of history"
  "$BIN" --data-dir "$DATADIR" seed-demo --extra-towns 10 --history-months $(( 12 * YEARS )) \
    --demo-password "$PW" >/dev/null
  seeded="seeded in $(printf '%.0f' "$(echo "$(date +%s.%N) - $t0" | bc)") s"
fi
# Statement statistics for the run (the private cluster reads this file at start).
grep -q pg_stat_statements "$DATADIR/postgresql.auto.conf" 2>/dev/null || cat >>"$DATADIR/postgresql.auto.conf" <<'EOF'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track_utility = off
EOF

t1=$(date +%s.%N)
"$BIN" --data-dir "$DATADIR" serve --no-demo --addr "127.0.0.1:$PORT" \
  --login-burst 100000 --login-every 1 >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 200); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.05; done
t2=$(date +%s.%N)
curl -sf "$BASE/healthz" >/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }

sql() { psql -X -qtA -h "$DATADIR" -U app -d chibo -c "$1"; }
sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
login() {
  curl -s -o /dev/null -c "$WORK/jar-$1" -H "Origin: $BASE" \
    -d "username=$1&password=$PW" "$BASE/login"
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
MONTH=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
MEETING=$(sql "SELECT id FROM meetings WHERE unit_id = '$BRANCH' AND kind = 'regular' AND month = '$MONTH-01'")
[ -n "$MEETING" ] || { echo "the bithu branch has no regular meeting in $MONTH: nothing to tick" >&2; exit 1; }
TICKED=$(sql "SELECT member_id FROM attendance WHERE meeting_id = '$MEETING' AND presence = 'present' ORDER BY member_id LIMIT 1")
SCORED=$(sql "SELECT m.id FROM meetings m JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
               WHERE m.unit_id = '$BRANCH' AND m.kind = 'regular' ORDER BY m.month DESC LIMIT 1")
COUNTS=$(sql "SELECT (SELECT count(*) FROM units WHERE kind = 'branch') || ' branches, ' || (SELECT count(*) FROM members) || ' members, ' || (SELECT count(*) FROM meetings) || ' meetings, ' || (SELECT count(*) FROM attendance) || ' attendance rows, ' || (SELECT count(*) FROM evaluations) || ' score sheets'")
BITHU=$(login bithu); DANGVIEN=$(login dangvien); PHUONG=$(login phuong); THIXA=$(login thixa); ADMIN=$(login admin)

# The ceiling page with N rows: /fortunes' figures for 13 rows, else the sweep's,
# interpolated on log scales between its sizes (12, 100, 1000, 2400, 10000 rows).
ceiling() { # rows column(rps64|p50c1)
  [ -f "$WORK/ceiling.txt" ] || { echo "-"; return; }
  awk -v want="$1" -v col="$2" '
    function ms(x) { if (x ~ /us$/) return x / 1000; if (x ~ /ms$/) return x + 0; if (x ~ /s$/) return x * 1000; return x }
    $1 ~ /^\/rows\?n=/ { split($1, parts, "="); n = parts[2] + 1
      if ($2 == "c=1") p50[n] = ms($4); else rps[n] = $3; ns[n] = 1 }
    END {
      k = 0; for (n in ns) sizes[++k] = n + 0
      if (k == 0) { printf "-"; exit }
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (sizes[j] < sizes[i]) { t = sizes[i]; sizes[i] = sizes[j]; sizes[j] = t }
      v = (col == "rps64") ? rps[sizes[1]] : p50[sizes[1]]
      for (i = 1; i < k; i++) {
        lo = sizes[i]; hi = sizes[i + 1]
        if (want >= lo && want <= hi) {
          a = (col == "rps64") ? rps[lo] : p50[lo]; b = (col == "rps64") ? rps[hi] : p50[hi]
          f = (log(want) - log(lo)) / (log(hi) - log(lo)); v = exp(log(a) + f * (log(b) - log(a)))
        }
      }
      if (want > sizes[k]) v = (col == "rps64") ? rps[sizes[k]] : p50[sizes[k]]
      printf "%.3f", v
    }' "$WORK/ceiling.txt"
}

# SQL statements one view of a page issues (pg_stat_statements over 5 views, this run's
# own reads left out).
statements() { # cookie method path [body]
  sql "SELECT pg_stat_statements_reset()" >/dev/null
  for _ in 1 2 3 4 5; do
    if [ "$2" = POST ]; then
      curl -s -o /dev/null ${1:+-H "Cookie: $1"} -H "Origin: $BASE" -d "$4" "$BASE$3"
    else
      curl -s -o /dev/null ${1:+-H "Cookie: $1"} "$BASE$3"
    fi
  done
  sql "SELECT round(coalesce(sum(calls), 0) / 5.0, 1) FROM pg_stat_statements
        WHERE query NOT LIKE '%pg_stat_statements%' AND dbid = (SELECT oid FROM pg_database WHERE datname = 'chibo')"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }
# Every RSS sample of every load run (wrk_run runs in a subshell: a file, not a variable).
: >"$WORK/rss-all"

wrk_run() { # conns cookie method path [body] -> "rps p50 p99 errors"
  local conns=$1 out lua=""
  if [ "$3" = POST ]; then
    lua=$WORK/post.lua
    printf 'wrk.method = "POST"\nwrk.body = "%s"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Origin"] = "%s"\n' "$5" "$BASE" >"$lua"
  fi
  ( while kill -0 "$SERVER" 2>/dev/null; do rss_kb; sleep 0.5; done ) >>"$WORK/rss-all" 2>/dev/null &
  local sampler=$!
  out=$(timeout $(( ${DURATION%s} + 60 )) wrk -t"$(( conns < THREADS ? conns : THREADS ))" -c"$conns" -d"$DURATION" \
        --timeout 10s --latency ${2:+-H "Cookie: $2"} ${lua:+-s "$lua"} "$BASE$4") || true
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  # No requests line (wrk killed, nothing finished): zeros, counted as errors.
  awk 'BEGIN {rps = 0; p50 = "-"; p99 = "-"} /Requests\/sec/ {rps = $2; seen = 1} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
       /Non-2xx/ {err += $NF} /Socket errors/ {gsub(",", ""); err += $4 + $6 + $8 + $10}
       END {if (!seen) err += 1; printf "%s %s %s %d", rps, p50, p99, err}' <<<"$out"
}

to_ms() { awk -v x="$1" 'BEGIN { if (x ~ /us$/) print x / 1000; else if (x ~ /ms$/) print x + 0; else if (x ~ /s$/) print x * 1000; else print x }'; }

{
  echo "chibo bench $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(rustc --version)"
  echo "data: $YEARS year(s) of history: $COUNTS; $seeded; server up in $(printf '%.2f' "$(echo "$t2 - $t1" | bc)") s"
  echo "wrk -t$THREADS -d$DURATION --latency at 1 and $CONNS connections; wrk, server and postgres share the machine"
  [ -f "$WORK/ceiling.txt" ] && grep -E "^/fortunes  |^/fortunes c=1" "$WORK/ceiling.txt" | sed 's/^/ceiling: /'
  echo
  printf '%-30s %5s %5s | %7s %8s %8s %4s | %8s | %7s %6s | %8s %5s\n' \
    page rows stmts "req/s" p50 p99 err "p50 c=1" ceiling share "ceil p50" "×"
} | tee "$RESULTS"

FAILED=0
page() { # name rows cookie method path [body] [connections]
  local name=$1 rows=$2 cookie=$3 method=$4 path=$5 body=${6:-} conns=${7:-$CONNS} code stmts
  if [ "$method" = GET ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' ${cookie:+-H "Cookie: $cookie"} "$BASE$path")
  else
    code=$(curl -s -o /dev/null -w '%{http_code}' ${cookie:+-H "Cookie: $cookie"} -H "Origin: $BASE" -d "$body" "$BASE$path")
  fi
  # The page itself must answer (200; 303 for a form's POST): wrk counts a redirect to the
  # sign-in page as a success.
  if [ "$code" != "$([ "$method" = GET ] && echo 200 || echo 303)" ]; then
    echo "$name: $path answered HTTP $code: no figure" | tee -a "$RESULTS" >&2
    FAILED=1; return
  fi
  stmts=$(statements "$cookie" "$method" "$path" "$body")
  read -r rps p50 p99 err <<<"$(wrk_run "$conns" "$cookie" "$method" "$path" "$body")"
  read -r _ c1p50 _ _ <<<"$(wrk_run 1 "$cookie" "$method" "$path" "$body")"
  local crps cp50 share ratio
  crps=$(ceiling "$rows" rps64); cp50=$(ceiling "$rows" p50c1)
  if [ "$crps" != "-" ]; then
    share=$(awk -v a="$rps" -v b="$crps" 'BEGIN {if (b > 0) printf "%.1f%%", 100 * a / b; else printf "-"}')
    ratio=$(awk -v a="$(to_ms "$c1p50")" -v b="$cp50" 'BEGIN {if (b > 0 && a > 0) printf "%.1f", a / b; else printf "-"}')
    crps=$(printf '%.0f' "$crps"); cp50=$(printf '%.2fms' "$cp50")
  else share=-; ratio=-; cp50=-; fi
  printf '%-30s %5s %5s | %7.0f %8s %8s %4s | %8s | %7s %6s | %8s %5s\n' \
    "$name" "$rows" "$stmts" "$rps" "$p50" "$p99" "$err" "$c1p50" "$crps" "$share" "$cp50" "$ratio" | tee -a "$RESULTS"
}

page "/readyz (SELECT 1)"            1 ""        GET  /readyz
page "login page (no session)"       1 ""        GET  /login
# A sign-in from a browser with no session (each opens one; the pages' sessions stay).
page "sign-in (POST, argon2)"        1 ""        POST /login "username=bithu&password=$PW"
page "member's own page"            12 "$DANGVIEN" GET "/members/$ME"
page "branch home, 35 members"      35 "$BITHU"  GET  "/units/$BRANCH"
page "branch member list"           35 "$BITHU"  GET  "/units/$BRANCH/members"
page "meeting attendance list"      35 "$BITHU"  GET  "/meetings/$MEETING/attendance"
page "attendance tick (POST)"        1 "$BITHU"  POST "/meetings/$MEETING/attendance/$TICKED" "presence=present"
page "scoring form"                 30 "$BITHU"  GET  "/meetings/$SCORED/evaluation"
page "ward unit page, 12 branches"  12 "$PHUONG" GET  "/units/$WARD"
page "ward dashboard, 12 branches"  24 "$PHUONG" GET  "/dashboard/$WARD?month=$MONTH"
page "town dashboard, 177 branches" 189 "$THIXA" GET  "/dashboard/$TOWN?month=$MONTH"
page "town alerts"                 100 "$THIXA"  GET  "/alerts/$TOWN?month=$MONTH"
page "town monthly report"         177 "$THIXA"  GET  "/reports/monthly/$TOWN?month=$MONTH"
page "town monthly report .xlsx"   177 "$THIXA"  GET  "/reports/monthly/$TOWN.xlsx?month=$MONTH"
# The province's pages take a large share of a second each: at 64 connections not one
# would finish within a run. Eight, and the page's name says so.
page "province dashboard (c=8)"   1970 "$ADMIN"  GET  "/dashboard/$PROVINCE?month=$MONTH" "" 8
page "province report (c=8)"      1958 "$ADMIN"  GET  "/reports/monthly/$PROVINCE?month=$MONTH" "" 8
page "province unit page"           11 "$ADMIN"  GET  "/units/$PROVINCE"
{
  echo
  echo "server peak RSS under load: $(( $(sort -n "$WORK/rss-all" | tail -1) / 1024 )) MB (VmRSS sampled every 0.5 s); high-water mark: $(( $(awk '/^VmHWM/ {print $2}' "/proc/$SERVER/status") / 1024 )) MB"
  echo "rows: the rows the page shows (members, lines, branches); stmts: SQL statements per view (pg_stat_statements)"
  echo "ceiling: /rows?n=rows at $CONNS connections in the same run (interpolated between the sweep's sizes); share = req/s ÷ ceiling"
  echo "×: p50 at 1 connection ÷ the ceiling page's p50 at 1 connection"
} | tee -a "$RESULTS"
[ "$FAILED" = 0 ] || { echo "some pages gave no figure (see above)" >&2; exit 1; }
