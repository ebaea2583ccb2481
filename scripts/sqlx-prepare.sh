#!/usr/bin/env bash
# Regenerates .sqlx/, the query metadata that lets `cargo build` check SQL without a database.
#   scripts/sqlx-prepare.sh           rewrite .sqlx/ from the migrations
#   scripts/sqlx-prepare.sh --check   fail if the committed .sqlx/ is not current (CI)
# It starts a throw-away Postgres cluster, applies migrations/*.sql with psql, and lets the
# sqlx macros write their metadata (SQLX_OFFLINE_DIR) while clippy (warnings as errors)
# recompiles the crate.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-write}

PGBIN=${PG_BIN_DIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PGBIN/postgres" ] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; exit 1; }

tmp=$(mktemp -d /tmp/chibo-sqlx.XXXXXX)
chmod 755 "$tmp"
mkdir "$tmp/pg"
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$tmp/pg"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$tmp/pg" -U app --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$tmp/pg" -w -l "$tmp/pg/log" \
  -o "-c listen_addresses='' -c unix_socket_directories=$tmp/pg -c fsync=off" start >/dev/null
url="postgres://app@localhost/postgres?host=$tmp/pg"
for f in migrations/*.sql; do
  psql -q -X -v ON_ERROR_STOP=1 -h "$tmp/pg" -U app -d postgres -f "$f" >/dev/null
done

out="$tmp/sqlx"
mkdir "$out"
touch src/lib.rs   # make the macros run again
DATABASE_URL="$url" SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$out" \
  cargo clippy --all-targets --locked --quiet -- -D warnings

if [ "$mode" = "--check" ]; then
  if ! diff -r .sqlx "$out" >/dev/null 2>&1; then
    echo "The committed .sqlx/ is out of date: run scripts/sqlx-prepare.sh and commit .sqlx/." >&2
    diff -r .sqlx "$out" | head -n 20 >&2 || true
    exit 1
  fi
  echo ".sqlx/ is current ($(ls "$out" | wc -l) queries)."
else
  rm -rf .sqlx
  cp -r "$out" .sqlx
  echo "Wrote .sqlx/ ($(ls .sqlx | wc -l) queries)."
fi
