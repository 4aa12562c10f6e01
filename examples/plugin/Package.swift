// swift-tools-version:6.0
import PackageDescription

// An mfld plugin, built on its own: `swift build -c release --package-path examples/plugin` leaves
// the library at examples/plugin/.build/release/libStudentT.so (docs/plugins.md).
let package = Package(
  name: "StudentTPlugin",
  products: [
    // Route 1: a plugin the unmodified `mfld` loads (`"plugins": [...]` or `--plugin PATH`).
    .library(name: "StudentT", type: .dynamic, targets: ["StudentTPlugin"]),
    // Route 2: a custom runner that registers the same parts directly (no dlopen).
    .executable(name: "student-t-runner", targets: ["student-t-runner"]),
  ],
  dependencies: [
    .package(name: "mfld", path: "../.."),
  ],
  targets: [
    // The parts, written against SolverAPI exactly like built-in ones.
    .target(name: "StudentTParts", dependencies: [.product(name: "MFLD", package: "mfld")]),
    // The two C entry points of the plugin ABI.
    .target(name: "StudentTPlugin", dependencies: ["StudentTParts", .product(name: "MFLD", package: "mfld")]),
    .executableTarget(name: "student-t-runner", dependencies: ["StudentTParts", .product(name: "MFLD", package: "mfld")]),
    // The finite-difference check every objective passes.
    .testTarget(name: "StudentTPartsTests", dependencies: ["StudentTParts", .product(name: "MFLD", package: "mfld")]),
  ],
  swiftLanguageModes: [.v5]
)
