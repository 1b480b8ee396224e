// swift-tools-version:5.9
// The qrveil Swift package as bindings/ios/build-xcframework.sh lays it out: the Rust core in
// QrVeilFFI.xcframework (static library, C header, module map) and the generated Swift API.
import PackageDescription

let package = Package(
    name: "QrVeil",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "QrVeil", targets: ["QrVeil"]),
    ],
    targets: [
        .binaryTarget(name: "QrVeilFFI", path: "QrVeilFFI.xcframework"),
        // The core's second judge, zxing-cpp, is C++ inside the static library: link libc++.
        .target(name: "QrVeil", dependencies: ["QrVeilFFI"], path: "Sources/QrVeil",
                linkerSettings: [.linkedLibrary("c++")]),
    ]
)
