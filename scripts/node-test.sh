#!/usr/bin/env bash
# Node suite: installs what it needs (unattended, idempotent), checks that ts/models.ts is
# what testdata/models.schema.json generates, builds the napi addon (debug) and the package,
# checks the committed index.d.ts / index.js against a fresh generation, lints the binding
# crate, type-checks tests and examples with tsc --strict, runs every test with `node --test`
# (against the emulator binary, built here, which the package's testing module starts as a
# child process and drives over real HTTP), then runs the examples. Exits non-zero on any
# failure. The release packages and their clean-room install are scripts/node-dist.sh.
#
#   bash scripts/node-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$SECONDS
log() { echo "node-test: $*" >&2; }

# --- toolchain ---------------------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_install() {
    if [ -z "$apt_updated" ]; then apt-get update -qq </dev/null; apt_updated=1; fi
    apt-get install -y -qq --no-install-recommends "$@" </dev/null
}
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 18 ] || ! command -v npm >/dev/null; then
    log "installing Node.js and npm from Debian"
    apt_install nodejs npm
fi
# reqwest with rustls needs the system CA store to start, even for plain http.
[ -s /etc/ssl/certs/ca-certificates.crt ] || apt_install ca-certificates
command -v cargo >/dev/null || { log "cargo is missing (rustup is part of the machine)"; exit 1; }

source scripts/cargo-env.sh
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

source scripts/clean-room/node_lib.sh

# --- build ---------------------------------------------------------------------------------------
# The emulator is not in the addon: the testing module runs this binary (debug).
log "the emulator binary (debug)"
cargo build -q -p dintero-emulator --bin dintero-emulator
export DINTERO_EMULATOR_BIN="$DEBUG_DIR/dintero-emulator"

npm_ci "$ROOT/bindings-node"
cd "$ROOT/bindings-node"

# The committed generated files, to compare with a fresh generation.
committed=$(mktemp -d)
trap 'rm -rf "$committed"' EXIT
for f in index.d.ts index.js; do
    if [ -f "$f" ]; then cp "$f" "$committed/$f"; else : >"$committed/$f"; fi
done

log "ts/models.ts against testdata/models.schema.json"
node scripts/gen-models.mjs --check

log "napi build (debug)"
npx napi build --platform
npx tsc -p tsconfig.json

drift=0
for f in index.d.ts index.js; do
    if ! diff -u "$committed/$f" "$f" >"$committed/$f.diff"; then
        log "$f is out of date: the napi build generated something else. Commit the regenerated file:"
        cat "$committed/$f.diff" >&2
        drift=1
    fi
done
[ "$drift" = 0 ] || exit 1

log "rustfmt and clippy on the binding crate"
(cd "$ROOT" && cargo fmt -p dintero-checkout-node -- --check)
(cd "$ROOT" && cargo clippy -q -p dintero-checkout-node -- -D warnings)

# --- type checks -------------------------------------------------------------------------------------
npm_ci "$ROOT/examples/node"
log "tsc --strict: tests (compiled to build-test/) and examples (--noEmit)"
rm -rf build-test
npx tsc -p test/tsconfig.json
npx tsc -p "$ROOT/examples/node/tsconfig.json"

# --- tests ---------------------------------------------------------------------------------------------
# The panic test panics on purpose; one line of message is enough.
RUST_BACKTRACE=0 node --test build-test/test/*.test.js

# --- examples --------------------------------------------------------------------------------------------
cd "$ROOT/examples/node"
log "example: checkout.mjs"
RUST_BACKTRACE=0 node checkout.mjs
log "example: checkout.ts (compiled by tsc)"
rm -rf build
npx tsc -p tsconfig.build.json
RUST_BACKTRACE=0 node build/checkout.js

# --- framework shops (issue 14): Express, Fastify, Web Request, each against its own emulator ---
for shop in shop_express shop_fastify shop_web; do
    log "example: $shop.mjs"
    RUST_BACKTRACE=0 node "$shop.mjs"
done

echo "node suite: $((SECONDS - start)) s"
