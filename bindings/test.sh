#!/usr/bin/env bash
# The bindings, used from foreign languages for real:
#   1. the committed Kotlin/Swift/Python sources equal what bindings/generate.sh makes now;
#   2. a Kotlin program (bindings/tests/Scenario.kt) compiled with kotlinc against JNA creates
#      keys, styles a payload through the local transport, writes a PNG that ZXing Java reads
#      back to the payload, and gets the typed exceptions for an unknown style and a cancel;
#   3. the same scenario in Python (bindings/tests/scenario.py), read back with zxing-cpp.
# Needs: Debian's libjna-java and libzxing-java, Python's zxing-cpp and Pillow (.ci/run
# installs them); kotlinc from npm's kotlin-compiler is fetched into target/tools if absent.
# Swift is generated and compared here but not compiled: no Swift toolchain on Linux CI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
KOTLIN_COMPILER_VERSION=2.4.20
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
lib="$target_dir/debug/libqrveil_ffi.so"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app"

echo "== bindings 1/3: the committed sources are what the library exports"
bindings/generate.sh "$work/generated" >/dev/null
for lang in kotlin swift python; do
    if ! diff -r "bindings/$lang" "$work/generated/$lang" >"$work/diff" 2>&1; then
        head -40 "$work/diff"
        echo "bindings/$lang differs from the exported API: run bindings/generate.sh and commit the result" >&2
        exit 1
    fi
done

echo "== bindings 2/3: Kotlin on the JVM (kotlinc, JNA, ZXing Java)"
need_jar() {
    [[ -f "$1" ]] || { echo "missing $1: apt-get install $2" >&2; exit 1; }
    echo "$1"
}
jna=$(need_jar /usr/share/java/jna.jar libjna-java)
zxing_core=$(need_jar /usr/share/java/core.jar libzxing-core-java)
zxing_javase=$(need_jar /usr/share/java/javase.jar libzxing-javase-java)
kotlin_home="$target_dir/tools/kotlin-compiler-$KOTLIN_COMPILER_VERSION/node_modules/kotlin-compiler"
if [[ ! -x "$kotlin_home/bin/kotlinc" ]]; then
    echo "fetching kotlinc $KOTLIN_COMPILER_VERSION (npm kotlin-compiler) into $target_dir/tools"
    npm install --silent --no-audit --no-fund --prefix "$(dirname "$(dirname "$kotlin_home")")" \
        "kotlin-compiler@$KOTLIN_COMPILER_VERSION" >/dev/null
fi
classpath="$jna:$zxing_core:$zxing_javase"
"$kotlin_home/bin/kotlinc" -nowarn -cp "$classpath" -d "$work/scenario.jar" \
    bindings/kotlin/dev/qrveil/qrveil.kt bindings/tests/Scenario.kt
java -Djna.library.path="$(dirname "$lib")" -cp "$work/scenario.jar:$classpath:$kotlin_home/lib/kotlin-stdlib.jar" \
    ScenarioKt "$work/app"

echo "== bindings 3/3: Python (zxing-cpp)"
mkdir -p "$work/python"
cp bindings/python/qrveil.py "$work/python/"
ln -s "$lib" "$work/python/"
PYTHONPATH="$work/python" python3 bindings/tests/scenario.py "$work/app"
echo "bindings: all checks passed"
