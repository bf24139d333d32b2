#!/usr/bin/env bash
# Python benchmark: dintero_checkout (release build) vs raw httpx against a standalone
# release emulator process. Prints figures; asserts nothing about them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/cargo-env.sh
venv=bindings-python/.venv

# The venv and its tools come from the test script's setup (idempotent, quick when done).
if [ ! -x "$venv/bin/maturin" ] || ! "$venv/bin/python" -c 'import httpx' 2>/dev/null; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q -r bindings-python/requirements-dev.txt
fi

cargo build -q --release -p dintero-emulator
# Release build of the extension for the benchmark only (the tests use a debug build).
(cd bindings-python && "$root/$venv/bin/maturin" develop --release --quiet </dev/null)

log=$(mktemp)
"$RELEASE_DIR/dintero-emulator" --listen 127.0.0.1:0 --quiet >"$log" 2>&1 </dev/null &
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do grep -q '^base_url=' "$log" && break; sleep 0.1; done
base_url=$(sed -n 's/^base_url=//p' "$log" | head -n1)
[ -n "$base_url" ] || { echo "dintero-emulator did not start:"; cat "$log"; exit 1; }

"$venv/bin/python" bindings-python/bench/bench.py --base-url "$base_url" "$@"
