#!/usr/bin/env bash
# Node distribution (what `make dist` runs): builds the release addon and the emulator binary for
# each Linux platform (zig as the cross C compiler and linker, glibc 2.17 for the gnu targets),
# makes the npm packages in the napi-rs layout and packs them:
#
#   dintero-checkout                  the JS layer and loader; the addons as optionalDependencies
#   dintero-checkout-<platform>       the addon (.node) for one platform
#   dintero-emulator                  `npx dintero-emulator`, and binaryPath() for the testing module
#   dintero-emulator-<platform>       the emulator binary for one platform
#
# Then, in a new project with no registry (offline, registry on a closed port, an empty npm
# cache) and a PATH without cargo or rustc, it installs the tarballs and runs: require (CJS),
# import (ESM) and the README's two examples compiled by tsc --strict, against an emulator that
# `npx dintero-emulator` started and one the testing module started from the package. It checks
# that the addon holds no emulator code and what the other platforms' files are (readelf), that
# Debian's musl loader resolves every symbol of the musl addon but Node's own, and runs the
# (static) musl emulator. Exits non-zero on any failure.
#
#   bash scripts/node-dist.sh
#   NODE_DIST_PLATFORMS=linux-x64-gnu bash scripts/node-dist.sh     # one platform only
#
# Tarballs land in target/node-dist/tarballs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$SECONDS
log() { echo "node-dist: $*" >&2; }
source scripts/cargo-env.sh
source scripts/clean-room/node_lib.sh
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# platform, cargo target (zigbuild form), npm cpu, npm libc
ALL_PLATFORMS="linux-x64-gnu x86_64-unknown-linux-gnu.2.17 x64 glibc
linux-arm64-gnu aarch64-unknown-linux-gnu.2.17 arm64 glibc
linux-x64-musl x86_64-unknown-linux-musl x64 musl"
wanted=${NODE_DIST_PLATFORMS:-linux-x64-gnu linux-arm64-gnu linux-x64-musl}
PLATFORMS=$(echo "$ALL_PLATFORMS" | while read -r p rest; do
    case " $wanted " in *" $p "*) echo "$p $rest" ;; esac
done)
HOST_PLATFORM=linux-x64-gnu
[ "$CARGO_BUILD_TARGET" = x86_64-unknown-linux-gnu ] || {
    log "the clean room runs on x86_64 glibc Linux; this is $CARGO_BUILD_TARGET"
    exit 1
}
case " $wanted " in *" $HOST_PLATFORM "*) ;; *) log "NODE_DIST_PLATFORMS must include $HOST_PLATFORM"; exit 1 ;; esac

# --- toolchain (unattended, idempotent) ------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_install() {
    if [ -z "$apt_updated" ]; then apt-get update -qq </dev/null; apt_updated=1; fi
    apt-get install -y -qq --no-install-recommends "$@" </dev/null
}
{ command -v readelf && command -v nm && command -v objdump; } >/dev/null || apt_install binutils
[ -s /etc/ssl/certs/ca-certificates.crt ] || apt_install ca-certificates
[ -e /lib/ld-musl-x86_64.so.1 ] || apt_install musl
# zig (the C compiler and linker for every target) and cargo-zigbuild, from PyPI, in a venv.
TOOLS=$TARGET_ROOT/dist-tools/node-venv
if [ ! -x "$TOOLS/bin/cargo-zigbuild" ]; then
    log "installing ziglang and cargo-zigbuild (PyPI) in ${TOOLS#"$ROOT"/}"
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/python" -m pip install -q ziglang cargo-zigbuild
fi
export PATH="$TOOLS/bin:$PATH"
echo "$PLATFORMS" | while read -r _ target _ _; do
    rustup target list --installed | grep -qx "${target%.2.17}" || rustup target add "${target%.2.17}"
done
npm_ci "$ROOT/bindings-node"

# --- build -----------------------------------------------------------------------------------------
DIST=$TARGET_ROOT/node-dist
rm -rf "$DIST"
mkdir -p "$DIST/stage" "$DIST/tarballs" "$DIST/devtools"
declare -A SECS
# A musl cdylib needs the C runtime linked dynamically (a static one drops the cdylib).
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static"
while read -r platform target _ _; do
    log "release build for $platform ($target): the addon and the emulator"
    t0=$SECONDS
    cargo zigbuild -q --release --target "$target" -p dintero-checkout-node -p dintero-emulator </dev/null
    SECS[$platform]=$((SECONDS - t0))
