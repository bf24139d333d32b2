#!/usr/bin/env bash
# Rust suite: format, lint, tests of the core and the emulator, and the Rust example.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cargo-env.sh
start=$SECONDS
cargo fmt --all -- --check
# Lint the crates that build without a foreign toolchain here; the bindings lint in their own scripts.
cargo clippy -p dintero-checkout -p dintero-emulator --all-targets -- -D warnings
cargo test -p dintero-checkout -p dintero-emulator
# The core's types, with the FFI derives on, and the schema the Python and TypeScript models
# are generated from (fails when testdata/models.schema.json is stale).
cargo clippy -p dintero-checkout --features uniffi,schema --all-targets -- -D warnings
cargo test -p dintero-checkout --features schema --test schema
cargo run -q --example checkout
echo "rust suite: $((SECONDS - start)) s"
