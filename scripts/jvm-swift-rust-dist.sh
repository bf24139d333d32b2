#!/usr/bin/env bash
# Distribution checks for Rust, Kotlin/JVM and Swift (issue 13, points 3-5), for `make dist`:
#
#   1. crates   `cargo publish --dry-run` of dintero-checkout and dintero-emulator (package +
#               build of the packaged crate), `cargo doc` of the core with warnings as errors
#   2. msrv     `cargo check` of the core, the emulator and the uniffi crate with the toolchain
#               named by rust-version (installed with rustup when missing), in target/msrv
#   3. jvm      the uniffi library in release for x86_64 (glibc 2.17) and aarch64 with zig
#               (cargo-zigbuild + ziglang from PyPI, in a venv under target/dist-tools), the jar
#               with both under JNA's resource layout (`mvn -Pnatives package`), deployed to a
#               Maven repository in target/dist/jvm/maven-repo; then a clean-room Maven project
#               that depends on com.dintero.checkout:dintero-checkout by coordinates and runs
#               examples/kotlin/Checkout.kt against an emulator, with no jna.library.path
#   4. swift    a new SwiftPM package that depends on bindings-swift and runs
#               examples/swift's main.swift, built only with the steps of the Swift section of
#               bindings-uniffi/README.md (the script checks each command it runs is there)
#
#   bash scripts/jvm-swift-rust-dist.sh              # all four
#   bash scripts/jvm-swift-rust-dist.sh jvm swift    # some of them
#
# Unattended and idempotent: installs a JDK and Maven from apt, the Swift chroot through
# scripts/swift-setup.sh, the MSRV toolchain and the aarch64 target through rustup, when
# missing; later runs reuse every build. Prints sizes and per-part timings; fails on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
source scripts/cargo-env.sh
REPO=$PWD
DIST=$REPO/target/dist
LIB=libdintero_checkout_uniffi.so
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
MSRV=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$VERSION" ] && [ -n "$MSRV" ] || { echo "no version / rust-version in Cargo.toml" >&2; exit 1; }

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(crates msrv jvm swift)
for p in "${parts[@]}"; do
    case $p in crates | msrv | jvm | swift) ;; *) echo "unknown part: $p (crates msrv jvm swift)" >&2; exit 2 ;; esac
done
wants() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

start=$SECONDS
declare -a timings=() sizes=()
phase_start=$SECONDS
phase() { timings+=("$1: $((SECONDS - phase_start)) s"); phase_start=$SECONDS; }
say() { echo "== dist: $*"; }
size_of() { sizes+=("$(du -h "$1" | cut -f1)	${1#"$REPO"/}"); }
mkdir -p "$DIST"