done <<<"$PLATFORMS"
(cd bindings-node && npx tsc -p tsconfig.json)

# --- packages --------------------------------------------------------------------------------------
VERSION=$(node -p "require('./bindings-node/package.json').version")
[ "$(node -p "require('./emulator/npm/dintero-emulator/package.json').version")" = "$VERSION" ] || {
    log "emulator/npm/dintero-emulator/package.json and bindings-node/package.json disagree on the version"
    exit 1
}
# manifest FILE NAME CPU LIBC MAIN FILES...: a platform package's package.json.
manifest() {
    # shellcheck disable=SC2016 # JavaScript, not shell
    node -e '
const [file, name, version, cpu, libc, main, ...files] = process.argv.slice(1);
const m = { name, version, description: `${name.replace(/-linux.*/, "")} for ${cpu} Linux (${libc})`,
  license: "MIT OR Apache-2.0", os: ["linux"], cpu: [cpu], libc: [libc], files };
if (main) m.main = main;
require("fs").writeFileSync(file, JSON.stringify(m, null, 2) + "\n");' "$@"
}
# with_platforms SRC DEST PREFIX: DEST is SRC's package.json with the platform packages as
# optionalDependencies (and dev-only fields dropped).
with_platforms() {
    # shellcheck disable=SC2016 # JavaScript, not shell
    node -e '
const fs = require("fs");
const [src, dest, prefix, version, ...platforms] = process.argv.slice(1);
const m = JSON.parse(fs.readFileSync(src, "utf8"));
m.optionalDependencies = Object.fromEntries(platforms.map((p) => [`${prefix}-${p}`, version]));
if (prefix === "dintero-checkout") {
  // The addon comes from the platform packages, never from the package itself.
  m.files = m.files.filter((f) => !f.endsWith(".node"));
  m.peerDependencies = { "dintero-emulator": version };
  m.peerDependenciesMeta = { "dintero-emulator": { optional: true } };
}
for (const k of ["devDependencies", "scripts", "overrides"]) delete m[k];
fs.writeFileSync(dest, JSON.stringify(m, null, 2) + "\n");' "$@"
}
platform_names=$(echo "$PLATFORMS" | cut -d' ' -f1)
while read -r platform target cpu libc; do
    out=$TARGET_ROOT/${target%.2.17}/release
    d=$DIST/stage/dintero-checkout-$platform
    mkdir -p "$d"
    cp "$out/libdintero_checkout_node.so" "$d/dintero-checkout.$platform.node"
    manifest "$d/package.json" "dintero-checkout-$platform" "$VERSION" "$cpu" "$libc" \
        "dintero-checkout.$platform.node" "dintero-checkout.$platform.node"
    d=$DIST/stage/dintero-emulator-$platform
    mkdir -p "$d"
    cp "$out/dintero-emulator" "$d/dintero-emulator"
    manifest "$d/package.json" "dintero-emulator-$platform" "$VERSION" "$cpu" "$libc" "" dintero-emulator
