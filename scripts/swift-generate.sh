#!/usr/bin/env bash
# Generates the Swift sources of bindings-swift from the compiled Rust library (never committed):
#   Sources/DinteroCheckout/Generated/DinteroCheckout.swift
#   Sources/DinteroCheckoutFFI/{DinteroCheckoutFFI.h,module.modulemap}
# Needs: cargo build -p dintero-checkout-uniffi -p uniffi-bindgen (debug) first.
set -euo pipefail
cd "$(dirname "$0")/.."
LIBDIR=${UNIFFI_LIBDIR:-target/x86_64-unknown-linux-gnu/debug}
PKG=bindings-swift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$LIBDIR/uniffi-bindgen" generate --library "$LIBDIR/libdintero_checkout_uniffi.so" \
    --language swift --out-dir "$tmp" --no-format >/dev/null

mkdir -p "$PKG/Sources/DinteroCheckout/Generated" "$PKG/Sources/DinteroCheckoutFFI"
cp "$tmp/DinteroCheckout.swift" "$PKG/Sources/DinteroCheckout/Generated/DinteroCheckout.swift"
cp "$tmp/DinteroCheckoutFFI.h" "$PKG/Sources/DinteroCheckoutFFI/DinteroCheckoutFFI.h"
# Our own module map: uniffi's names Darwin modules that do not exist on Linux, and this one
# also links the Rust library.
cat >"$PKG/Sources/DinteroCheckoutFFI/module.modulemap" <<'EOF'
module DinteroCheckoutFFI {
    header "DinteroCheckoutFFI.h"
    link "dintero_checkout_uniffi"
    export *
}
EOF
echo "swift-generate: $PKG/Sources regenerated"
