#!/usr/bin/env bash
# Python distribution (`make dist`): builds the wheels a user installs and tries them in a
# clean room. Unattended and idempotent; exits non-zero on failure.
#
# 1. Wheels, release, manylinux2014 (glibc >= 2.17) through zig, for x86_64 and aarch64 Linux:
#    `dintero-checkout` (abi3, CPython >= 3.9; no emulator inside) and `dintero-emulator` (the
#    emulator program plus the `dintero_emulator` module; what the `testing` extra brings).
#    `auditwheel show` must report manylinux_2_17 for each; the aarch64 ones (which cannot run
#    here) are checked by tag and ELF machine. Prints each wheel's size and build time.
# 2. The sdist of `dintero-checkout`, and a wheel built from it with `pip wheel`.
# 3. Clean room: a venv from the system python3 with no cargo, rustc or rustup on PATH;
#    `pip install --no-index "dintero-checkout[testing]"` from the built wheels, then
#    scripts/clean-room/python_smoke.py (the README quickstart and a callback verification
#    against the installed emulator). Then `pip install --no-index dintero-checkout` alone
#    must not bring the emulator, and the production wheels must hold no emulator code.
#
# Output: $TARGET_ROOT/python-dist/{wheels,sdist}. DIST_TARGETS overrides the target list.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$SECONDS
step() { echo "== python-dist: $* ($((SECONDS - start)) s)"; }
fail() { echo "python-dist: FAILED: $*" >&2; exit 1; }

source scripts/cargo-env.sh
# --- system prerequisites, and the dev venv with zig and auditwheel (requirements-dist.txt)
source scripts/python-env.sh bindings-python/requirements-dev.txt bindings-python/requirements-dist.txt
sys_python=/usr/bin/python3
[ -x "$sys_python" ] || sys_python=$(command -v python3)
export PATH="$root/$venv/bin:$PATH" # maturin, auditwheel, and python -m ziglang for maturin --zig

read -r -a targets <<<"${DIST_TARGETS:-x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu}"
for t in "${targets[@]}"; do
    rustup target list --installed | grep -qx "$t" || { step "rustup target add $t"; rustup target add "$t"; }
done

dist=$TARGET_ROOT/python-dist
rm -rf "$dist"
mkdir -p "$dist/wheels" "$dist/sdist"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
size() { echo "$(($(stat -c %s "$1") / 1024)) KiB"; }
report=()

# --- 1. wheels
# $1 project dir, $2 target, $3 wheel name prefix, $4 expected python/abi tag
build_wheel() {
    local project=$1 target=$2 prefix=$3 pytag=$4 arch=${2%%-*} t0=$SECONDS whl
    step "maturin build $project ($target)"
    (cd "$project" && maturin build --release --zig --compatibility manylinux2014 --target "$target" \
        --out "$dist/wheels" </dev/null)
    # maturin names the tags in either order (manylinux2014_* and manylinux_2_17_*)
    whl=$(ls "$dist/wheels/$prefix-$version-$pytag-"*.whl 2>/dev/null | grep -E "[-.]manylinux2014_$arch[.]" |
        grep -E "[-.]manylinux_2_17_$arch[.]" | head -n1 || true)
    [ -n "$whl" ] || fail "no $prefix $pytag manylinux2014/manylinux_2_17 $arch wheel; built: $(ls "$dist/wheels")"
    auditwheel show "$whl" | tr -s ' \n' ' ' | grep -q "platform tag: \"manylinux_2_17_$arch\"" ||
        { auditwheel show "$whl"; fail "auditwheel does not report manylinux_2_17_$arch for $whl"; }
    report+=("$(basename "$whl"): $(size "$whl"), built in $((SECONDS - t0)) s, auditwheel: manylinux_2_17_$arch")
}

