/// A quantity recorded in the trace every `record.every` steps (never every particle at every step).
public protocol Observer: AnyObject {
  /// Column names it contributes.
  var names: [String] { get }
  /// Values for the current state, in the order of `names` (NaN: not computed at this step, written
  /// as an empty cell). `temperature` is the τ in force.
  func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double]
}

/// A source of points: initial particles, or a target cloud (generated or read from a file).
public protocol CloudSource: Sendable {
  /// `count` points of `dimension` coordinates. Sources that carry their own size (a file) may
  /// require `count` to match, or accept `nil` to mean "as many as there are".
  func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud
}
