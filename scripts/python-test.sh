#!/usr/bin/env bash
# Python suite: checks the generated models against testdata/models.schema.json, builds the
# package (debug) into bindings-python/.venv, lints it (ruff, mypy --strict, stubtest, clippy), runs the tests against the in-process emulator and then against
# the standalone dintero-emulator process, runs the examples, and checks that
# `pip install ./bindings-python` works. Unattended and idempotent; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$SECONDS
step() { echo "== python: $* ($((SECONDS - start)) s)"; }

source scripts/cargo-env.sh
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
venv=bindings-python/.venv

# --- system prerequisites (Debian): python3 with venv, CA certificates for rustls
need_apt=()
python3 -c 'import ensurepip, venv' 2>/dev/null || need_apt+=(python3-venv python3-pip)
[ -s /etc/ssl/certs/ca-certificates.crt ] || need_apt+=(ca-certificates)
if [ ${#need_apt[@]} -gt 0 ]; then
    step "apt-get install ${need_apt[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" </dev/null
fi

# --- the dev venv (re-installed only when requirements-dev.txt changes)
step "venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
stamp="$venv/.requirements.sha256"
want=$(sha256sum bindings-python/requirements-dev.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q -r bindings-python/requirements-dev.txt
    echo "$want" >"$stamp"
fi
py="$root/$venv/bin/python"

# --- the generated models, request types and client stub match the core's schema
step "gen-models --check"
"$venv/bin/python" scripts/gen-models.py --check

# --- build (debug) and install editable into the venv
step "maturin develop"
(cd bindings-python && "$root/$venv/bin/maturin" develop --quiet </dev/null)

# --- lint: Rust side of the binding, then ruff, mypy --strict, stubs vs the compiled module
step "lint"
cargo fmt -p dintero-checkout-python -- --check
cargo clippy -q -p dintero-checkout-python --all-targets -- -D warnings
ruff_cfg=bindings-python/pyproject.toml
"$venv/bin/ruff" check --no-cache --config "$ruff_cfg" bindings-python/python bindings-python/tests bindings-python/bench examples/python
"$venv/bin/ruff" format --no-cache --config "$ruff_cfg" --check bindings-python/python bindings-python/tests bindings-python/bench examples/python
(cd bindings-python && "$py" -m mypy --strict python/dintero_checkout)
(cd bindings-python/tests && "$py" -m mypy --strict . ../../examples/python ../bench)
(cd bindings-python && "$py" -m mypy.stubtest dintero_checkout)

# --- tests against the package's own in-process emulator
step "pytest (in-process emulator)"
(cd bindings-python && "$py" -m pytest -q -p no:cacheprovider tests)

# --- the same tests once against the standalone emulator process
step "pytest (standalone dintero-emulator)"
cargo build -q -p dintero-emulator
emu_log=$(mktemp)
"$DEBUG_DIR/dintero-emulator" --listen 127.0.0.1:0 --quiet \
    --callback-retry-ms 10 --card-timeout-ms 200 >"$emu_log" 2>&1 </dev/null &
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null || true; rm -f "$emu_log"' EXIT
for _ in $(seq 1 100); do grep -q '^client_secret=' "$emu_log" && break; sleep 0.1; done
emu_value() { sed -n "s/^$1=//p" "$emu_log" | head -n1; }
base_url=$(emu_value base_url)
[ -n "$base_url" ] || { echo "dintero-emulator did not start:"; cat "$emu_log"; exit 1; }
(cd bindings-python && DINTERO_EMULATOR_URL="$base_url" \
    DINTERO_EMULATOR_ACCOUNT_ID="$(emu_value account_id)" \
    DINTERO_EMULATOR_CLIENT_ID="$(emu_value client_id)" \
    DINTERO_EMULATOR_CLIENT_SECRET="$(emu_value client_secret)" \
    "$py" -m pytest -q -p no:cacheprovider tests)
kill "$emu_pid" && wait "$emu_pid" 2>/dev/null || true
trap - EXIT
rm -f "$emu_log"

# --- examples (against the built-in emulator: no credentials in CI)
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
(cd "$scratch" && "$scratch/venv/bin/python" -c '
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
