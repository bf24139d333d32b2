#!/usr/bin/env bash
# Generates the Swift sources of bindings-swift from the compiled Rust library (never committed).
# The library holds two uniffi components, the core's types (crate dintero_checkout) and the
# bindings (crate dintero_checkout_uniffi); both go into the one Swift module DinteroCheckout:
#   Sources/DinteroCheckout/Generated/{DinteroCheckoutCore,DinteroCheckout}.swift
#   Sources/DinteroCheckoutFFI/{DinteroCheckoutCoreFFI.h,DinteroCheckoutFFI.h,module.modulemap}
# Needs: cargo build -p dintero-checkout-uniffi -p uniffi-bindgen (debug) first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cargo-env.sh
LIBDIR=${UNIFFI_LIBDIR:-target/$CARGO_BUILD_TARGET/debug}
# The library uniffi reads its metadata from: a debug build (release links may drop it). macOS
# (the release workflow) passes its .dylib.
LIBRARY=${UNIFFI_LIBRARY:-$LIBDIR/libdintero_checkout_uniffi.so}
PKG=bindings-swift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One crate at a time: both are configured with module_name DinteroCheckout, so they would
# write the same DinteroCheckout.swift.
for crate in dintero_checkout dintero_checkout_uniffi; do
    mkdir -p "$tmp/$crate"
    "$LIBDIR/uniffi-bindgen" generate --library "$LIBRARY" \
        --crate "$crate" --language swift --out-dir "$tmp/$crate" --no-format >/dev/null
done

gen=$PKG/Sources/DinteroCheckout/Generated
ffi=$PKG/Sources/DinteroCheckoutFFI
rm -rf "$gen" "$ffi"
mkdir -p "$gen" "$ffi"
# The bindings' file imports the core's module, which is its own module here.
sed '/^import DinteroCheckout$/d' "$tmp/dintero_checkout/DinteroCheckout.swift" >"$gen/DinteroCheckoutCore.swift"
sed '/^import DinteroCheckout$/d' "$tmp/dintero_checkout_uniffi/DinteroCheckout.swift" >"$gen/DinteroCheckout.swift"
cp "$tmp/dintero_checkout/DinteroCheckoutCoreFFI.h" "$tmp/dintero_checkout_uniffi/DinteroCheckoutFFI.h" "$ffi/"
# Our own module map: one C module with both headers (their shared declarations are guarded,
# so they are declared once), linking the Rust library; uniffi's names Darwin modules.
cat >"$ffi/module.modulemap" <<'MAP'
module DinteroCheckoutFFI {
    header "DinteroCheckoutCoreFFI.h"
    header "DinteroCheckoutFFI.h"
    link "dintero_checkout_uniffi"
    export *
}
MAP
echo "swift-generate: $PKG/Sources regenerated"
