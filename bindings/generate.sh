#!/usr/bin/env bash
# Regenerate the Kotlin, Swift and Python sources of the qrveil bindings from the built
# qrveil-ffi library (uniffi library mode: the exported API is read from the binary).
#
#   bindings/generate.sh            rewrite bindings/{kotlin,swift,python}
#   bindings/generate.sh OUT_DIR    write them under OUT_DIR instead (test.sh compares)
#
# Unformatted on purpose: ktlint and swiftformat are not needed, and the output is the same
# on every machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bindings}
cd "$root"

# The workspace's package selection, as README's `cargo test --workspace` makes it: features
# resolve the same way, so this reuses that build instead of compiling tfhe again.
cargo build --locked --quiet --workspace --all-targets
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
case "$(uname -s)" in
    Darwin) lib="$target_dir/debug/libqrveil_ffi.dylib" ;;
    *) lib="$target_dir/debug/libqrveil_ffi.so" ;;
esac

for lang in kotlin swift python; do
    rm -rf "${out:?}/$lang"
    "$target_dir/debug/uniffi-bindgen" generate "$lib" --language "$lang" --out-dir "$out/$lang" \
        --no-format --metadata-no-deps >/dev/null
done
echo "bindings written to $out/{kotlin,swift,python}"
