#!/usr/bin/env bash
# The gates that keep the code base easy to read, run by CI before the tests:
#   1. cargo fmt: the formatting rustfmt.toml asks for;
#   2. cargo clippy on every target, warnings as errors (the workspace lints include
#      unwrap_used and too_many_lines: a function over 80 lines carries an allow with its reason);
#   3. the layering of the crates (ARCHITECTURE.md), from `cargo tree`;
#   4. no source file over 400 lines, outside the generated bindings;
#   5. cargo deny (deny.toml): banned crates and versions, licenses, sources; offline, so not
#      `advisories` (docs/security.md, "Supply chain").
# Usage: tools/gates.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gates 1/5: cargo fmt --all --check (and the fuzz targets, outside the workspace)"
cargo fmt --all --check
rustfmt --check --edition 2021 --config-path rustfmt.toml fuzz/fuzz_targets/*.rs

echo "== gates 2/5: cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

echo "== gates 3/5: who may depend on whom"
tools/check-layers.sh

echo "== gates 4/5: source files of at most 400 lines"
long=$(git ls-files -co --exclude-standard -- '*.rs' '*.py' '*.sh' '*.kt' '*.java' '*.tf' ':!bindings/kotlin' ':!bindings/swift' ':!bindings/python' \
    | while read -r f; do n=$(wc -l <"$f"); [ "$n" -gt 400 ] && echo "  $f: $n lines"; done || true)
if [ -n "$long" ]; then
    echo "split these files (one job per module):" >&2
    echo "$long" >&2
    exit 1
fi

# After clippy, which has fetched every crate the check reads. Errors only: duplicate versions
# are warnings (deny.toml), shown by the same command without `--log-level error`.
echo "== gates 5/5: cargo deny check bans licenses sources"
cargo deny --offline --locked --log-level error check bans licenses sources

echo "gates: all passed"
