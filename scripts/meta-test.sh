#!/usr/bin/env bash
# Repository checks that need no build: one version for every package (scripts/check-versions.py)
# and the release workflows' syntax (actionlint, with shellcheck on their `run:` scripts).
# actionlint comes from the Go module proxy into target/tools (pinned; built once, ~15 s).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
ACTIONLINT_VERSION=v1.7.12

python3 scripts/check-versions.py

tools=$PWD/target/tools
if ! "$tools/actionlint" -version 2>/dev/null | grep -qx "${ACTIONLINT_VERSION}"; then
    command -v go >/dev/null || {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go </dev/null
    }
    echo "== meta: go install actionlint@${ACTIONLINT_VERSION}"
    GOBIN=$tools GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
fi
if ! command -v shellcheck >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck </dev/null
fi
workflows=(.github/workflows/*.yml)
"$tools/actionlint" -no-color "${workflows[@]}"
echo "== meta: actionlint: ${#workflows[@]} workflow(s) clean"

# The check must be able to fail: a workflow with a broken expression is refused.
broken=$(mktemp --suffix=.yml)
trap 'rm -f "$broken"' EXIT
printf 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ matrix.nope }}"\n' >"$broken"
if "$tools/actionlint" -no-color "$broken" >/dev/null 2>&1; then
    echo "meta: actionlint accepted a broken workflow; the check proves nothing" >&2
    exit 1
fi
echo "meta suite: $((SECONDS - start)) s"
