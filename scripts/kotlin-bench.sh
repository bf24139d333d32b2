#!/usr/bin/env bash
# Kotlin benchmark: FFI round-trip cost and HTTP call latency through the uniffi binding, against
# a release emulator with a release build of the library. Prints figures; asserts nothing.
# Needs what scripts/uniffi-test.sh installs (JDK, Maven).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cargo-env.sh
LIBDIR=$RELEASE_DIR
cargo build -q --release -p dintero-checkout-uniffi -p uniffi-bindgen -p dintero-emulator

emu_out=$(mktemp)
"$LIBDIR/dintero-emulator" --listen 127.0.0.1:0 --quiet >"$emu_out" 2>&1 &
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null || true; wait $emu_pid 2>/dev/null || true; rm -f "$emu_out"' EXIT
for _ in $(seq 100); do grep -q '^base_url=' "$emu_out" && break; sleep 0.1; done
export DINTERO_EMULATOR_URL=$(sed -n 's/^base_url=//p' "$emu_out")

mvn=(mvn -B -q -Dstyle.color=never -f bindings-kotlin/pom.xml "-Duniffi.libdir=$LIBDIR")
"${mvn[@]}" test-compile 2>&1 | sed 's/\x1b\[0m//g'
"${mvn[@]}" exec:exec@bench 2>&1 | sed 's/\x1b\[0m//g'
