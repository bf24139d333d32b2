// swift-tools-version:5.10
// Benchmark harness for the Swift binding (prints figures). Run by scripts/swift-bench.sh.
import PackageDescription

let package = Package(
    name: "DinteroBench",
    dependencies: [.package(name: "DinteroCheckout", path: "..")],
    targets: [
        .executableTarget(
            name: "DinteroBench",
            dependencies: [.product(name: "DinteroCheckout", package: "DinteroCheckout")]
        ),
    ]
)
