// The library in one import: `import MFLD` brings the vocabulary (SolverAPI), the shared numerics
// (LinearAlgebra's `Parallel` and `Dense`), config values and formats, the expression compiler, every
// built-in part (Objectives, Reductions, Integrators), the registry and its composition, the plugin
// ABI, and the experiment layer (run folders, comparisons, plots). README.md, "Library use", shows a
// run built and executed in code.
@_exported import Experiments
@_exported import Expressions
@_exported import Formats
@_exported import Integrators
@_exported import LinearAlgebra
@_exported import Objectives
@_exported import Plugins
@_exported import Reductions
@_exported import Registry
@_exported import SolverAPI
@_exported import Suggestions
