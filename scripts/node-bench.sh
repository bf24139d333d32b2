#!/usr/bin/env bash
# Node benchmark: the addon and the emulator built in release, then bench/bench.mjs prints the
# throughput of `transactions.get` and of the full flow at concurrency 64, beside the same raw
# requests made with Node's built-in fetch. A benchmark prints figures; it never fails on them.
#
#   bash scripts/node-bench.sh [--seconds 3] [--rounds 3] [--concurrency 64]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$SECONDS
log() { echo "node-bench: $*" >&2; }

source scripts/cargo-env.sh
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
command -v node >/dev/null || { log "node is missing: run scripts/node-test.sh first (it installs it)"; exit 1; }

cd "$ROOT/bindings-node"
stamp=node_modules/.dintero-lock-sha256
sum=$(cat package-lock.json package.json | sha256sum | cut -d' ' -f1)
if ! [ -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$sum" >"$stamp"
fi

log "release builds: the addon and the emulator"
npx napi build --platform --release
npx tsc -p tsconfig.json
(cd "$ROOT" && cargo build -q --release -p dintero-emulator --bin dintero-emulator)

node bench/bench.mjs --emulator "$RELEASE_DIR/dintero-emulator" "$@"

# Leave the debug addon in place for the tests (a no-op build when it is up to date).
npx napi build --platform >/dev/null 2>&1 || true
echo "node bench: $((SECONDS - start)) s"
