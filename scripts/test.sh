#!/usr/bin/env bash
# The test command: installs what the tests need if it is missing, then runs every test
# (unit tests, and the integration tests against a private Postgres cluster, the real
# router on a real port, and a real headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Build from the committed query metadata (.sqlx/), never from a developer's database.
SQLX_OFFLINE=true exec cargo test --locked "$@"
