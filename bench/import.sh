#!/usr/bin/env bash
# Times a member import of ROWS rows (default 5,000, the per-file limit) into one branch:
# upload and check (the preview), then the all-or-nothing commit. Release build, private
# cluster in a temp dir, everything on 127.0.0.1, cleaned up on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${ROWS:-5000}
PORT=${PORT:-18081}
PW=bench-demo-password
cd "$ROOT"
SQLX_OFFLINE=true cargo build --release --locked --quiet
BIN=$ROOT/target/release/chibo
WORK=$(mktemp -d /tmp/chibo-import.XXXXXX)
chmod 755 "$WORK"
SERVER=""
cleanup() {
  set +e
  [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER"
  rm -rf "$WORK"
}
trap cleanup EXIT
CHIBO_DEMO_PASSWORD=$PW "$BIN" --data-dir "$WORK/data" serve --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BRANCH=$(psql -X -qtA -h "$WORK/data" -U app -d chibo -c "SELECT unit_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'bithu'")
python3 - "$ROWS" >"$WORK/members.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("Họ và tên,Giới tính,Ngày sinh,Quê quán,Điện thoại,Số thẻ đảng viên,Ngày kết nạp,Ngày quyết định kết nạp,Ngày công nhận chính thức,Đảng viên")
given = ["An", "Bình", "Cường", "Dũng", "Hà", "Lan", "Mai", "Nam", "Phúc", "Thảo"]
for i in range(n):
    born = 1950 + i % 30
    name = f"Nguyễn {given[(i // 10) % 10]} {given[i % 10]}"
    print(f"{name},Nam,01/01/{born},Kỳ Anh,,{70000000 + i},05/05/{born + 25},,05/05/{born + 26},Chính thức")
PY
curl -s -o /dev/null -c "$WORK/jar" -d "username=bithu&password=$PW" "http://127.0.0.1:$PORT/login"
t0=$(date +%s.%N)
PREVIEW=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$WORK/jar" -F "file=@$WORK/members.csv;filename=members.csv" "http://127.0.0.1:$PORT/units/$BRANCH/members/import")
t1=$(date +%s.%N)
curl -s -o /dev/null -b "$WORK/jar" "$PREVIEW"
t2=$(date +%s.%N)
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" -X POST "$PREVIEW/commit")
t3=$(date +%s.%N)
N=$(psql -X -qtA -h "$WORK/data" -U app -d chibo -c "SELECT count(*) FROM member_events WHERE kind = 'imported'")
printf 'import of %s rows (%s written, commit HTTP %s): upload+parse %.2f s, preview %.2f s, commit %.2f s\n' \
  "$ROWS" "$N" "$STATUS" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)"