done <<<"$PLATFORMS"
d=$DIST/stage/dintero-checkout
mkdir -p "$d/ts"
cp -r bindings-node/dist bindings-node/index.js bindings-node/index.d.ts bindings-node/README.md "$d/"
cp bindings-node/ts/models.ts "$d/ts/"
# shellcheck disable=SC2086
with_platforms bindings-node/package.json "$d/package.json" dintero-checkout "$VERSION" $platform_names
d=$DIST/stage/dintero-emulator
cp -r emulator/npm/dintero-emulator "$d"
# shellcheck disable=SC2086
with_platforms emulator/npm/dintero-emulator/package.json "$d/package.json" dintero-emulator "$VERSION" $platform_names
for d in "$DIST"/stage/*; do
    (cd "$d" && npm pack -q --pack-destination "$DIST/tarballs" >/dev/null)
done
# TypeScript for the clean room's tsc: the one dev tool that comes from the registry (through
# bindings-node's npm ci above), packed from that node_modules so it installs offline.
for pkg in typescript @types/node undici-types; do
    npm pack -q --pack-destination "$DIST/devtools" "$ROOT/bindings-node/node_modules/$pkg" >/dev/null
done
log "packed:"
ls -l "$DIST/tarballs" >&2

# --- what the files are ------------------------------------------------------------------------------
# Emulator code in a file: symbols or panic locations of axum or the emulator crate.
emulator_code() { { nm "$1" 2>/dev/null || true; strings -a "$1"; } | grep -c -E 'axum|dintero_emulator' || true; }
while read -r platform target _ _; do
    out=$TARGET_ROOT/${target%.2.17}/release
    addon=$out/libdintero_checkout_node.so
    n=$(emulator_code "$addon")
    m=$(emulator_code "$out/dintero-emulator")
    [ "$n" = 0 ] || { log "$platform: the addon holds emulator code ($n matches of axum|dintero_emulator)"; exit 1; }
    # The same check finds the emulator in the emulator binary: it can fail.
    [ "$m" -gt 0 ] || { log "$platform: the emulator-code check found nothing in the emulator binary"; exit 1; }
    machine=$(readelf -h "$addon" | sed -n 's/^ *Machine: *//p')
    needed=$(readelf -d "$addon" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
    interp=$(readelf -l "$out/dintero-emulator" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
    glibc=$(objdump -T "$addon" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 || true)
    log "$platform: addon $(stat -c %s "$addon") bytes, no emulator code ($m matches in the emulator binary);" \
        "machine $machine; needs $needed${glibc:+(newest symbol $glibc)}; emulator $(stat -c %s "$out/dintero-emulator") bytes, interpreter ${interp:-none}; built in ${SECS[$platform]} s"
    case $platform in
        *arm64*) [ "$machine" = AArch64 ] || { log "$platform: expected AArch64"; exit 1; } ;;
        *) [ "$machine" = "Advanced Micro Devices X86-64" ] || { log "$platform: expected X86-64"; exit 1; } ;;
    esac
    case $platform in
        *musl)
            # zig links the addon against `libc.so`, a name musl's loader takes as itself; in
            # its ldd mode every symbol resolves but Node's own (napi_*), which node provides.
            case $needed in *libc.so*) ;; *) log "$platform: the addon does not link a libc"; exit 1 ;; esac
            ldd_musl=$(/lib/ld-musl-x86_64.so.1 --list "$addon" 2>&1 || true)
            unresolved=$(echo "$ldd_musl" | grep 'symbol not found' | grep -v ': napi_' || true)
            [ -z "$unresolved" ] || { log "$platform: under musl, the addon misses: $unresolved"; exit 1; }
            echo "$ldd_musl" | grep -q 'libc.so => /lib/ld-musl-x86_64.so.1' || {
                log "$platform: musl's loader does not resolve the addon's libc"
                exit 1
            }
            # The emulator is a static(-pie) musl binary: it runs on any x86-64 Linux.
            if [ -n "$interp" ] || readelf -d "$out/dintero-emulator" | grep -q NEEDED; then
                log "$platform: the emulator is not static"
                exit 1
            fi
            "$out/dintero-emulator" --catalog | node -e \
                'const c = JSON.parse(require("fs").readFileSync(0, "utf8")); if (!c.cards.length) process.exit(1)'
            log "$platform: under musl's loader the addon needs only Node's napi_* symbols; the static emulator runs (--catalog)"
            ;;
        *gnu)
            newest=$(printf '%s\n' "${glibc:-GLIBC_2.0}" GLIBC_2.17 | sort -V | tail -1)
            [ "$newest" = GLIBC_2.17 ] || { log "$platform: needs $glibc, newer than 2.17"; exit 1; }
            ;;
    esac
done <<<"$PLATFORMS"

# --- clean room ------------------------------------------------------------------------------------
ROOM=$(mktemp -d /tmp/node-clean-room.XXXXXX)
trap 'rm -rf "$ROOM"' EXIT
# node and npm only: no cargo, no rustc, no emulator on PATH.
CLEAN_PATH=$ROOM/bin:/usr/local/bin:/usr/bin:/bin
mkdir -p "$ROOM/bin"
ln -s "$(command -v node)" "$ROOM/bin/node"
for tool in cargo rustc rustup dintero-emulator; do
    if PATH=$CLEAN_PATH command -v "$tool" >/dev/null; then
        log "the clean room's PATH has $tool: $(PATH=$CLEAN_PATH command -v "$tool")"
        exit 1
    fi
