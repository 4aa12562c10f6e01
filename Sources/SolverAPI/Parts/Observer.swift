import LinearAlgebra

/// A quantity recorded in the trace every `record.every` steps (never every particle at every step).
public protocol Observer: AnyObject {
  /// Column names it contributes.
  var names: [String] { get }
  /// Values for the current state, in the order of `names` (NaN: not computed at this step, written
  /// as an empty cell). `temperature` is the τ in force.
  func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double]
}