# The ELF machine of every native file in a wheel must be the wheel's architecture.
check_machine() {
    local whl=$1 want=$2 tmp
    tmp=$(mktemp -d)
    "$py" -m zipfile -e "$whl" "$tmp"
    local found=0
    while IFS= read -r -d '' f; do
        if [ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then
            found=1
            readelf -h "$f" | grep -q "Machine: *$want" || fail "$f in $(basename "$whl") is not $want"
        fi
    done < <(find "$tmp" -type f -print0)
    rm -rf "$tmp"
    [ "$found" = 1 ] || fail "no native file in $(basename "$whl")"
}

for target in "${targets[@]}"; do
    build_wheel bindings-python "$target" dintero_checkout cp39-abi3
    build_wheel emulator/python "$target" dintero_emulator py3-none
done
for whl in "$dist"/wheels/*.whl; do
    case $whl in
        *_x86_64.whl) check_machine "$whl" "Advanced Micro Devices X86-64" ;;
        *_aarch64.whl) check_machine "$whl" "AArch64" ;;
        *) fail "unexpected wheel $whl" ;;
    esac
done

# --- 2. the sdist, and a wheel built from it. The sdist is unpacked and its Rust sources
# touched, so cargo compiles the crates from what the sdist holds (not from artifacts of this
# checkout); the debug profile and this target directory spare a cold release build of the
# registry dependencies.
step "sdist"
(cd bindings-python && maturin sdist --out "$dist/sdist" </dev/null)
sdist=$dist/sdist/dintero_checkout-$version.tar.gz
[ -f "$sdist" ] || fail "expected $sdist"
report+=("$(basename "$sdist"): $(size "$sdist")")
step "pip wheel from the sdist"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/sdist"
tar -xzf "$sdist" -C "$scratch/sdist"
find "$scratch/sdist" -name '*.rs' -exec touch {} +
CARGO_TARGET_DIR=$TARGET_ROOT MATURIN_PEP517_ARGS="--profile dev" \
    "$py" -m pip wheel -q --no-deps --no-build-isolation -w "$scratch/from-sdist" \
    "$scratch/sdist/dintero_checkout-$version" </dev/null
ls "$scratch"/from-sdist/dintero_checkout-"$version"-*.whl >/dev/null || fail "no wheel from the sdist"
report+=("wheel from the sdist: $(basename "$scratch"/from-sdist/*.whl)")

# --- 3. clean room: the system python3, and a PATH without any Rust toolchain
clean_path=
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
    [ -n "$d" ] && [ "$d" != "$root/$venv/bin" ] || continue
    [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ] && continue
    clean_path=${clean_path:+$clean_path:}$d
done
room=$scratch/room
mkdir -p "$room/home"
clean() { env -i HOME="$room/home" PATH="$1:$clean_path" LANG=C.UTF-8 PIP_CONFIG_FILE=/dev/null "${@:2}"; }
step "clean room (PATH=$clean_path)"
if clean /nonexistent sh -c 'command -v cargo || command -v rustc || command -v rustup'; then
    fail "a Rust toolchain is on the clean room's PATH"
fi
echo "clean room: no cargo, rustc or rustup on PATH"

clean /nonexistent "$sys_python" -m venv "$room/venv"
clean "$room/venv/bin" python -m pip install -q --no-index --only-binary :all: --find-links "$dist/wheels" \
    "dintero-checkout[testing]" </dev/null
clean "$room/venv/bin" python -m pip list --format=freeze | grep -E '^dintero-'
cp scripts/clean-room/python_smoke.py "$room/"
(cd "$room" && clean "$room/venv/bin" python python_smoke.py "$root/bindings-python/README.md" </dev/null)

step "clean room: dintero-checkout alone"
clean /nonexistent "$sys_python" -m venv "$room/prod"
clean "$room/prod/bin" python -m pip install -q --no-index --only-binary :all: --find-links "$dist/wheels" \
    dintero-checkout </dev/null
installed=$(clean "$room/prod/bin" python -m pip list --format=freeze)
echo "$installed" | grep -E '^dintero-'
echo "$installed" | grep -q '^dintero-emulator=' && fail "dintero-checkout alone installed dintero-emulator"
(cd "$room" && clean "$room/prod/bin" python -c '
import importlib.util, shutil, dintero_checkout
from dintero_checkout.testing import sign_callback
assert importlib.util.find_spec("dintero_emulator") is None, "dintero_emulator is importable"
assert shutil.which("dintero-emulator") is None, shutil.which("dintero-emulator")
sign_callback("https://shop.example/cb")  # needs no emulator
try:
    from dintero_checkout.testing import Emulator
    Emulator()
except FileNotFoundError as e:
    assert "dintero-checkout[testing]" in str(e), e
    print("without the testing extra, Emulator() says:", e)
else:
    raise SystemExit("Emulator() started without the dintero-emulator distribution")
' </dev/null)

# No emulator code in the production wheels: no dintero_emulator files, and none of the
# emulator's routes or its HTTP server (axum) in the native module.
for whl in "$dist"/wheels/dintero_checkout-*.whl; do
    files=$("$py" -m zipfile -l "$whl")
    echo "$files" | grep -qi 'emulator' && fail "$(basename "$whl") has emulator files: $(echo "$files" | grep -i emulator)"
    tmp=$(mktemp -d)
    "$py" -m zipfile -e "$whl" "$tmp"
    so=$(find "$tmp" -name '_native*.so')
    hits=$(strings -n 6 "$so" | grep -cE '/_emulator/|axum-[0-9]' || true)
    [ "$hits" = 0 ] || fail "$(basename "$whl"): $hits emulator strings in $(basename "$so")"
    rm -rf "$tmp"
    echo "no emulator code in $(basename "$whl")"
done
echo "== python-dist: wheels in $dist"
printf '  %s\n' "${report[@]}"
echo "  the aarch64 wheels were checked by tag, auditwheel and ELF machine only (they cannot run here)"
echo "python dist: $((SECONDS - start)) s"
