import SolverAPI

/// Euler–Maruyama for mean-field Langevin dynamics (MATH.md §1): every particle sees the same μ_m,
/// computed once per step,
///     X ← Retr_X( −η_t P_X(g(X) + τ_t ∇U(X)) + sqrt(2 η_t τ_t) P_X ξ ),   g = ∇V_{μ_m}.
/// τ = 0 is noiseless mean-field gradient descent. For dX = −cX dt + sqrt(2τ) dB the chain's
/// stationary variance is τ / (c (1 − ηc/2)): the O(η) bias of the scheme.
///
/// The variants of MATH.md §3 differ only in the drift g they feed the same move: subclasses
/// override `estimateGradient` (a minibatch, a variance-reduced estimate, an averaged first variation).
public class EulerMaruyama: Integrator {
  public let temperature: any Schedule
  public let stepSize: any Schedule
  var gradient: [Double] = []

  public init(stepSize: any Schedule, temperature: any Schedule) {
    self.stepSize = stepSize
    self.temperature = temperature
  }

  /// Writes the drift g for every particle into `g` and returns F(μ_m) (or its estimate).
  /// The default is the exact ∇V_{μ_m}.
  public func estimateGradient(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                               parallel: Parallel) throws -> Double {
    try problem.objective.evaluate(state.cloud, gradient: g, parallel: parallel)
  }

  public var reportsExactObjective: Bool { true }
  public func incompatibility(with problem: Problem) -> String? { nil }

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
    let f = try g.withUnsafeMutableBufferPointer { try estimateGradient(state, problem: problem, into: $0, parallel: parallel) }
    g.withUnsafeMutableBufferPointer {
      problem.metric.move(&state.cloud, gradient: $0, stepSize: eta, temperature: tau, noise: noise, step: t, parallel: parallel)
    }
    state.step += 1
    state.time += eta
    return f
  }
}