# Processes and directories to clean up on exit.
emu_pid=
declare -a tmp_dirs=()
cleanup() {
    if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
    local d
    for d in "${tmp_dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT

# Starts the debug emulator on a free port as a coprocess (it exits when this script does, as its
# stdin closes); sets DINTERO_EMULATOR_URL from the base_url= line it prints first.
start_emulator() {
    [ -z "$emu_pid" ] || return 0
    coproc EMU { exec "$DEBUG_DIR/dintero-emulator" --listen 127.0.0.1:0 --quiet --exit-on-stdin-eof 2>&1; }
    emu_pid=$EMU_PID
    local line
    while IFS= read -r -t 10 line <&"${EMU[0]}"; do
        case $line in base_url=*)
            export DINTERO_EMULATOR_URL=${line#base_url=}
            return 0 ;;
        esac
    done
    say "the emulator did not start"
    exit 1
}

# --- 1. crates -----------------------------------------------------------------------------------
if wants crates; then
    # --allow-dirty: this is a check of what would be published; the release publishes from a tag.
    for crate in dintero-checkout dintero-emulator; do
        say "cargo publish --dry-run -p $crate"
        log=$DIST/crates-$crate.log
        rc=0
        cargo publish -q --dry-run --allow-dirty -p "$crate" >"$log" 2>&1 || rc=$?
        # Cargo names every test, bench and example it leaves out (they read ../testdata): by design.
        grep -v "^warning: ignoring .* is not included in the published package$" "$log" || true
        [ $rc = 0 ] || { say "cargo publish --dry-run -p $crate failed"; exit 1; }
        # The .crate itself (the dry run above built and verified the same contents).
        cargo package -q --no-verify --allow-dirty -p "$crate" 2>/dev/null
        mkdir -p "$DIST/crates"
        cp "target/package/$crate-$VERSION.crate" "$DIST/crates/"
        size_of "$DIST/crates/$crate-$VERSION.crate"
    done
    say "cargo doc -p dintero-checkout --all-features (warnings are errors)"
    RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps --all-features -p dintero-checkout
    phase "crates (package + verify + doc)"
fi

# --- 2. MSRV ---------------------------------------------------------------------------------------
if wants msrv; then
    if ! rustup run "$MSRV" rustc --version >/dev/null 2>&1; then
        say "rustup toolchain install $MSRV"
        rustup toolchain install "$MSRV" --profile minimal
    fi
    say "cargo +$MSRV check (core, emulator, uniffi crate; target/msrv)"
    cargo "+$MSRV" check -q --target-dir target/msrv \
        -p dintero-checkout -p dintero-emulator -p dintero-checkout-uniffi --features dintero-checkout/schema
    phase "MSRV $MSRV (cargo check)"
fi

# --- host debug builds the JVM and Swift parts use (uniffi-bindgen, the emulator, the library) ---
if wants jvm || wants swift; then
    say "cargo build (debug: uniffi library, uniffi-bindgen, emulator)"
    cargo build -q -p dintero-checkout-uniffi -p uniffi-bindgen -p dintero-emulator
    phase "host debug build"
fi

# --- 3. JVM ----------------------------------------------------------------------------------------
if wants jvm; then
    if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
        say "installing a JDK and Maven"
        apt-get update -qq </dev/null
        apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven </dev/null >/dev/null
    fi
    tools=$REPO/target/dist-tools/venv
    if [ ! -x "$tools/bin/cargo-zigbuild" ] || ! "$tools/bin/python" -m ziglang version >/dev/null 2>&1; then
        say "installing ziglang and cargo-zigbuild (PyPI) in $tools"
        python3 -m venv "$tools"
        "$tools/bin/pip" install -q ziglang cargo-zigbuild
    fi
    rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
    phase "JVM tools (JDK, Maven, zig, aarch64 target)"

    natives=$DIST/jvm/natives
    # triple (with the glibc version zig links against) -> JNA's resource prefix
    for spec in x86_64-unknown-linux-gnu.2.17:linux-x86-64 aarch64-unknown-linux-gnu.2.17:linux-aarch64; do
        zig_target=${spec%%:*} jna=${spec##*:} triple=${spec%%.*}
        say "cargo zigbuild --release --target $zig_target -p dintero-checkout-uniffi"
        PATH=$tools/bin:$PATH cargo zigbuild -q --release --target "$zig_target" -p dintero-checkout-uniffi
        mkdir -p "$natives/$jna"
        cp "target/$triple/release/$LIB" "$natives/$jna/$LIB"
        size_of "$natives/$jna/$LIB"
        phase "release $LIB for $zig_target (zig)"
    done
    # The libraries are what they claim to be: the machine, and no glibc symbol newer than 2.17.
    readelf -h "$natives/linux-x86-64/$LIB" | grep -q 'Machine: *Advanced Micro Devices X86-64' || { say "x86_64 .so: wrong machine"; exit 1; }
    readelf -h "$natives/linux-aarch64/$LIB" | grep -q 'Machine: *AArch64' || { say "aarch64 .so: wrong machine"; exit 1; }
    for jna in linux-x86-64 linux-aarch64; do
        newest=$(readelf -W --dyn-syms "$natives/$jna/$LIB" | grep -o 'GLIBC_[0-9.]*' | sort -u -V | tail -1)
        say "$jna/$LIB: $(readelf -h "$natives/$jna/$LIB" | sed -n 's/^ *Machine: *//p'), needs up to $newest"
        [ "$(printf '%s\n' "$newest" GLIBC_2.17 | sort -V | tail -1)" = GLIBC_2.17 ] || { say "$jna needs $newest > GLIBC_2.17"; exit 1; }
    done

    say "mvn -Pnatives package (the jar with both natives)"
    mvn=(mvn -B -q -Dstyle.color=never)
    quiet_mvn() { "${mvn[@]}" "$@" 2>&1 | sed 's/\x1b\[0m//g'; }
    quiet_mvn -f bindings-kotlin/pom.xml -Pnatives -Dmaven.test.skip=true \
        "-Dnatives.dir=$natives" "-Duniffi.libdir=$DEBUG_DIR" package
    jar=bindings-kotlin/target/natives/dintero-checkout-$VERSION.jar
    listing=$(unzip -Z1 "$jar")
    for jna in linux-x86-64 linux-aarch64; do
        grep -qx "$jna/$LIB" <<<"$listing" || { say "$jar lacks $jna/$LIB"; exit 1; }
        unzip -p "$jar" "$jna/$LIB" | cmp -s - "$natives/$jna/$LIB" || { say "$jar: $jna/$LIB differs from the build"; exit 1; }
    done
    size_of "$jar"

    # A Maven repository of our own: the clean room finds the SDK there by its coordinates.
    repo_dir=$DIST/jvm/maven-repo
    rm -rf "$repo_dir/com/dintero/checkout/dintero-checkout/$VERSION"
    quiet_mvn org.apache.maven.plugins:maven-deploy-plugin:3.1.3:deploy-file \
        "-Dfile=$jar" -DpomFile=bindings-kotlin/pom.xml "-Durl=file://$repo_dir" -DrepositoryId=dintero-dist
    phase "jar (mvn package + deploy to target/dist/jvm/maven-repo)"

    say "Kotlin clean room"
    clean=$(mktemp -d "${TMPDIR:-/tmp}/dintero-kotlin-clean-room.XXXXXX")
    tmp_dirs+=("$clean")
    mkdir -p "$clean/src/main/kotlin"
    kotlin_version=$(sed -n 's:.*<kotlin.version>\(.*\)</kotlin.version>.*:\1:p' bindings-kotlin/pom.xml)
    sed -e "s|@VERSION@|$VERSION|" -e "s|@KOTLIN_VERSION@|$kotlin_version|" -e "s|@REPOSITORY_URL@|file://$repo_dir|" \
        scripts/clean-room/kotlin_pom.xml >"$clean/pom.xml"
    cp examples/kotlin/Checkout.kt "$clean/src/main/kotlin/"
    # The local repository is only a cache of Maven Central: drop any copy of our own artifact
    # from it (an earlier run's, or a `mvn install` of the test build) so Maven takes this one.
    local_repo=${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}
    rm -rf "$local_repo/com/dintero/checkout/dintero-checkout/$VERSION"
    start_emulator
    log=$clean/run.log
    rc=0
    (cd "$clean" && env -u LD_LIBRARY_PATH -u JAVA_TOOL_OPTIONS "${mvn[@]}" compile exec:exec) >"$log" 2>&1 || rc=$?
    # The example's output, without JNA's loading log (java.util.logging: a date line, an INFO line).
    sed 's/\x1b\[0m//g' "$log" | grep -v -e ' com\.sun\.jna\.' -e '^INFO: ' || true
    [ $rc = 0 ] && grep -qx "done" "$log" || { say "the Kotlin clean room failed"; cat "$log"; exit 1; }
    # JNA says where it found the library: in the jar Maven resolved, which is the one built here.
    found=$(grep -o "Found library resource at jar:file:[^!]*!/linux-x86-64/$LIB" "$log" | head -1 || true)
    [ -n "$found" ] || { say "JNA did not load $LIB from a jar"; cat "$log"; exit 1; }
    resolved=${found#Found library resource at jar:file:}
    resolved=${resolved%%!*}
    cmp -s "$resolved" "$jar" || { say "the clean room ran $resolved, not $jar"; exit 1; }
    say "JNA loaded linux-x86-64/$LIB from $(basename "$resolved") (no jna.library.path); aarch64 is built and checked with readelf, not run here"
    phase "Kotlin clean room (compile + run)"
fi

# --- 4. Swift --------------------------------------------------------------------------------------
if wants swift; then
    say "Swift toolchain (chroot)"
    bash scripts/swift-setup.sh >/dev/null
    phase "Swift toolchain"

    # The steps of "Use it from your own SwiftPM package" in bindings-uniffi/README.md, run as
    # they are written there ($LIBDIR, $SDK: the README's placeholders).
    LIBDIR_REL=target/$CARGO_BUILD_TARGET/debug
    # shellcheck disable=SC2016 # the README's own placeholders, not ours
    readme_steps=(
        "cargo build -p dintero-checkout-uniffi -p uniffi-bindgen"
        "bash scripts/swift-generate.sh"
        '/bindings-swift"),'
        '.product(name: "DinteroCheckout", package: "bindings-swift")'
        'swift run -Xlinker -L$LIBDIR -Xlinker -rpath -Xlinker $LIBDIR'
    )
    for step in "${readme_steps[@]}"; do
        grep -qF -- "$step" bindings-uniffi/README.md || { say "bindings-uniffi/README.md no longer says: $step"; exit 1; }
    done
    say "Swift clean room: ${readme_steps[0]}; ${readme_steps[1]}"
    cargo build -q -p dintero-checkout-uniffi -p uniffi-bindgen
    bash scripts/swift-generate.sh

    # A new package inside the clone (the chroot sees the clone at /work-repo).
    clean=$(mktemp -d "$REPO/target/swift-clean-room.XXXXXX")
    tmp_dirs+=("$clean")
    name=$(basename "$clean")
    SDK=/work-repo
    LIBDIR=/work-repo/$LIBDIR_REL
    mkdir -p "$clean/Sources/Checkout"
    cat >"$clean/Package.swift" <<EOF
// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "Shop",
    dependencies: [
        .package(path: "$SDK/bindings-swift"),
    ],
    targets: [
        .executableTarget(name: "Checkout", dependencies: [
            .product(name: "DinteroCheckout", package: "bindings-swift"),
        ]),
    ]
)
EOF
    cp examples/swift/Sources/Checkout/main.swift "$clean/Sources/Checkout/main.swift"
    start_emulator
    say "Swift clean room: swift run (in the chroot)"
    log=$clean/run.log
    rc=0
    DINTERO_EMULATOR_URL=$DINTERO_EMULATOR_URL bash scripts/swift-chroot.sh "target/$name" \
        swift run -Xlinker "-L$LIBDIR" -Xlinker -rpath -Xlinker "$LIBDIR" >"$log" 2>&1 || rc=$?
    grep -v '^\[[0-9]*/[0-9]*\]\|^Building\|^Compiling\|^Build complete\|^Fetching\|^Computing\|^Computed\|^Creating\|^Write' "$log" || true
    [ $rc = 0 ] && grep -qx "done" "$log" || { say "the Swift clean room failed"; cat "$log"; exit 1; }
    phase "Swift clean room (generate + build + run)"
fi

if [ ${#sizes[@]} -gt 0 ]; then
    echo "sizes:"
    printf '   %s\n' "${sizes[@]}"
fi
echo "timings:"
printf '   %s\n' "${timings[@]}"
echo "jvm-swift-rust dist ($*): $((SECONDS - start)) s"
