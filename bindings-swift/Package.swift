// swift-tools-version:5.10
// The Swift package of the Dintero Checkout SDK: the uniffi-generated Swift (produced by
// scripts/swift-generate.sh from the Rust library, never committed) plus a thin hand-written
// layer. Link against libdintero_checkout_uniffi with
//   swift test -Xlinker -L<libdir> -Xlinker -rpath -Xlinker <libdir>
// (scripts/uniffi-test.sh does all of it).
import PackageDescription

let package = Package(
    name: "DinteroCheckout",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "DinteroCheckout", targets: ["DinteroCheckout"]),
    ],
    targets: [
        // The C header and module map of the Rust library's FFI (generated).
        .systemLibrary(name: "DinteroCheckoutFFI", path: "Sources/DinteroCheckoutFFI"),
        // Generated bindings in Sources/DinteroCheckout/Generated + the hand-written extensions.
        .target(name: "DinteroCheckout", dependencies: ["DinteroCheckoutFFI"]),
        .testTarget(name: "DinteroCheckoutTests", dependencies: ["DinteroCheckout"]),
    ]
)
