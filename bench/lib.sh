# Shared by bench/faults.sh and bench/load.sh (sourced, not run): a release build on a demo
# database in a throw-away directory, served on 127.0.0.1 only, and helpers to sign in,
# plan a meeting and tick attendance. Everything started is stopped on exit.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${PORT:-18090}
PW=bench-demo-password
BASE="http://127.0.0.1:$PORT"

build_release() {
  # Other builds share the machine's two cores: wait for them rather than compete. The SQL
  # is checked against DATABASE_URL when it is set, else against .sqlx/.
  (cd "$ROOT" && flock /tmp/cargo.lock cargo build --release --locked --quiet)
  BIN=$ROOT/target/release/chibo
  # The server runs its own private cluster in $DATA, never a DATABASE_URL of the shell's.
  unset DATABASE_URL
}

WORK=$(mktemp -d /tmp/chibo-faults.XXXXXX)
chmod 755 "$WORK"
DATA=$WORK/data
SERVER=""
cleanup() {
  set +e
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null
  fi
  # A postmaster left by a kill -9 of chibo stops by itself (parent-death signal); wait for it.
  for _ in $(seq 50); do postgres_pids | grep -q . || break; sleep 0.1; done
  # The server's log is what explains a 5xx: kept beside the results.
  [ -f "$WORK/serve.log" ] && grep -E "WARN|ERROR" "$WORK/serve.log" | tail -200 >"$ROOT/bench/last-serve-warnings.txt"
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts chibo on $DATA in the background (log appended to $WORK/serve.log), waits until ready.
start_server() {
  # Every simulated user signs in from 127.0.0.1: the per-address sign-in limit (10 at once,
  # then one every 6 s) would answer them 429; the bench measures the server, not the limit.
  "$BIN" --data-dir "$DATA" serve --no-demo --addr "127.0.0.1:$PORT" \
    --login-burst "${LOGIN_BURST:-100000}" --login-every 1 >>"$WORK/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 300); do
    curl -sf "$BASE/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "chibo did not become ready; log:" >&2; tail -20 "$WORK/serve.log" >&2; exit 1
}

seed_demo() {
  "$BIN" --data-dir "$DATA" seed-demo --demo-password "$PW" >/dev/null
}

sql() { psql -X -qtA -h "$(socket_dir)" -U app -d chibo -c "$1"; }
socket_dir() { echo "$DATA"; }
postmaster_pid() { head -1 "$DATA/postmaster.pid" 2>/dev/null; }
postgres_pids() { pgrep -f "postgres -D $DATA" || true; }
rss_kb() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' '; }

# Signs `user` in; prints the Cookie header value.
login() {
  curl -s -o /dev/null -c "$WORK/jar-$1" -H "Origin: $BASE" -d "username=$1&password=$PW" "$BASE/login"
  awk '$6 == "chibo_session" { print "chibo_session=" $7 }' "$WORK/jar-$1"
}

# Plans this month's regular meeting of bithu's branch (the demo leaves it to plan); sets
# BRANCH, MEETING and MEMBERS (those expected to attend).
plan_meeting() {
  BITHU=$(login bithu)
  BRANCH=$(sql "SELECT unit_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'bithu'")
  local month; month=$(date +%Y-%m)
  curl -s -o /dev/null -H "Cookie: $BITHU" -H "Origin: $BASE" \
    -d "kind=regular&month=$month" "$BASE/meetings/new?unit=$BRANCH"
  MEETING=$(sql "SELECT id FROM meetings WHERE unit_id = '$BRANCH' AND month = date_trunc('month', now())::date AND state = 'planned' LIMIT 1")
  [ -n "$MEETING" ] || { echo "no planned meeting for $BRANCH" >&2; exit 1; }
  SCORED=$(sql "SELECT id FROM meetings WHERE unit_id = '$BRANCH' AND state = 'closed' ORDER BY month DESC LIMIT 1")
  mapfile -t MEMBERS < <(sql "SELECT member_id FROM attendance WHERE meeting_id = '$MEETING' AND category = 'expected' ORDER BY member_id")
}

# One attendance tick; prints the HTTP status (303: acknowledged).
tick() { # member presence
  curl -s -o /dev/null -m 10 -w '%{http_code}' -H "Cookie: $BITHU" -H "Origin: $BASE" \
    -d "presence=$2&reason=" "$BASE/meetings/$MEETING/attendance/$1"
}
