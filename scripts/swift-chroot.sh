#!/usr/bin/env bash
# Runs a command inside the Swift chroot (made by scripts/swift-setup.sh) with the repository
# bind-mounted at /work-repo and /proc mounted; unmounts both afterwards, also on failure.
# The chroot shares the host's network namespace, so an emulator on 127.0.0.1 is reachable.
#
#   bash scripts/swift-chroot.sh bindings-swift swift test --disable-swift-testing
#
# The first argument is the working directory relative to the repository root. Environment
# variables named DINTERO_* are passed through.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
CHROOT=${DINTERO_SWIFT_CHROOT:-/var/cache/dintero-swift-chroot}
INSIDE=/work-repo
workdir=$1; shift

[ -f "$CHROOT/.dintero-ready" ] || { echo "swift-chroot: no chroot at $CHROOT; run scripts/swift-setup.sh" >&2; exit 1; }

# One user of the mounts at a time.
exec 9>"$CHROOT.lock"
flock 9

mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
    done
}
trap cleanup EXIT

mkdir -p "$CHROOT/proc" "$CHROOT$INSIDE"
if ! mountpoint -q "$CHROOT/proc"; then
    mount -t proc proc "$CHROOT/proc"
    mounted+=("$CHROOT/proc")
fi
if ! mountpoint -q "$CHROOT$INSIDE"; then
    mount --bind "$REPO" "$CHROOT$INSIDE"
    mounted+=("$CHROOT$INSIDE")
fi

envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb)
while IFS='=' read -r name value; do
    case $name in DINTERO_*) envs+=("$name=$value") ;; esac
done < <(env)

rc=0
chroot "$CHROOT" /usr/bin/env -i "${envs[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$INSIDE/$workdir" "$@" </dev/null || rc=$?
exit $rc
