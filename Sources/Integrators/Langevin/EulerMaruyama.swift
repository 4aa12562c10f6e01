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
  public func incompatibility(with problem: Problem) -> String? { estimator.incompatibility(with: problem) }

  public func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
    let t = state.step
    let eta = stepSize.value(at: t), tau = temperature.value(at: t)
    let size = state.cloud.count * state.cloud.dimension
    if gradient.count != size { gradient = [Double](repeating: 0, count: size) }
    // The gradient buffer is taken out of `self` while in use, and `state` is not copied: a second
    // reference to the cloud would make the move copy it (an allocation every step).
    var g = gradient
    gradient = []
    defer { gradient = g }
    let f = try g.withUnsafeMutableBufferPointer { try estimator.estimate(state, problem: problem, into: $0, parallel: parallel) }
    g.withUnsafeMutableBufferPointer {
      problem.metric.move(&state.cloud, gradient: $0, stepSize: eta, temperature: tau, noise: noise, step: t, parallel: parallel)
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
