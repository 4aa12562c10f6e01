// swift-tools-version:6.0
import PackageDescription

// No package dependencies: the Swift toolchain only (Foundation, Dispatch, Glibc, Swift Testing).
//
// Modules, each depending only on those below it (README.md, "Layout", draws the graph):
//
//   mfld (the tool: commands, benchmark suites)
//   mfldc (libmfldc.so: the C interface the Python package loads, Sources/Registry/CInterface; on Experiments)
//    └ MFLD (umbrella: `import MFLD` is all a library user needs)
//       └ Experiments (run folders, compare, reports, plots)
//          └ Registry (name → component; config resolution and composition)
//             ├ Plugins (both sides of the C plugin ABI)
//             └ Objectives, Reductions, Integrators (the parts; they meet only through SolverAPI)
//                └ SolverAPI (the vocabulary: protocols, particles, geometries, parameters, errors,
//                   │          random streams, the run loop)
//                   ├ LinearAlgebra (dense products, Cholesky, parallel loops) ─ CKernels (C)
//                   ├ Expressions (the formula compiler)
//                   ├ Formats (config values, JSON, CSV)
//                   └ Suggestions ("did you mean")
//
// Targets split out of a folder of the user's layout sit in its subfolders (Sources/SolverAPI/Formats…).
let solverAPIFoundations = ["CKernels", "LinearAlgebra", "Formats", "Expressions", "Suggestions"]
let registryLayers = ["Plugins", "Experiments", "MFLD", "CInterface"]

let package = Package(
  name: "mfld",
  products: [
    // Everything a library user, a plugin or a custom runner needs: `import MFLD`.
    .library(name: "MFLD", targets: ["MFLD"]),
    .executable(name: "mfld", targets: ["mfld"]),
    // The solver behind a C interface (libmfldc.so): what the Python package in python/ loads with ctypes.
    .library(name: "mfldc", type: .dynamic, targets: ["CInterface"]),
  ],
  targets: [
    // Below the vocabulary.
    .target(name: "CKernels", path: "Sources/SolverAPI/CKernels"),
    .target(name: "Suggestions", path: "Sources/SolverAPI/Suggestions"),
    .target(name: "Formats", dependencies: ["Suggestions"], path: "Sources/SolverAPI/Formats"),
    .target(name: "Expressions", dependencies: ["Suggestions"], path: "Sources/SolverAPI/Expressions"),
    .target(name: "LinearAlgebra", dependencies: ["CKernels"], path: "Sources/SolverAPI/LinearAlgebra"),
    // The vocabulary.
    .target(name: "SolverAPI", dependencies: ["CKernels", "LinearAlgebra", "Formats", "Suggestions"],
            exclude: solverAPIFoundations),
    // The parts.
    .target(name: "Objectives", dependencies: ["SolverAPI", "LinearAlgebra", "Formats", "Expressions", "Suggestions"]),
    .target(name: "Reductions", dependencies: ["SolverAPI", "LinearAlgebra", "Formats"]),
    .target(name: "Integrators", dependencies: ["SolverAPI", "LinearAlgebra", "Formats"]),
    // Names, composition, plugins.
    .target(name: "Plugins", dependencies: ["SolverAPI", "LinearAlgebra", "Formats"], path: "Sources/Registry/Plugins"),
    .target(name: "Registry", dependencies: ["SolverAPI", "LinearAlgebra", "Formats", "Suggestions", "Expressions",
                                             "Objectives", "Reductions", "Integrators", "Plugins"],
            exclude: registryLayers),
    // Experiments: run folders, comparisons, reports.
    .target(name: "Experiments", dependencies: ["Registry", "SolverAPI", "LinearAlgebra", "Formats", "Suggestions"],
            path: "Sources/Registry/Experiments"),
    .target(name: "MFLD", dependencies: ["Experiments", "Registry", "Plugins", "Objectives", "Reductions", "Integrators",
                                         "SolverAPI", "LinearAlgebra", "Formats", "Expressions", "Suggestions"],
            path: "Sources/Registry/MFLD"),
    // The C interface: runs, stepping, particles, traces, checks and part registration as C functions.
    .target(name: "CInterface", dependencies: ["Experiments", "Registry", "Plugins", "SolverAPI", "LinearAlgebra", "Formats", "Suggestions"],
            path: "Sources/Registry/CInterface"),
    // The command-line tool, with the benchmark suites (Bench/).
    .executableTarget(name: "mfld", dependencies: ["MFLD"]),

    // Seeded generators and law checkers the test targets share (not in any product).
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "SuggestionsTests", dependencies: ["Suggestions"]),
    .testTarget(name: "FormatsTests", dependencies: ["Formats", "TestSupport"]),
    .testTarget(name: "ExpressionsTests", dependencies: ["Expressions", "TestSupport"]),
    .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
    .testTarget(name: "SolverAPITests", dependencies: ["SolverAPI", "LinearAlgebra", "Formats"]),
    .testTarget(name: "ObjectivesTests", dependencies: ["Objectives", "SolverAPI", "LinearAlgebra", "Formats"]),
    .testTarget(name: "ReductionsTests", dependencies: ["Reductions", "Objectives", "Integrators", "SolverAPI", "LinearAlgebra"]),
    .testTarget(name: "IntegratorsTests", dependencies: ["Integrators", "Objectives", "SolverAPI", "LinearAlgebra"]),
    .testTarget(name: "PluginsTests", dependencies: ["Plugins", "Registry", "SolverAPI", "LinearAlgebra", "Formats"]),
    .testTarget(name: "RegistryTests", dependencies: ["Registry", "Objectives", "Integrators", "SolverAPI", "LinearAlgebra", "Formats", "TestSupport"]),
    .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Registry", "SolverAPI", "Formats", "TestSupport"], exclude: ["Golden"]),
    .testTarget(name: "MFLDTests", dependencies: ["MFLD"]),
    .testTarget(name: "mfldTests", dependencies: ["mfld", "MFLD"]),
  ],
  swiftLanguageModes: [.v5]
)
