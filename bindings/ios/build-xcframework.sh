#!/usr/bin/env bash
# Build the iOS Swift package: the Rust core as a static library for devices and simulators,
# an XCFramework with the generated C header and module map (module QrVeilFFI), and a Swift
# package (product QrVeil) around it with the generated Swift source.
#
#   bindings/ios/build-xcframework.sh [OUT_DIR]    (default: target/ios/QrVeil)
#
# Needs macOS with Xcode (xcodebuild, lipo), cmake (`brew install cmake`: the core's second
# judge, zxing-cpp, is C++ built by the cmake crate for each target, its static library bundled
# into ours; the Swift package links libc++) and the Rust targets
# (`rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios`).
# Not run on this project's CI (Linux, no Xcode); see docs/sdk.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${1:-$root/target/ios/QrVeil}

fail() { echo "build-xcframework: $*" >&2; exit 1; }
[[ "$(uname -s)" == Darwin ]] || fail "needs macOS with Xcode (xcodebuild, lipo)"
command -v xcodebuild >/dev/null || fail "xcodebuild not found: install Xcode and run xcode-select"
command -v cmake >/dev/null || fail "cmake not found (zxing-cpp builds with it): brew install cmake"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
for t in "${targets[@]}"; do
    rustup target list --installed | grep -qx "$t" || fail "Rust target $t missing: rustup target add $t"
done

echo "1/3 static libraries for ${targets[*]} (release, without the in-process style function)"
for t in "${targets[@]}"; do
    # staticlib only here: Android and the JVM load the cdylib the crate declares.
    IPHONEOS_DEPLOYMENT_TARGET=15.0 cargo rustc --locked --release -p qrveil-ffi --no-default-features --lib \
        --target "$t" --crate-type staticlib
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/headers" "$stage/sim"
cp bindings/swift/QrVeilFFI.h "$stage/headers/"
cp bindings/swift/QrVeilFFI.modulemap "$stage/headers/module.modulemap"
lipo -create target/aarch64-apple-ios-sim/release/libqrveil_ffi.a target/x86_64-apple-ios/release/libqrveil_ffi.a \
    -output "$stage/sim/libqrveil_ffi.a"

echo "2/3 QrVeilFFI.xcframework"
rm -rf "$out"
mkdir -p "$out/Sources/QrVeil"
xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release/libqrveil_ffi.a -headers "$stage/headers" \
    -library "$stage/sim/libqrveil_ffi.a" -headers "$stage/headers" \
    -output "$out/QrVeilFFI.xcframework"

echo "3/3 Swift package"
cp bindings/swift/QrVeil.swift "$out/Sources/QrVeil/"
cp bindings/ios/Package.swift "$out/Package.swift"
echo "wrote the Swift package $out: add it in Xcode (File > Add Package Dependencies > Add Local)"
