import LinearAlgebra
import SolverAPI

/// The entropic best-response (fictitious play) flow, docs/math.md §3:
///     μ ← (1 − α) μ + α Ψ(μ),   Ψ(μ) ∝ exp(−V_μ/τ) ρ.
/// Each outer step freezes μ, runs an auxiliary Langevin chain on V_μ for `inner_steps` steps
/// (warm-started from where the last outer step left it), then replaces a fraction α of the particles
/// (chosen at random, a pure function of the seed and the outer step) by the chain's particles.
/// The particles themselves only change at outer boundaries; Ψ's fixed point is the Gibbs measure.
///
/// Not a Langevin step of the particles (those jump, they do not drift): the chain moves by the
/// problem's metric, the particles by resampling.
public final class BestResponse: Integrator, Checkpointable {
  public let temperature: any Schedule
  public let stepSize: any Schedule
  public let innerSteps: Int
  public let fraction: Double
  private let random: RandomStream
  private var frozen: ParticleCloud?
  private var chain: ParticleCloud?
  private var gradient: [Double] = []
  private var values: [Double] = []
  private var pendingRestore: [String: [Double]]?

  public init(stepSize: any Schedule, temperature: any Schedule, innerSteps: Int, fraction: Double, random: RandomStream) {
    self.stepSize = stepSize
    self.temperature = temperature
    self.innerSteps = innerSteps
    self.fraction = fraction
    self.random = random
  }

  /// The inner chain samples exp(−V_μ/τ) ρ: a metric without transport cannot.
  public func incompatibility(with problem: Problem) -> String? {
    problem.metric.transportsParticles ? nil
      : "its inner chain samples exp(−V/τ)ρ by transport, and the metric has none: it only reweights the particles (use wasserstein or wasserstein-fisher-rao)"
  }

  public func checkpointState() -> [String: [Double]] {
    if let pendingRestore { return pendingRestore }  // restored, not used yet: still the state
    var out: [String: [Double]] = [:]
    if let frozen { out["frozen"] = frozen.coordinates }
    if let chain { out["chain"] = chain.coordinates }
    return out
  }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    pendingRestore = state
  }

  public func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
    if let saved = pendingRestore {
      frozen = ParticleCloud.restored(saved["frozen"], like: state.cloud)
      chain = ParticleCloud.restored(saved["chain"], like: state.cloud)
      pendingRestore = nil
    }
    let t = state.step
    let eta = stepSize.value(at: t), tau = temperature.value(at: t)
    let m = state.cloud.count, size = m * state.cloud.dimension
    if t % innerSteps == 0 || frozen == nil { frozen = state.cloud }
    if chain == nil { chain = state.cloud }
    if gradient.count != size { gradient = [Double](repeating: 0, count: size) }
    if values.count != m { values = [Double](repeating: 0, count: m) }
    let f = try problem.objective.evaluate(state.cloud, gradient: nil, parallel: parallel)
    // One step of the auxiliary chain on the frozen first variation.
    try values.withUnsafeMutableBufferPointer { v in
      try gradient.withUnsafeMutableBufferPointer { g in
        try problem.objective.firstVariation(of: frozen!, at: chain!, values: v, gradients: g, parallel: parallel)
        problem.metric.move(&chain!, gradient: g, values: problem.metric.needsFirstVariationValues ? v : nil, stepSize: eta,
                            temperature: tau, noise: noise.split("best-response"), step: t, parallel: parallel)
      }
    }
    if (t + 1) % innerSteps == 0 { resample(&state.cloud, outer: t / innerSteps) }
    state.step += 1
    state.time += eta
    return f
  }

  /// Replaces ⌈αm⌉ particles by the chain's, chosen by a permutation drawn for this outer step.
  private func resample(_ cloud: inout ParticleCloud, outer: Int) {
    let m = cloud.count, d = cloud.dimension
    var order = Array(0..<m)
    for i in stride(from: m - 1, to: 0, by: -1) {
      order.swapAt(i, min(i, Int(random.uniform(step: outer, index: i) * Double(i + 1))))
    }
    for i in order.prefix(Int((fraction * Double(m)).rounded(.up))) {
      for k in 0..<d { cloud[i, k] = chain![i, k] }
    }
  }
}