done
log "clean room ${ROOM}: PATH=$CLEAN_PATH has no cargo, rustc, rustup or dintero-emulator"
cp scripts/clean-room/node_cjs.cjs scripts/clean-room/node_esm.mjs "$ROOM/"
cp scripts/clean-room/node_tsconfig.json "$ROOM/tsconfig.json"
# The README's two examples, as they are written there.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
const fs = require("fs");
const readme = fs.readFileSync(process.argv[1], "utf8");
for (const [heading, file] of [["## Quickstart", "quickstart.ts"], ["## Testing with the emulator", "testing.ts"]]) {
  const section = readme.slice(readme.indexOf(heading));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (readme.indexOf(heading) < 0 || !m) { console.error(`no ts example under ${heading}`); process.exit(1); }
  fs.writeFileSync(`${process.argv[2]}/${file}`, m[1]);
}' bindings-node/README.md "$ROOM"
echo '{ "name": "clean-room", "version": "1.0.0", "private": true, "type": "module" }' >"$ROOM/package.json"
tarball() { ls "$DIST/tarballs/$1-$VERSION.tgz"; }
(
    cd "$ROOM"
    export PATH=$CLEAN_PATH npm_config_offline=true npm_config_registry=http://127.0.0.1:9/ \
        npm_config_cache=$ROOM/npm-cache npm_config_userconfig=$ROOM/npmrc
    unset DINTERO_EMULATOR_BIN
    # As a user would (npm install dintero-checkout; npm install --save-dev dintero-emulator),
    # from the tarballs; the platform packages are named too, as no registry can resolve them.
    log "npm install (offline) of the packages"
    npm install --no-audit --no-fund --loglevel=error "$(tarball dintero-checkout)" "$(tarball dintero-checkout-$HOST_PLATFORM)"
    npm install --no-audit --no-fund --loglevel=error --save-dev "$(tarball dintero-emulator)" \
        "$(tarball dintero-emulator-$HOST_PLATFORM)" "$DIST"/devtools/*.tgz
    # The addon is the platform package's: the main package carries none.
    if compgen -G 'node_modules/dintero-checkout/*.node' >/dev/null; then
        log "the dintero-checkout package carries an addon"
        exit 1
    fi
    [ -f "node_modules/dintero-checkout-$HOST_PLATFORM/dintero-checkout.$HOST_PLATFORM.node" ]
    [ -x "node_modules/dintero-emulator-$HOST_PLATFORM/dintero-emulator" ]

    log "npx dintero-emulator (an emulator from the emulator package)"
    setsid npx --offline dintero-emulator --listen 127.0.0.1:0 --quiet </dev/null >emulator.out 2>&1 &
    emu_pid=$!
    trap 'kill -- "-$emu_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do grep -q '^dashboard=' emulator.out && break; sleep 0.1; done
    grep -q '^dashboard=' emulator.out || { cat emulator.out >&2; exit 1; }
    export DINTERO_BASE_URL DINTERO_ACCOUNT_ID DINTERO_CLIENT_ID DINTERO_CLIENT_SECRET
    DINTERO_BASE_URL=$(sed -n 's/^base_url=//p' emulator.out)
    DINTERO_ACCOUNT_ID=$(sed -n 's/^account_id=//p' emulator.out)
    DINTERO_CLIENT_ID=$(sed -n 's/^client_id=//p' emulator.out)
    DINTERO_CLIENT_SECRET=$(sed -n 's/^client_secret=//p' emulator.out)

    log "require (CommonJS), with an emulator the testing module starts from the package"
    node node_cjs.cjs
    log "import (ES modules), against the npx emulator at $DINTERO_BASE_URL"
    node node_esm.mjs
    log "tsc --strict of the README's examples, then running them"
    node node_modules/typescript/bin/tsc -p tsconfig.json
    node build/quickstart.js
    node build/testing.js
    kill -- "-$emu_pid"
    wait "$emu_pid" 2>/dev/null || true
    trap - EXIT
)

log "build times (s):$(for p in $platform_names; do printf ' %s %s' "$p" "${SECS[$p]}"; done)"
echo "node dist: $((SECONDS - start)) s; tarballs in ${DIST#"$ROOT"/}/tarballs"
