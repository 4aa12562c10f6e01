import LinearAlgebra
import SolverAPI

/// Where a Langevin step's drift comes from (docs/math.md §3): the exact ∇V_{μ_m}, or an estimate of
/// it — on a minibatch of the data, variance-reduced against an anchor, or averaged over past
/// first variations. `EulerMaruyama` feeds whatever the estimator writes to the metric's move, so the
/// variants of MFLD differ only in the estimator they are built with.
///
/// An estimator with state beyond the particles (an anchor, snapshots) also conforms to
/// `Checkpointable`; the integrator forwards its checkpoint.
public protocol GradientEstimator: AnyObject {
  /// Writes the drift g for every particle into `g` (count × dimension, overwritten) and, when `values`
  /// is non-nil (a birth–death metric), the matching estimate of the first variation V(X^i) into it;
  /// returns F(μ_m), or its estimate when `isExact` is false.
  func estimate(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                values: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double

  /// False when `estimate` returns an estimate of F (a minibatch value): the run loop then evaluates F
  /// exactly at the recorded steps.
  var isExact: Bool { get }

  /// Why this estimator cannot serve the problem (a minibatch needs data), or nil when it can.
  func incompatibility(with problem: Problem) -> String?
}

extension GradientEstimator {
  public var isExact: Bool { true }
  public func incompatibility(with problem: Problem) -> String? { nil }
}
