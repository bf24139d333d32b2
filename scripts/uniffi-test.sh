#!/usr/bin/env bash
# Swift and Kotlin suite (uniffi): builds the uniffi crate, generates the bindings, runs the
# Swift XCTest tests and the Kotlin JUnit 5 tests against the emulator, then both examples.
# Installs what it needs (Java + Maven from apt, the Swift chroot via scripts/swift-setup.sh),
# unattended and idempotent. Run from anywhere: bash scripts/uniffi-test.sh
#
# The test suites start their own emulator (the dintero-emulator binary as a child process);
# the examples get one started here, through DINTERO_EMULATOR_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
source scripts/cargo-env.sh
REPO=$PWD
LIBDIR=target/$CARGO_BUILD_TARGET/debug
IN_CHROOT_LIBDIR=/work-repo/$LIBDIR
start=$SECONDS
declare -a timings=()
phase_start=$SECONDS
phase() { timings+=("$1: $((SECONDS - phase_start)) s"); phase_start=$SECONDS; }
say() { echo "== uniffi-test: $*"; }

# --- toolchains --------------------------------------------------------------------------------
if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
    say "installing a JDK and Maven"
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven </dev/null >/dev/null
fi
say "Swift toolchain (chroot)"
bash scripts/swift-setup.sh >/dev/null
phase "toolchain setup (apt, Swift chroot)"

# --- Rust: the uniffi crate, the pinned bindgen, the emulator ------------------------------------
say "cargo build"
cargo build -q -p dintero-checkout-uniffi -p uniffi-bindgen -p dintero-emulator
cargo test -q -p dintero-checkout-uniffi --lib
cargo clippy -q -p dintero-checkout-uniffi -p uniffi-bindgen --all-targets -- -D warnings
phase "cargo build + unit tests + clippy"

# --- an emulator for the examples ----------------------------------------------------------------
emu_out=$(mktemp)
emu_pid=
cleanup() {
    if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
    rm -f "$emu_out"
}
trap cleanup EXIT
"$LIBDIR/dintero-emulator" --listen 127.0.0.1:0 --quiet >"$emu_out" 2>&1 &
emu_pid=$!
for _ in $(seq 100); do
    grep -q '^base_url=' "$emu_out" && break
    kill -0 "$emu_pid" 2>/dev/null || { cat "$emu_out"; exit 1; }
    sleep 0.1
done
DINTERO_EMULATOR_URL=$(sed -n 's/^base_url=//p' "$emu_out")
[ -n "$DINTERO_EMULATOR_URL" ] || { echo "the emulator did not start"; cat "$emu_out"; exit 1; }

# --- Swift -------------------------------------------------------------------------------------
say "Swift: generate + swift test"
bash scripts/swift-generate.sh
link=(-Xlinker "-L$IN_CHROOT_LIBDIR" -Xlinker -rpath -Xlinker "$IN_CHROOT_LIBDIR")
log=$REPO/target/swift-test.log
rc=0
DINTERO_EMULATOR_BIN=$IN_CHROOT_LIBDIR/dintero-emulator \
    bash scripts/swift-chroot.sh bindings-swift swift test --disable-swift-testing "${link[@]}" >"$log" 2>&1 || rc=$?
grep -E "error:|Executed [0-9]+ tests" "$log" | tail -n 12 || true
if [ $rc != 0 ]; then tail -n 60 "$log"; say "Swift tests failed (full log: $log)"; exit 1; fi
phase "Swift tests (build + run)"

say "Swift: example"
DINTERO_EMULATOR_URL=$DINTERO_EMULATOR_URL \
    bash scripts/swift-chroot.sh examples/swift swift run -q --scratch-path /work-repo/bindings-swift/.build/examples \
    "${link[@]}" Checkout 2>&1 | sed '/^\[[0-9]*\/[0-9]*\]/d'
phase "Swift example (build + run)"

# --- Swift shop with the framework-neutral callback receiver (issue 14) ---------------------------
say "Swift: shop example"
DINTERO_EMULATOR_URL=$DINTERO_EMULATOR_URL \
    bash scripts/swift-chroot.sh examples/swift swift run -q --scratch-path /work-repo/bindings-swift/.build/examples \
    "${link[@]}" Shop 2>&1 | sed '/^\[[0-9]*\/[0-9]*\]/d'
phase "Swift shop example"

# --- Kotlin ------------------------------------------------------------------------------------
mvn=(mvn -B -q -Dstyle.color=never -f bindings-kotlin/pom.xml "-Duniffi.libdir=$REPO/$LIBDIR")
say "Kotlin: mvn test"
"${mvn[@]}" test 2>&1 | sed 's/\x1b\[0m//g'
for report in bindings-kotlin/target/surefire-reports/*.txt; do grep -h "Tests run" "$report"; done
phase "Kotlin tests (generate + compile + run)"

say "Kotlin: example"
DINTERO_EMULATOR_URL=$DINTERO_EMULATOR_URL "${mvn[@]}" exec:exec@example 2>&1 | sed 's/\x1b\[0m//g'
phase "Kotlin example"

# --- Ktor receiver (issue 14): its own module over the jar the Kotlin tests just built ------------
# The main jar is packed from target/classes (no second compilation) and installed with its
# test classes (the ktor tests reuse the Emulator helper); then the ktor module's tests, which
# also run the Ktor shop example (examples/ktor).
say "Kotlin: Ktor receiver"
kt_version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1) # one version: scripts/check-versions.py
kt_jar=$REPO/bindings-kotlin/target/dintero-checkout-$kt_version
"${mvn[@]}" jar:jar jar:test-jar
"${mvn[@]}" install:install-file "-Dfile=$kt_jar.jar" "-DpomFile=$REPO/bindings-kotlin/pom.xml"
"${mvn[@]}" install:install-file "-Dfile=$kt_jar-tests.jar" -DgroupId=com.dintero.checkout \
    -DartifactId=dintero-checkout "-Dversion=$kt_version" -Dclassifier=tests -Dpackaging=jar -DgeneratePom=false
mvn -B -q -Dstyle.color=never -f bindings-kotlin/ktor/pom.xml "-Duniffi.libdir=$REPO/$LIBDIR" test 2>&1 | sed 's/\x1b\[0m//g'
for report in bindings-kotlin/ktor/target/surefire-reports/*.txt; do grep -h "Tests run" "$report"; done
phase "Ktor receiver tests + shop example"

printf '   %s\n' "${timings[@]}"
echo "uniffi suite: $((SECONDS - start)) s"
