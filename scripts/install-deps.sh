#!/usr/bin/env bash
# Installs what the tests need beyond the Rust toolchain, when it is missing:
# PostgreSQL's server binaries (the private test cluster), Chromium and chromedriver (the
# browser tests), Liberation fonts (Times New Roman's metric twin, for the printed documents)
# and poppler's pdftotext and pdftoppm (the browser tests read the printed PDFs). Uses apt-get as root, or through sudo when that needs no password.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
[ -e /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)

# The W3C Nu validator (vnu.jar) and axe-core, from the npm registry, into target/test-tools
# (the validity and accessibility tests read them there).
tools() {
  local dir=target/test-tools
  [ -f "$dir/vnu.jar" ] && [ -f "$dir/axe.min.js" ] && return 0
  command -v npm >/dev/null 2>&1 || return 0
  mkdir -p "$dir"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent vnu-jar@26 axe-core@4 >/dev/null) || { echo "npm could not fetch vnu-jar and axe-core" >&2; rm -rf "$tmp"; return 0; }
  tar -xzf "$tmp"/vnu-jar-*.tgz -C "$tmp" package/build/dist/vnu.jar && mv "$tmp/package/build/dist/vnu.jar" "$dir/vnu.jar"
  tar -xzf "$tmp"/axe-core-*.tgz -C "$tmp" package/axe.min.js && mv "$tmp/package/axe.min.js" "$dir/axe.min.js"
  rm -rf "$tmp"
}
trap tools EXIT
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  # Without Postgres no test can run; without Chromium only the browser test is skipped.
  case " ${need[*]} " in *" postgresql "*) exit 1 ;; *) exit 0 ;; esac
fi
echo "Installing ${need[*]} ..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
