// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the Swift toolchain only (Foundation, Dispatch, Glibc, Swift Testing).
// Dependencies point one way: mfld → Registry → {Objectives, Reductions, Integrators} → SolverAPI → DenseKernels.
let package = Package(
  name: "mfld",
  products: [
    // Everything a plugin or a custom runner needs: the vocabulary and the built-in parts.
    .library(name: "MFLD", targets: ["SolverAPI", "Objectives", "Reductions", "Integrators", "Registry"]),
    .executable(name: "mfld", targets: ["mfld"]),
  ],
  targets: [
    // The dense float64 kernels (C: AVX2 + FMA by per-function target attributes, chosen at run time).
    .target(name: "DenseKernels"),
    .target(name: "SolverAPI", dependencies: ["DenseKernels"]),
    .target(name: "Objectives", dependencies: ["SolverAPI"]),
    .target(name: "Reductions", dependencies: ["SolverAPI"]),
    .target(name: "Integrators", dependencies: ["SolverAPI"]),
    .target(name: "Registry", dependencies: ["SolverAPI", "Objectives", "Reductions", "Integrators"]),
    .executableTarget(name: "mfld", dependencies: ["Registry", "SolverAPI"]),
    .testTarget(name: "SolverAPITests", dependencies: ["SolverAPI"]),
    .testTarget(name: "ObjectivesTests", dependencies: ["Objectives", "SolverAPI"]),
    .testTarget(name: "ReductionsTests", dependencies: ["Reductions", "Objectives", "Integrators", "SolverAPI"]),
    .testTarget(name: "IntegratorsTests", dependencies: ["Integrators", "Objectives", "SolverAPI"]),
    .testTarget(name: "RegistryTests", dependencies: ["Registry", "SolverAPI"]),
    .testTarget(name: "mfldTests", dependencies: ["mfld", "Registry", "SolverAPI"]),
  ],
  swiftLanguageModes: [.v5]
)
