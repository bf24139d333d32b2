#!/usr/bin/env bash
# Python suite: checks the generated models against testdata/models.schema.json, builds the
# package and the dintero-emulator distribution (debug) into bindings-python/.venv, lints them
# (ruff, mypy --strict, stubtest, clippy), runs the tests (testing.Emulator starts the
# dintero-emulator program of that distribution), runs the examples, and checks that
# `pip install ./bindings-python` works. Unattended and idempotent; exits non-zero on failure.
# The wheels users install are built and tried in a clean room by scripts/python-dist.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$SECONDS
step() { echo "== python: $* ($((SECONDS - start)) s)"; }

source scripts/cargo-env.sh
# --- system prerequisites and the dev venv
source scripts/python-env.sh bindings-python/requirements-dev.txt

# --- the generated models, request types and client stub match the core's schema
step "gen-models --check"
"$venv/bin/python" scripts/gen-models.py --check

# --- build (debug) and install editable into the venv: the SDK, and the emulator distribution
# that its `testing` extra brings (the `dintero-emulator` program plus `dintero_emulator`)
step "maturin develop"
(cd bindings-python && "$root/$venv/bin/maturin" develop --quiet </dev/null)
(cd emulator/python && VIRTUAL_ENV="$root/$venv" "$root/$venv/bin/maturin" develop --quiet </dev/null)
# The `testing` extra pins the emulator at the workspace's version.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
grep -q "^testing = \[\"dintero-emulator==$version\"\]$" bindings-python/pyproject.toml || {
    echo "bindings-python/pyproject.toml: the testing extra must pin dintero-emulator==$version"; exit 1; }

# --- lint: Rust side of the binding, then ruff, mypy --strict, stubs vs the compiled module
step "lint"
cargo fmt -p dintero-checkout-python -- --check
cargo clippy -q -p dintero-checkout-python --all-targets -- -D warnings
ruff_cfg=bindings-python/pyproject.toml
"$venv/bin/ruff" check --no-cache --config "$ruff_cfg" bindings-python/python bindings-python/tests bindings-python/bench examples/python emulator/python scripts/clean-room
"$venv/bin/ruff" format --no-cache --config "$ruff_cfg" --check bindings-python/python bindings-python/tests bindings-python/bench examples/python emulator/python scripts/clean-room
(cd bindings-python && "$py" -m mypy --strict python/dintero_checkout ../emulator/python/python/dintero_emulator)
(cd bindings-python/tests && "$py" -m mypy --strict . ../../examples/python ../bench ../../scripts/clean-room)
(cd bindings-python && "$py" -m mypy.stubtest dintero_checkout)

# --- tests. One run: testing.Emulator is now the dintero-emulator program driven over HTTP,
# which is what the former second run (against a standalone process) tried.
step "pytest"
(cd bindings-python && "$py" -m pytest -q -p no:cacheprovider tests)

# --- examples (against the emulator: no credentials in CI)
step "examples"
(unset DINTERO_ACCOUNT_ID DINTERO_CLIENT_ID DINTERO_CLIENT_SECRET; "$py" examples/python/checkout.py)
"$py" examples/python/checkout_async.py

# --- `pip install ./bindings-python` (PEP 517 through maturin) into a throwaway venv.
# MATURIN_PEP517_ARGS="--profile dev" makes it reuse the debug build above instead of a
# release build from scratch; the wheel is otherwise exactly what a user gets.
step "pip install ./bindings-python"
scratch=$(mktemp -d)
python3 -m venv "$scratch/venv"
MATURIN_PEP517_ARGS="--profile dev" "$scratch/venv/bin/python" -m pip install -q ./bindings-python </dev/null
# No `testing` extra here (no index to fetch it from): the dev venv's emulator program.
(cd "$scratch" && DINTERO_EMULATOR_BIN="$("$py" -c 'import dintero_emulator; print(dintero_emulator.binary_path())')" \
    "$scratch/venv/bin/python" -c '
import dintero_checkout, dintero_checkout.testing as t
assert dintero_checkout.__file__.startswith("'"$scratch"'"), dintero_checkout.__file__
with t.Emulator() as emu:
    c = emu.client(); c.authenticate(); assert c.token_requests == 1
print("installed", dintero_checkout.__version__, "from", dintero_checkout.__file__)
')
rm -rf "$scratch"

# --- the framework shop examples (FastAPI, Django, Flask): checkout, callback, ship, return,
# each through its framework's test client against the in-process emulator
step "examples: framework shops"
for shop in shop_fastapi shop_django shop_flask; do
    (unset DINTERO_ACCOUNT_ID DINTERO_CLIENT_ID DINTERO_CLIENT_SECRET; "$py" "examples/python/$shop.py" --self-test)
done

echo "python suite: $((SECONDS - start)) s"
