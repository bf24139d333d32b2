#!/usr/bin/env bash
# Swift benchmark: FFI round-trip cost and HTTP call latency through the uniffi binding, against
# a release emulator with a release build of the library (in the Swift chroot). Prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cargo-env.sh
REL=target/$CARGO_BUILD_TARGET/release
bash scripts/swift-setup.sh >/dev/null
cargo build -q --release -p dintero-checkout-uniffi -p uniffi-bindgen -p dintero-emulator
UNIFFI_LIBDIR=$REL bash scripts/swift-generate.sh

emu_out=$(mktemp)
"$REL/dintero-emulator" --listen 127.0.0.1:0 --quiet >"$emu_out" 2>&1 &
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null || true; wait $emu_pid 2>/dev/null || true; rm -f "$emu_out"' EXIT
for _ in $(seq 100); do grep -q '^base_url=' "$emu_out" && break; sleep 0.1; done
export DINTERO_EMULATOR_URL=$(sed -n 's/^base_url=//p' "$emu_out")

L=/work-repo/$REL
bash scripts/swift-chroot.sh bindings-swift/Benchmarks swift run -q -c release \
    --scratch-path /work-repo/bindings-swift/.build/bench \
    -Xlinker "-L$L" -Xlinker -rpath -Xlinker "$L" DinteroBench 2>&1 | sed '/^\[[0-9]*\/[0-9]*\]/d'
