#!/usr/bin/env bash
# How long the backfills of issue 11's migrations take on province-scale data (~2,000
# branches, ~100,000 members, a year of meetings): a release build seeds the province demo,
# then each backfill is run again inside a transaction that is rolled back, after emptying
# what it fills, with psql's \timing. Results in bench/last-backfill.txt.
#
#   bash bench/backfill.sh
#   HISTORY_MONTHS=60 bash bench/backfill.sh   # five years of meetings
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=${RESULTS:-$ROOT/bench/last-backfill.txt}
cd "$ROOT"
SQLX_OFFLINE=true cargo build --release --locked --quiet
BIN=$ROOT/target/release/chibo

WORK=$(mktemp -d /tmp/chibo-backfill.XXXXXX)
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

"$BIN" --data-dir "$WORK/data" seed-demo --extra-towns 10 --history-months "${HISTORY_MONTHS:-12}" --demo-password bench-demo-password >/dev/null
# `serve` keeps the embedded cluster up for psql; no request is made.
"$BIN" --data-dir "$WORK/data" serve --no-demo --addr 127.0.0.1:18099 >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18099/healthz >/dev/null && break; sleep 0.1; done
sql() { psql -X -qtA -h "$WORK/data" -U app -d chibo -c "$1"; }

m=migrations
registry=$(sed -n '/-- backfill:begin/,/-- backfill:end/p' $m/20261202000011_registry_history.sql)
approvals=$(sed -n '/^UPDATE meetings m$/,/WHERE approved_at IS NOT NULL;$/p' $m/20261202000010_approval_freeze.sql)
tree=$(sed -n '/^INSERT INTO unit_versions/,/FROM units;$/p' $m/20261202000015_dated_tree.sql)

{
  echo "chibo backfills $(date -u +%FT%TZ) on $(nproc) cores; $(rustc --version)"
  echo "data: $(sql "SELECT (SELECT count(*) FROM units) || ' units, ' || (SELECT count(*) FROM members) || ' members, ' || (SELECT count(*) FROM member_events) || ' member events, ' || (SELECT count(*) FROM meetings) || ' meetings, ' || (SELECT count(*) FROM evaluations WHERE state = 'approved') || ' approved sheets'")"
  echo
  run() { # label, SQL run inside a rolled-back transaction
    local out
    out=$(psql -X -h "$WORK/data" -U app -d chibo -v ON_ERROR_STOP=1 <<SQL 2>&1
BEGIN;
$2
ROLLBACK;
SQL
)
    echo "== $1"
    # Each timed statement: its tag (with the rows) and its time.
    awk '/^Time:/ { print "   " prev "  " $0 } { prev = $0 }' <<<"$out"
  }
  run "010 approval_freeze: meetings.approved_at from the approved sheets, and their events" \
    "UPDATE meetings SET approved_at = NULL, approved_by = NULL; DELETE FROM meeting_events WHERE kind = 'approved';
\\timing on
$approvals"
  run "011 registry_history: member_states from member_events" \
    "ALTER TABLE member_states DROP CONSTRAINT member_states_no_overlap; DELETE FROM member_states;
\\timing on
$registry
ALTER TABLE member_states ADD CONSTRAINT member_states_no_overlap EXCLUDE USING gist (member_id WITH =, daterange(valid_from, valid_to) WITH &&);"
  run "015 dated_tree: unit_versions from units" \
    "DELETE FROM unit_versions;
\\timing on
$tree"
} | tee "$RESULTS"
