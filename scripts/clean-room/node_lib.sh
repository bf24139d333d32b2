# shellcheck shell=bash
# Sourced by scripts/node-test.sh and scripts/node-dist.sh (never run on its own).
# Needs ROOT and log().

# npm ci, skipped when node_modules already matches the lockfile.
npm_ci() {
    local dir=$1 stamp sum
    stamp="$dir/node_modules/.dintero-lock-sha256"
    sum=$(cat "$dir/package-lock.json" "$dir/package.json" | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return 0; fi
    log "npm ci in ${dir#"$ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" >"$stamp"
}
