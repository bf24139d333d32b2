#!/usr/bin/env bash
# Browser suite: Dintero's Web SDK (@dintero/checkout-web-sdk, pinned in web-test/package.json)
# embeds and redirects to the emulator's hosted checkout in Debian's Chromium, driven by
# puppeteer-core, the examples/web shop (our Node package + the Web SDK) runs end to end, and the
# emulator's dashboard (/_emulator/ui) is driven, also after the Rust example ran against it. Installs what it needs
# (chromium from apt, npm ci), builds the emulator binary, runs every test, and prints where
# the screenshots are. Exits non-zero on any failure.
#
#   bash scripts/web-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$SECONDS
log() { echo "web-test: $*" >&2; }

# --- toolchain -----------------------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_install() {
    if [ -z "$apt_updated" ]; then apt-get update -qq </dev/null; apt_updated=1; fi
    apt-get install -y -qq --no-install-recommends "$@" </dev/null
}
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null; then
    log "installing Node.js and npm from Debian"
    apt_install nodejs npm
fi
if [ ! -x /usr/bin/chromium ]; then
    log "installing chromium from Debian"
    apt_install chromium
fi
[ -s /etc/ssl/certs/ca-certificates.crt ] || apt_install ca-certificates
command -v cargo >/dev/null || { log "cargo is missing (rustup is part of the machine)"; exit 1; }
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# npm ci, skipped when node_modules already matches the lockfile.
npm_ci() {
    local dir=$1 stamp sum
    stamp="$dir/node_modules/.dintero-lock-sha256"
    sum=$(cat "$dir/package-lock.json" "$dir/package.json" | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return 0; fi
    log "npm ci in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" >"$stamp"
}

# --- build ---------------------------------------------------------------------------------------
source "$ROOT/scripts/cargo-env.sh"
log "the emulator binary (debug)"
cargo build -q -p dintero-emulator --bin dintero-emulator
export DINTERO_EMULATOR_BIN="$DEBUG_DIR/dintero-emulator"
# The Rust example, run against that emulator by test/dashboard-example.test.mjs.
log "the Rust example (debug)"
cargo build -q -p dintero-checkout --example checkout
export DINTERO_EXAMPLE_BIN="$DEBUG_DIR/examples/checkout"
npm_ci "$ROOT/web-test"

# examples/web runs on the Node package (napi addon, debug), built here unless fresh.
npm_ci "$ROOT/bindings-node"
log "the Node package (napi build, debug) for examples/web"
(cd "$ROOT/bindings-node" && npx napi build --platform >/dev/null && npx tsc -p tsconfig.json)
npm_ci "$ROOT/examples/web"

# --- tests ---------------------------------------------------------------------------------------
export WEB_TEST_ARTIFACTS="$ROOT/web-test/artifacts"
rm -rf "$WEB_TEST_ARTIFACTS"
mkdir -p "$WEB_TEST_ARTIFACTS"
cd "$ROOT/web-test"
node --test --test-concurrency=1 test/

echo "web-test: screenshots in $WEB_TEST_ARTIFACTS"
echo "web suite: $((SECONDS - start)) s"
