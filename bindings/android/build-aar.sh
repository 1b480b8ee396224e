#!/usr/bin/env bash
# Build the Android library: the Rust core for each ABI with cargo-ndk (as jniLibs), the
# generated Kotlin compiled to classes.jar, packed in the AAR layout, with a POM naming its
# runtime dependencies (JNA's AAR, which carries libjnidispatch.so per ABI, and Kotlin's stdlib).
#
#   bindings/android/build-aar.sh [OUT_DIR]      (default: target/android)
#
# Needs: the Android NDK (ANDROID_NDK_HOME), cmake (the core's second judge, zxing-cpp, is C++
# built with the NDK's CMake toolchain for each ABI and linked with the NDK's static libc++),
# `cargo install cargo-ndk`, the Rust targets
# (`rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`),
# kotlinc (bindings/test.sh fetches one into target/tools), and JNA's jar to compile against.
# Not run on this project's CI (no NDK there); see docs/sdk.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${1:-$root/target/android}
version=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "qrveil-ffi"))')
JNA_VERSION=5.13.0
ABIS=(arm64-v8a armeabi-v7a x86_64)

fail() { echo "build-aar: $*" >&2; exit 1; }
[[ -n "${ANDROID_NDK_HOME:-}" && -d "${ANDROID_NDK_HOME:-}" ]] || fail "set ANDROID_NDK_HOME to an Android NDK (r26 or later)"
command -v cargo-ndk >/dev/null || fail "cargo-ndk not found: cargo install cargo-ndk"
command -v cmake >/dev/null || fail "cmake not found (zxing-cpp builds with it): install CMake 3.16 or later"
for t in aarch64-linux-android armv7-linux-androideabi x86_64-linux-android; do
    rustup target list --installed | grep -qx "$t" || fail "Rust target $t missing: rustup target add $t"
done
kotlinc=${KOTLINC:-$(command -v kotlinc || true)}
[[ -n "$kotlinc" ]] || kotlinc=$(ls "$root"/target/tools/kotlin-compiler-*/node_modules/kotlin-compiler/bin/kotlinc 2>/dev/null | head -1)
[[ -x "$kotlinc" ]] || fail "kotlinc not found: set KOTLINC, or run bindings/test.sh once to fetch it"
jna_jar=${JNA_JAR:-/usr/share/java/jna.jar}
[[ -f "$jna_jar" ]] || fail "JNA jar not found at $jna_jar: set JNA_JAR (Maven net.java.dev.jna:jna:$JNA_VERSION)"

kotlin_version=$("$kotlinc" -version 2>&1 | sed -n 's/.*kotlinc-jvm \([0-9.]*\).*/\1/p')
[[ -n "$kotlin_version" ]] || fail "could not read the version of $kotlinc"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

echo "1/3 Rust core for ${ABIS[*]} (release, without the in-process style function)"
# zxing-cpp's C++ goes through the cmake crate, which reads a toolchain file per Rust target:
# one per ABI that names the ABI and includes the NDK's own (whose default ABI is armv7).
declare -A triples=([arm64-v8a]=aarch64_linux_android [armeabi-v7a]=armv7_linux_androideabi [x86_64]=x86_64_linux_android)
for abi in "${ABIS[@]}"; do
    cat >"$stage/$abi.cmake" <<CMAKE
set(ANDROID_ABI $abi)
set(ANDROID_PLATFORM 24)
set(ANDROID_STL c++_static)
include($ANDROID_NDK_HOME/build/cmake/android.toolchain.cmake)
CMAKE
    export "CMAKE_TOOLCHAIN_FILE_${triples[$abi]}=$stage/$abi.cmake"
done
# 16 KB pages: Android 15 devices may use them, and libraries must be aligned for it. The NDK's
# static libc++ serves zxing-cpp (its build script asks for libstdc++, which the NDK has only as
# a stub without the library proper).
abi_flags=()
for abi in "${ABIS[@]}"; do abi_flags+=(-t "$abi"); done
RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384 -C link-arg=-lc++_static -C link-arg=-lc++abi" \
    cargo ndk "${abi_flags[@]}" --platform 24 -o "$stage/aar/jni" build --locked --release -p qrveil-ffi --no-default-features

echo "2/3 Kotlin bindings -> classes.jar"
"$kotlinc" -nowarn -cp "$jna_jar" -d "$stage/classes.jar" bindings/kotlin/dev/qrveil/qrveil.kt
cp "$stage/classes.jar" "$stage/aar/classes.jar"

echo "3/3 AAR layout"
cat >"$stage/aar/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="dev.qrveil">
    <uses-sdk android:minSdkVersion="24" />
    <!-- The remote transport calls the operator's presign endpoint and bucket over HTTPS. -->
    <uses-permission android:name="android.permission.INTERNET" />
</manifest>
XML
: >"$stage/aar/R.txt"
mkdir -p "$out"
(cd "$stage/aar" && rm -f "$out/qrveil-$version.aar" && zip -qr "$out/qrveil-$version.aar" .)
cat >"$out/qrveil-$version.pom" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.qrveil</groupId>
  <artifactId>qrveil</artifactId>
  <version>$version</version>
  <packaging>aar</packaging>
  <dependencies>
    <dependency>
      <groupId>net.java.dev.jna</groupId>
      <artifactId>jna</artifactId>
      <version>$JNA_VERSION</version>
      <type>aar</type>
    </dependency>
    <dependency>
      <groupId>org.jetbrains.kotlin</groupId>
      <artifactId>kotlin-stdlib</artifactId>
      <version>$kotlin_version</version>
    </dependency>
  </dependencies>
</project>
XML
echo "wrote $out/qrveil-$version.aar and its POM"
unzip -l "$out/qrveil-$version.aar" | sed -n '4,40p'
