import LinearAlgebra

/// A time integrator: advances the particle cloud by one step (docs/math.md §3). Temperature and step
/// size are schedules, so annealing composes with every integrator.
public protocol Integrator: AnyObject {
  /// τ_t.
  var temperature: any Schedule { get }
  /// η_t.
  var stepSize: any Schedule { get }

  /// Takes step `state.step` and advances `state` (step + 1, time + η). Returns F(μ_m) of the cloud
  /// before the move, which the step computes anyway (an estimate when `reportsExactObjective` is
  /// false). `noise` is the run's dynamics stream.
  func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double

  /// False when `step` returns an estimate of F (a minibatch value): the run loop then evaluates F
  /// exactly at the recorded steps.
  var reportsExactObjective: Bool { get }

  /// Why this integrator cannot serve the problem (a minibatch needs data), or nil when it can.
  func incompatibility(with problem: Problem) -> String?
}

extension Integrator {
  public var reportsExactObjective: Bool { true }
  public func incompatibility(with problem: Problem) -> String? { nil }
}
