# Sourced by every build, test and benchmark script (never run on its own).
#
# One target triple for every cargo call (plain cargo, maturin, @napi-rs/cli), so they all share
# target/<host triple>/ and nothing is compiled twice: @napi-rs/cli always passes --target, and a
# cargo call without one would build into target/debug instead. The triple is this machine's own
# (`rustc -vV`), so nothing is pinned in the repository and a Mac developer's plain `cargo build`
# still builds for the Mac. Sets:
#   CARGO_BUILD_TARGET   the host triple (unless the caller set another)
#   TARGET_ROOT          target/ (or $CARGO_TARGET_DIR)
#   DEBUG_DIR            $TARGET_ROOT/$CARGO_BUILD_TARGET/debug
#   RELEASE_DIR          $TARGET_ROOT/$CARGO_BUILD_TARGET/release
_cargo_env_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -z "${CARGO_BUILD_TARGET:-}" ]; then
    CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
    [ -n "$CARGO_BUILD_TARGET" ] || { echo "cargo-env.sh: rustc -vV printed no host triple" >&2; exit 1; }
fi
export CARGO_BUILD_TARGET
TARGET_ROOT=${CARGO_TARGET_DIR:-$_cargo_env_root/target}
DEBUG_DIR=$TARGET_ROOT/$CARGO_BUILD_TARGET/debug
RELEASE_DIR=$TARGET_ROOT/$CARGO_BUILD_TARGET/release
unset _cargo_env_root
