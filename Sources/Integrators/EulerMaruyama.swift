import SolverAPI

/// Euler–Maruyama for mean-field Langevin dynamics (MATH.md §1): every particle sees the same μ_m,
/// computed once per step,
///     X ← Retr_X( −η_t P_X(∇V_{μ_m}(X) + τ_t ∇U(X)) + sqrt(2 η_t τ_t) P_X ξ ).
/// τ = 0 is noiseless mean-field gradient descent. For dX = −cX dt + sqrt(2τ) dB the chain's
/// stationary variance is τ / (c (1 − ηc/2)): the O(η) bias of the scheme.
public final class EulerMaruyama: Integrator {
  public let temperature: any Schedule
  public let stepSize: any Schedule
  private var gradient: [Double] = []

  public init(stepSize: any Schedule, temperature: any Schedule) {
    self.stepSize = stepSize
    self.temperature = temperature
  }

  public func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
    let t = state.step
    let eta = stepSize.value(at: t), tau = temperature.value(at: t)
    let size = state.cloud.count * state.cloud.dimension
    if gradient.count != size { gradient = [Double](repeating: 0, count: size) }
    let f = try gradient.withUnsafeMutableBufferPointer { g -> Double in
      let f = try problem.objective.evaluate(state.cloud, gradient: g, parallel: parallel)
      problem.metric.move(&state.cloud, gradient: g, stepSize: eta, temperature: tau, noise: noise, step: t, parallel: parallel)
      return f
    }
    state.step += 1
    state.time += eta
    return f
  }
}
