import LinearAlgebra
import SolverAPI

/// Euler–Maruyama for mean-field Langevin dynamics (docs/math.md §1): every particle sees the same
/// μ_m, computed once per step,
///     X ← Retr_X( −η_t P_X(g(X) + τ_t ∇U(X)) + sqrt(2 η_t τ_t) P_X ξ ),   g = ∇V_{μ_m} or an estimate,
/// the move being the metric's (Wasserstein above; conic or birth–death for other metrics). τ = 0 is
/// noiseless mean-field gradient descent. For dX = −cX dt + sqrt(2τ) dB the chain's stationary
/// variance is τ / (c (1 − ηc/2)): the O(η) bias of the scheme.
///
/// The variants of docs/math.md §3 — SGD, SVRG, dual averaging — are this step with another
/// `GradientEstimator`; what decides *which drift and when* is the estimator, *how a drift moves the
/// cloud* the metric.
public final class EulerMaruyama: Integrator, Checkpointable {
  public let temperature: any Schedule
  public let stepSize: any Schedule
  public let estimator: any GradientEstimator
  private var gradient: [Double] = []
  /// V(X^i), for metrics that reweight by it (empty otherwise).
  private var values: [Double] = []

  public init(stepSize: any Schedule, temperature: any Schedule, estimator: any GradientEstimator = ExactGradient()) {
    self.stepSize = stepSize
    self.temperature = temperature
    self.estimator = estimator
  }

  /// Constant step size η and temperature τ.
  public convenience init(step: Double, temperature: Double, estimator: any GradientEstimator = ExactGradient()) {
    self.init(stepSize: ConstantSchedule(step), temperature: ConstantSchedule(temperature), estimator: estimator)
  }

  public var reportsExactObjective: Bool { estimator.isExact }
  /// The estimator reads the particles, the metric's move alone changes them.
  public var commitsBeforeMoving: Bool { true }
  public func incompatibility(with problem: Problem) -> String? { estimator.incompatibility(with: problem) }

  public func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
    let t = state.step
    let eta = stepSize.value(at: t), tau = temperature.value(at: t)
    let m = state.cloud.count, size = m * state.cloud.dimension, needsValues = problem.metric.needsFirstVariationValues
    if gradient.count != size { gradient = [Double](repeating: 0, count: size) }
    if needsValues, values.count != m { values = [Double](repeating: 0, count: m) }
    // The buffers are taken out of `self` while in use, and `state` is not copied: a second reference
    // to the cloud would make the move copy it (an allocation every step).
    var g = gradient, v = values
    (gradient, values) = ([], [])
    defer { (gradient, values) = (g, v) }
    let f = try g.withUnsafeMutableBufferPointer { gp in
      try v.withUnsafeMutableBufferPointer { vp in
        try estimator.estimate(state, problem: problem, into: gp, values: needsValues ? vp : nil, parallel: parallel)
      }
    }
    // The drift took the time; the move is short. A stop request that cut the drift leaves the particles alone.
    if Cancellation.commit() { return f }
    g.withUnsafeMutableBufferPointer { gp in
      v.withUnsafeMutableBufferPointer { vp in
        problem.metric.move(&state.cloud, gradient: gp, values: needsValues ? vp : nil, stepSize: eta, temperature: tau,
                            noise: noise, step: t, parallel: parallel)
      }
    }
    state.step += 1
    state.time += eta
    return f
  }

  // MARK: Checkpointable (the estimator's state, if it has any)

  public func checkpointState() -> [String: [Double]] {
    (estimator as? any Checkpointable)?.checkpointState() ?? [:]
  }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    try (estimator as? any Checkpointable)?.restoreCheckpoint(state)
  }
}
