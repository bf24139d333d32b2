#!/usr/bin/env bash
# Lines of the core's non-test code and of the binding layers proper (the Rust and host-language
# code that converts and delegates: not generated files, tests, examples, benchmarks, framework
# adapters or testing helpers). Issue 11's measure: bindings together <= the core.
# Inline `#[cfg(test)]` modules (at the end of a Rust file) are not counted.
#   bash scripts/binding-size.sh [git-revision]   (default: the working tree)
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-}
list() { if [ -n "$rev" ]; then git ls-tree -r --name-only "$rev"; else git ls-files -co --exclude-standard; fi; }
show() { if [ -n "$rev" ]; then git show "$rev:$1"; else cat "$1"; fi; }
count() { # $1: regex of paths to count, $2: regex of paths to leave out
    local total=0 f n
    for f in $(list | grep -E "$1" | grep -Ev "$2" || true); do
        # A generated file says so in its first lines ("do not edit"); it is not counted.
        if show "$f" | head -5 | grep -qi 'do not edit'; then continue; fi
        n=$(show "$f" | awk '/^#\[cfg\(test\)\]/{exit} {n++} END{print n+0}')
        total=$((total + n))
    done
    echo "$total"
}
skip='(/Generated/|/emulator\.rs|/testing\.py|/pytest_plugin\.py|/testing\.ts)$'
core=$(count '^core/src/.*\.rs$' "$skip")
py=$(count '^bindings-python/(src/.*\.rs|python/dintero_checkout/.*\.py)$' "$skip")
node=$(count '^bindings-node/(src/.*\.rs|ts/.*\.ts)$' "$skip")
uniffi=$(count '^(bindings-uniffi/src/.*\.rs|bindings-swift/Sources/DinteroCheckout/.*\.swift|bindings-kotlin/src/main/.*\.kt)$' "$skip")
total=$((py + node + uniffi))
printf 'core (non-test)   %6d\npython binding    %6d\nnode binding      %6d\nuniffi binding    %6d\nbindings together %6d  (%s x the core)\n' \
    "$core" "$py" "$node" "$uniffi" "$total" "$(python3 -c "print(round($total/$core, 2))")"
