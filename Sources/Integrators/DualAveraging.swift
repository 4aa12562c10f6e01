import SolverAPI

/// Particle dual averaging (Nitanda, Wu, Suzuki 2021), MATH.md §3. Outer step k averages the first
/// variations of the outer iterates μ_1, …, μ_k with weights j,
///     ḡ_k = Σ_{j≤k} j V_{μ_j} / Σ_{j≤k} j,
/// and the inner loop runs `inner_steps` Langevin steps on ḡ_k (+ the reference), warm-started from
/// the current particles, to sample ∝ exp(−ḡ_k/τ) ρ. The outer iterates are kept as snapshots (memory
/// grows by one cloud per outer step); ∇ḡ_k at the particles is Σ_j w_j ∇V_{μ_j}, from
/// `firstVariation(of:at:)`. The trace's objective is F of the current particles.
public final class DualAveraging: EulerMaruyama, Checkpointable {
  public let innerSteps: Int
  var snapshots: [ParticleCloud] = []
  var values: [Double] = []
  var scratch: [Double] = []

  public init(stepSize: any Schedule, temperature: any Schedule, innerSteps: Int) {
    self.innerSteps = innerSteps
    super.init(stepSize: stepSize, temperature: temperature)
  }

  public func checkpointState() -> [String: [Double]] {
    ["snapshots": snapshots.flatMap(\.coordinates), "shape": snapshots.first.map { [Double($0.count), Double($0.dimension)] } ?? []]
  }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    guard let shape = state["shape"], let values = state["snapshots"] else { return }
    guard shape.count == 2 else { snapshots = []; return }
    let (m, d) = (Int(shape[0]), Int(shape[1]))
    snapshots = stride(from: 0, to: values.count, by: m * d).map {
      ParticleCloud(count: m, dimension: d, coordinates: Array(values[$0 ..< $0 + m * d]))
    }
  }

  public override func estimateGradient(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                                        parallel: Parallel) throws -> Double {
    if state.step % innerSteps == 0 || snapshots.isEmpty { snapshots.append(state.cloud) }
    let m = state.cloud.count
    if values.count != m { values = [Double](repeating: 0, count: m) }
    if scratch.count != g.count { scratch = [Double](repeating: 0, count: g.count) }
    for k in 0..<g.count { g[k] = 0 }
    let total = Double(snapshots.count * (snapshots.count + 1) / 2)
    for (j, snapshot) in snapshots.enumerated() {
      let w = Double(j + 1) / total
      try values.withUnsafeMutableBufferPointer { v in
        try scratch.withUnsafeMutableBufferPointer { s in
          try problem.objective.firstVariation(of: snapshot, at: state.cloud, values: v, gradients: s, parallel: parallel)
        }
      }
      for k in 0..<g.count { g[k] += w * scratch[k] }
    }
    return try problem.objective.evaluate(state.cloud, gradient: nil, parallel: parallel)
  }
}

/// The entropic best-response (fictitious play) flow, MATH.md §3:
///     μ ← (1 − α) μ + α Ψ(μ),   Ψ(μ) ∝ exp(−V_μ/τ) ρ.
/// Each outer step freezes μ, runs an auxiliary Langevin chain on V_μ for `inner_steps` steps
/// (warm-started from where the last outer step left it), then replaces a fraction α of the particles
/// (chosen at random, a pure function of the seed and the outer step) by the chain's particles.
/// The particles themselves only change at outer boundaries; Ψ's fixed point is the Gibbs measure.
public final class BestResponse: EulerMaruyama, Checkpointable {
  public let innerSteps: Int
  public let fraction: Double
  let random: RandomStream
  var frozen: ParticleCloud?
  var chain: ParticleCloud?
  var values: [Double] = []
  var pendingRestore: [String: [Double]]?

  public init(stepSize: any Schedule, temperature: any Schedule, innerSteps: Int, fraction: Double, random: RandomStream) {
    self.innerSteps = innerSteps
    self.fraction = fraction
    self.random = random
    super.init(stepSize: stepSize, temperature: temperature)
  }

  public func checkpointState() -> [String: [Double]] {
    var out: [String: [Double]] = [:]
    if let frozen { out["frozen"] = frozen.coordinates }
    if let chain { out["chain"] = chain.coordinates }
    return out
  }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    pendingRestore = state
  }

  public override func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
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
        problem.metric.move(&chain!, gradient: g, stepSize: eta, temperature: tau, noise: noise.split("best-response"), step: t, parallel: parallel)
      }
    }
    if (t + 1) % innerSteps == 0 {
      // Replace ⌈αm⌉ particles, chosen by a permutation drawn for this outer step.
      let outer = t / innerSteps
      var order = Array(0..<m)
      for i in stride(from: m - 1, to: 0, by: -1) {
        order.swapAt(i, min(i, Int(random.uniform(step: outer, index: i) * Double(i + 1))))
      }
      let d = state.cloud.dimension
      for i in order.prefix(Int((fraction * Double(m)).rounded(.up))) {
        for k in 0..<d { state.cloud[i, k] = chain![i, k] }
      }
    }
    state.step += 1
    state.time += eta
    return f
  }
}
