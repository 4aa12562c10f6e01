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

  /// True when `step` calls `Cancellation.commit()` before it first changes the particles, and returns at
  /// once, changing nothing, when that says a stop request cut the step. A long step that may be cut then
  /// keeps no copy of the particles to restore (at 10⁸ particles, a cloud of memory). Default false: the
  /// run keeps the copy.
  var commitsBeforeMoving: Bool { get }
}

extension Integrator {
  public var commitsBeforeMoving: Bool { false }
  public var reportsExactObjective: Bool { true }
  public func incompatibility(with problem: Problem) -> String? { nil }
}
