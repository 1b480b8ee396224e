#!/usr/bin/env bash
# Fails when a crate depends on one it must not (ARCHITECTURE.md, "Layers"). Reads the normal
# dependencies (what ships) with `cargo tree`, resolving features as a build of that crate
# alone would.
#
#   tools/check-layers.sh           check every rule
#   tools/check-layers.sh --graph   also print the workspace crates each crate depends on
set -euo pipefail
cd "$(dirname "$0")/.."

# The workspace crates in `package`'s normal dependency tree (itself excluded).
ours() {  # ours PACKAGE [cargo tree flags...]
    local package=$1
    shift
    cargo tree --locked -q -p "$package" -e normal --prefix none --format '{p}' "$@" \
        | awk '$1 ~ /^qrveil-/ {print $1}' | sort -u | grep -vx "$package" || true
}

failed=0
forbid() {  # forbid PACKAGE "FLAGS" FORBIDDEN...: PACKAGE (built with FLAGS) must not reach FORBIDDEN
    local package=$1 flags=$2
    shift 2
    local deps
    # shellcheck disable=SC2086
    deps=$(ours "$package" $flags)
    for bad in "$@"; do
        if grep -qx "$bad" <<<"$deps"; then
            echo "  $package${flags:+ ($flags)} depends on $bad, which its layer must not" >&2
            failed=1
        fi
    done
    echo "  $package${flags:+ ($flags)}: $(tr '\n' ' ' <<<"$deps")"
}

# The contract both sides share knows neither side.
forbid qrveil-protocol "" qrveil-style qrveil-function qrveil-sdk qrveil-cloud
forbid qrveil-style "" qrveil-function qrveil-sdk qrveil-cloud
# The function never depends on client code (it must never hold a secret key).
forbid qrveil-function "" qrveil-sdk qrveil-ffi qrveil-cli
forbid qrveil-cloud "" qrveil-sdk qrveil-ffi qrveil-cli
# The client core and the mobile library carry no FHE evaluator.
forbid qrveil-sdk "" qrveil-function qrveil-cloud
forbid qrveil-ffi "--no-default-features" qrveil-function qrveil-cloud
# The fitter learns public looks from images: it needs the client's drawing, never the function.
forbid qrveil-fit "" qrveil-function qrveil-cloud

# The check must be able to fail: with its `local` feature (desktop builds) the library does
# reach the function, and the rule above would say so.
if ! grep -qx qrveil-function <<<"$(ours qrveil-ffi)"; then
    echo "  the layer check cannot see qrveil-ffi's local feature reach qrveil-function: the check is broken" >&2
    failed=1
fi

if [ "${1:-}" = "--graph" ]; then
    echo "workspace crates and the workspace crates they depend on (normal dependencies, default features):"
    for p in $(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(sys.stdin)["packages"])))'); do
        echo "  $p -> $(ours "$p" | tr '\n' ' ')"
    done
fi

if [ "$failed" -ne 0 ]; then
    echo "layers: a crate reaches one its layer must not (see ARCHITECTURE.md)" >&2
    exit 1
fi
echo "layers: every crate depends only on the layers below it"
