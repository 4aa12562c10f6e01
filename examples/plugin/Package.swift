// swift-tools-version:6.0
import PackageDescription

// An mfld plugin with one part of every kind, built on its own:
// `swift build --package-path examples/plugin` leaves the library at
// examples/plugin/.build/debug/libExamplePlugin.so (docs/plugins.md).
let package = Package(
  name: "ExamplePlugin",
  products: [
    // Route 1: a plugin the unmodified `mfld` loads (`"plugins": [...]` or `--plugin PATH`).
    .library(name: "ExamplePlugin", type: .dynamic, targets: ["ExamplePlugin"]),
    // Route 2: a custom runner that registers the same parts directly (no dlopen).
    .executable(name: "example-runner", targets: ["example-runner"]),
  ],
  dependencies: [
    .package(name: "mfld", path: "../.."),
  ],
  targets: [
    // The parts, written against SolverAPI exactly like built-in ones: one file per part.
    .target(name: "ExampleParts", dependencies: [.product(name: "MFLD", package: "mfld")]),
    // The two C entry points of the plugin ABI.
    .target(name: "ExamplePlugin", dependencies: ["ExampleParts", .product(name: "MFLD", package: "mfld")]),
    .executableTarget(name: "example-runner", dependencies: ["ExampleParts", .product(name: "MFLD", package: "mfld")]),
    // The laws every part passes, on the Swift parts directly.
    .testTarget(name: "ExamplePartsTests", dependencies: ["ExampleParts", .product(name: "MFLD", package: "mfld")]),
  ],
  swiftLanguageModes: [.v5]
)
