// swift-tools-version:5.10
// The Dintero checkout flow as a Swift command-line program, using the local package in
// ../../bindings-swift. Run by scripts/uniffi-test.sh (inside the Swift chroot):
//   DINTERO_EMULATOR_URL=http://127.0.0.1:8400 swift run -Xlinker -L<libdir> -Xlinker -rpath -Xlinker <libdir>
import PackageDescription

let package = Package(
    name: "CheckoutExample",
    platforms: [.macOS(.v12)],
    dependencies: [
        .package(name: "DinteroCheckout", path: "../../bindings-swift"),
    ],
    targets: [
        .executableTarget(
            name: "Checkout",
            dependencies: [.product(name: "DinteroCheckout", package: "DinteroCheckout")]
        ),
        // A shop with the framework-neutral callback receiver: swift run Shop
        .executableTarget(
            name: "Shop",
            dependencies: [.product(name: "DinteroCheckout", package: "DinteroCheckout")]
        ),
    ]
)
