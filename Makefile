# make test  — every test suite in every language, installing what it needs (CI runs this).
# make bench — every benchmark (prints figures; never part of `make test`).
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

SUITES := rust python node uniffi

.PHONY: test bench meta-test rust-test python-test node-test uniffi-test web-test lint emulator dist \
        rust-bench python-bench node-bench uniffi-bench

test: meta-test rust-test python-test node-test uniffi-test web-test
	@echo "make test: all suites passed"

# One version in every manifest, and the release workflows' syntax (actionlint).
meta-test:
	bash scripts/meta-test.sh

# Rust: formatting, clippy, the core and emulator tests, the Rust example.
rust-test:
	bash scripts/rust-test.sh

python-test:
	bash scripts/python-test.sh

node-test:
	bash scripts/node-test.sh

uniffi-test:
	bash scripts/uniffi-test.sh

# Dintero's Web SDK against the emulator's checkout in Chromium, and the examples/web shop.
web-test:
	bash scripts/web-test.sh

# The packages a user installs, each tried in a clean room (no Rust toolchain on PATH): Python
# wheels and sdist, npm packages, the crates and the MSRV, the Maven jar with its natives, a new
# SwiftPM package. CI runs it after `make test` (.ci/run).
dist:
	bash scripts/python-dist.sh
	bash scripts/node-dist.sh
	bash scripts/jvm-swift-rust-dist.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

# Start a local Dintero on http://127.0.0.1:8400 (Ctrl-C to stop).
emulator:
	cargo run -p dintero-emulator -- --listen 127.0.0.1:8400

bench: rust-bench python-bench node-bench uniffi-bench

rust-bench:
	cargo bench -p dintero-emulator --bench get_transaction
	cargo bench -p dintero-checkout --bench overhead

python-bench:
	bash scripts/python-bench.sh

node-bench:
	bash scripts/node-bench.sh

uniffi-bench:
	bash scripts/kotlin-bench.sh
	bash scripts/swift-bench.sh
