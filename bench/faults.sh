#!/usr/bin/env bash
# Fault drills against a release build on the demo data (127.0.0.1 only, every step bounded,
# everything started here stopped and deleted on exit). Not a test: it prints figures.
#
#   bash bench/faults.sh            # all three drills; summary in bench/last-faults.txt
#   N=200 TRAFFIC_SECS=20 bash bench/faults.sh
#
# (a) the postmaster killed (kill -9) in the middle of traffic: how many requests got 503,
#     how many failed otherwise, and how long until pages answered again (chibo restarts it);
# (b) kill -9 of chibo and of Postgres after N acknowledged writes (attendance ticks):
#     every acknowledged write is found after a restart;
# (c) SIGTERM under wrk load: in-flight requests finish, exit status 0, no Postgres left.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-100}
TRAFFIC_SECS=${TRAFFIC_SECS:-15}
RESULTS=${RESULTS:-$ROOT/bench/last-faults.txt}

build_release
seed_demo
start_server
plan_meeting
echo "chibo faults $(date -u +%FT%TZ) on $(nproc) cores; $(git -C "$ROOT" rev-parse --short HEAD)" | tee "$RESULTS"

# (a) ---------------------------------------------------------------------------------------
HOME_PAGE="$BASE/units/$BRANCH"
traffic() { # seconds -> lines "epoch status" for a signed-in page, one request at a time
  local end=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    printf '%s %s\n' "$(date +%s.%N)" "$(curl -s -o /dev/null -m 10 -w '%{http_code}' -H "Cookie: $BITHU" "$HOME_PAGE")"
  done
}
traffic "$TRAFFIC_SECS" >"$WORK/traffic.txt" &
TRAFFIC=$!
sleep $(( TRAFFIC_SECS / 3 ))
OLD=$(postmaster_pid)
KILLED_AT=$(date +%s.%N)
kill -9 "$OLD"
wait "$TRAFFIC"
awk -v k="$KILLED_AT" '
  { n++ }
  $2 == 200 { ok++ }
  $2 == 503 { unavailable++ }
  $2 != 200 && $2 != 503 { other++ }
  $1 > k && $2 != 200 { failing = 1 }
  $1 > k && failing && $2 == 200 && !back { back = $1 - k }
  END {
    printf "(a) postmaster killed mid-traffic: %d requests, %d ok, %d answered 503, %d other failures; pages again %.2f s after the kill\n",
      n, ok, unavailable, other, back
  }' "$WORK/traffic.txt" | tee -a "$RESULTS"
echo "    postmaster pid $OLD -> $(postmaster_pid) (restarted by chibo)" | tee -a "$RESULTS"

# (b) ---------------------------------------------------------------------------------------
M=${#MEMBERS[@]}
declare -A LAST
acked=0
for i in $(seq 0 $(( N - 1 ))); do
  member=${MEMBERS[$(( i % M ))]}
  if [ $(( (i / M) % 2 )) -eq 0 ]; then presence=present; else presence=late; fi
  if [ "$(tick "$member" "$presence")" = 303 ]; then
    acked=$(( acked + 1 ))
    LAST[$member]=$presence
  fi
done
kill -9 "$(postmaster_pid)" "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=""
start_server
found=0
for member in "${!LAST[@]}"; do
  got=$(sql "SELECT presence FROM attendance WHERE meeting_id = '$MEETING' AND member_id = '$member'")
  [ "$got" = "${LAST[$member]}" ] && found=$(( found + 1 ))
done
echo "(b) kill -9 of chibo and Postgres after $acked acknowledged ticks over ${#LAST[@]} members: the last acknowledged value of $found of ${#LAST[@]} members found after restart" | tee -a "$RESULTS"

# (c) ---------------------------------------------------------------------------------------
if command -v wrk >/dev/null; then
  BITHU=$(login bithu)
  timeout 60 wrk -t2 -c32 -d10s --timeout 10s -H "Cookie: $BITHU" "$HOME_PAGE" >"$WORK/wrk.txt" 2>&1 &
  WRK=$!
  sleep 3
  T0=$(date +%s.%N)
  kill -TERM "$SERVER"
  set +e; wait "$SERVER"; STATUS=$?; set -e
  T1=$(date +%s.%N)
  SERVER=""
  wait "$WRK" || true
  sleep 0.5
  LEFT=$(postgres_pids | wc -l)
  ERRS=$(grep -E "Socket errors|Non-2xx" "$WORK/wrk.txt" | tr -s ' ' | paste -sd ';' || true)
  printf '(c) SIGTERM under wrk load (32 connections): exit status %s after %.2f s, %s postgres processes left; wrk: %s requests; %s\n' \
    "$STATUS" "$(echo "$T1 - $T0" | bc)" "$LEFT" "$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")" "${ERRS:-no socket errors}" | tee -a "$RESULTS"
  echo "    (wrk keeps writing to its connections after the server has gone: those are its socket errors)" | tee -a "$RESULTS"
  grep -c "Đã dừng máy chủ" "$WORK/serve.log" >/dev/null && echo "    the server said: $(grep "Đã dừng máy chủ" "$WORK/serve.log" | tail -1)" | tee -a "$RESULTS"
else
  echo "(c) skipped: wrk is missing (apt-get install -y wrk)" | tee -a "$RESULTS"
fi
