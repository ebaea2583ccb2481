#!/usr/bin/env bash
# Mixed traffic against a release build on the demo data, on 127.0.0.1 only: 64 connections
# for DURATION (10 minutes by default) of page views by four roles, attendance ticks, the
# score sheet of a held meeting and sign-ins (bench/load.lua), with the server's memory
# sampled every 10 s. Not a test: it prints requests, 5xx and RSS at start and end.
#
#   bash bench/load.sh                       # 10 minutes; summary in bench/last-load.txt
#   DURATION=60s bash bench/load.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-10m}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
RESULTS=${RESULTS:-$ROOT/bench/last-load.txt}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

build_release
seed_demo
start_server
plan_meeting
export COOKIE_BITHU=$BITHU COOKIE_DANGVIEN=$(login dangvien) COOKIE_PHUONG=$(login phuong)
export ORIGIN=$BASE BRANCH MEETING SCORED PW
export WARD=$(sql "SELECT id FROM units WHERE name = 'Đảng bộ phường Sông Trí'")
export ME=$(sql "SELECT member_id FROM users WHERE username = 'dangvien'")
export MEMBER_IDS=$(IFS=,; echo "${MEMBERS[*]}")  # bash cannot export an array

pg_rss() { local t=0; for p in $(postgres_pids); do t=$(( t + $(rss_kb "$p" || echo 0) )); done; echo $t; }
RSS0=$(rss_kb "$SERVER"); PG0=$(pg_rss)
( while kill -0 "$SERVER" 2>/dev/null; do echo "$(date +%s) $(rss_kb "$SERVER") $(pg_rss)"; sleep 10; done ) >"$WORK/rss.txt" &
SAMPLER=$!

# Bounded: wrk stops after DURATION; timeout kills it if it does not.
secs=$(( $(sed -E 's/s$//; s/([0-9]+)m$/\1*60/' <<<"$DURATION") ))
out=$(timeout $(( secs + 60 )) wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency \
  -s "$ROOT/bench/load.lua" "$BASE/")
kill "$SAMPLER" 2>/dev/null || true
RSS1=$(rss_kb "$SERVER"); PG1=$(pg_rss)
MAX=$(awk 'max < $2 { max = $2 } END { print max }' "$WORK/rss.txt")
{
  echo "chibo load $(date -u +%FT%TZ) on $(nproc) cores; $(git -C "$ROOT" rev-parse --short HEAD); wrk -t$THREADS -c$CONNS -d$DURATION, mixed (bench/load.lua)"
  grep -E "requests in|Requests/sec|Socket errors|Non-2xx" <<<"$out" | sed 's/^ */  /'
  grep "^mix:" <<<"$out"
  echo "chibo RSS every 10 s (MB): $(awk '{ printf "%d ", $2 / 1024 }' "$WORK/rss.txt")"
  echo "chibo RSS: $(( RSS0 / 1024 )) MB at start, $(( RSS1 / 1024 )) MB at end, $(( MAX / 1024 )) MB at most (sampled every 10 s); postgres RSS $(( PG0 / 1024 )) -> $(( PG1 / 1024 )) MB"
  echo "attendance rows of the ticked meeting: $(sql "SELECT count(*) FROM attendance WHERE meeting_id = '$MEETING' AND presence IS NOT NULL") marked; sessions: $(sql "SELECT count(*) FROM sessions")"
} | tee "$RESULTS"
