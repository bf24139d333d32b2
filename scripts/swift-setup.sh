#!/usr/bin/env bash
# Installs the Swift toolchain for the Swift tests: Debian trixie's `swiftlang` (Swift 6.0.3
# with Foundation and XCTest) in a debootstrap chroot OUTSIDE the clone. Reuses the chroot when
# it exists and works. Unattended and idempotent; needs root and the Debian mirror.
#
#   bash scripts/swift-setup.sh          # make sure the chroot is ready, print its path
#
# Environment: DINTERO_SWIFT_CHROOT (default /var/cache/dintero-swift-chroot).
set -euo pipefail

CHROOT=${DINTERO_SWIFT_CHROOT:-/var/cache/dintero-swift-chroot}
export DEBIAN_FRONTEND=noninteractive
start=$SECONDS

log() { echo "swift-setup: $*" >&2; }

# Unmounts everything mounted below $1 (deepest first). Never leaves a live mount behind.
unmount_below() {
    local root=$1 m
    [ -d "$root" ] || return 0
    # shellcheck disable=SC2013
    for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}

# Deletes a chroot directory, but only once nothing is mounted inside it.
remove_chroot() {
    local root=$1
    [ -e "$root" ] || return 0
    unmount_below "$root"
    if awk -v r="$root" '$2 == r || index($2, r "/") == 1 {found=1} END {exit !found}' /proc/mounts; then
        log "refusing to delete $root: something is still mounted in it"
        exit 1
    fi
    rm -rf --one-file-system "$root"
}

# Runs a command in the chroot with /proc mounted (swiftc dies with "Illegal instruction"
# without it); unmounts afterwards.
in_chroot() {
    local root=$1; shift
    mkdir -p "$root/proc"
    local mounted=0
    if ! mountpoint -q "$root/proc"; then
        mount -t proc proc "$root/proc"
        mounted=1
    fi
    local rc=0
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@" </dev/null || rc=$?
    if [ $mounted = 1 ]; then umount "$root/proc" || umount -l "$root/proc"; fi
    return $rc
}

works() {
    [ -f "$1/.dintero-ready" ] && in_chroot "$1" swift --version >/dev/null 2>&1
}

if works "$CHROOT"; then
    log "reusing $CHROOT ($(in_chroot "$CHROOT" swift --version 2>&1 | head -1))"
    echo "$CHROOT"
    exit 0
fi

[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, chroot, mount)"; exit 1; }

if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    apt-get update -qq </dev/null
    apt-get install -y -qq debootstrap </dev/null >/dev/null
fi

# The host's Debian mirror (deb.debian.org unless the host says otherwise).
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

partial="$CHROOT.partial"
remove_chroot "$partial"
remove_chroot "$CHROOT"
mkdir -p "$(dirname "$CHROOT")"

log "debootstrap trixie into $partial from $mirror"
debootstrap --variant=minbase trixie "$partial" "$mirror" >"$partial.log" 2>&1 || {
    tail -30 "$partial.log" >&2
    unmount_below "$partial"
    exit 1
}
# The chroot resolves the mirror with the host's resolver.
cp /etc/resolv.conf "$partial/etc/resolv.conf"

log "installing swiftlang in the chroot"
in_chroot "$partial" apt-get update -qq
in_chroot "$partial" apt-get install -y -qq --no-install-recommends \
    swiftlang libc6-dev libstdc++-14-dev ca-certificates >/dev/null
in_chroot "$partial" apt-get clean
in_chroot "$partial" swift --version
touch "$partial/.dintero-ready"
unmount_below "$partial"
mv "$partial" "$CHROOT"
rm -f "$partial.log"
log "ready in $((SECONDS - start)) s: $CHROOT"
echo "$CHROOT"
