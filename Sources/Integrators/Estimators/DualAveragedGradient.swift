import LinearAlgebra
import SolverAPI

/// Particle dual averaging (Nitanda, Wu, Suzuki 2021), docs/math.md §3. Outer step k averages the first
/// variations of the outer iterates μ_1, …, μ_k with weights j,
///     ḡ_k = Σ_{j≤k} j V_{μ_j} / Σ_{j≤k} j,
/// and the inner loop runs `inner_steps` Langevin steps on ḡ_k (+ the reference), warm-started from
/// the current particles, to sample ∝ exp(−ḡ_k/τ) ρ. The outer iterates are kept as snapshots; ∇ḡ_k at
/// the particles is Σ_j w_j ∇V_{μ_j}, from `firstVariation(of:at:)`. The trace's objective is F of the
/// current particles.
///
/// Memory is bounded by `window`: only the last `window` outer iterates are kept, each with its own weight j
/// (the sums run over j = k − window + 1, …, k). The oldest carry the least weight (j/Σj), and within the
/// window the average is exactly the one above; past it, memory stays at `window` clouds instead of growing
/// by one per outer step.
public final class DualAveragedGradient: GradientEstimator, Checkpointable {
  public let innerSteps: Int
  public let window: Int
  private var snapshots: [ParticleCloud] = []
  /// Outer iterates dropped from the front of the window (the first kept one is iterate `dropped + 1`).
  private var dropped = 0
  private var values: [Double] = []
  private var scratch: [Double] = []

  public init(innerSteps: Int, window: Int = .max) {
    self.innerSteps = innerSteps
    self.window = max(1, window)
  }

  public func checkpointState() -> [String: [Double]] {
    ["snapshots": snapshots.flatMap(\.coordinates), "shape": snapshots.first.map { [Double($0.count), Double($0.dimension)] } ?? [],
     "dropped": [Double(dropped)]]
  }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    guard let shape = state["shape"], let values = state["snapshots"] else { return }
    guard shape.count == 2 else { snapshots = []; return }
    // Untrusted input: whole positive counts whose product divides the saved values.
    guard let m = Int(exactly: shape[0]), let d = Int(exactly: shape[1]), m >= 1, d >= 1,
          case let (size, overflow) = m.multipliedReportingOverflow(by: d), !overflow, size <= values.count, values.count % size == 0 else {
      throw ConfigError(path: "state.integrator.shape", "[\(shape.map { "\($0)" }.joined(separator: ", "))] does not fit the \(values.count) saved snapshot values",
                        fix: "the checkpoint is damaged; start the run again without resuming")
    }
    guard let k = Int(exactly: state["dropped"]?.first ?? 0), k >= 0 else {
      throw ConfigError(path: "state.integrator.dropped", "is not a count of outer iterates",
                        fix: "the checkpoint is damaged; start the run again without resuming")
    }
    dropped = k
    snapshots = stride(from: 0, to: values.count, by: size).map {
      ParticleCloud(count: m, dimension: d, coordinates: Array(values[$0 ..< $0 + size]))
    }
  }

  /// The inner loop samples exp(−ḡ_k/τ) ρ: a metric without transport cannot.
  public func incompatibility(with problem: Problem) -> String? {
    problem.metric.transportsParticles ? nil
      : "its inner loop samples exp(−ḡ/τ)ρ by transport, and the metric has none: it only reweights the particles (use wasserstein or wasserstein-fisher-rao)"
  }

  /// ∇ḡ_k at the particles into `g`, and ḡ_k itself into `values` when asked (a birth–death metric
  /// reweights by the averaged first variation).
  public func estimate(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                       values averaged: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double {
    if state.step % innerSteps == 0 || snapshots.isEmpty {
      snapshots.append(state.cloud)
      if snapshots.count > window {
        snapshots.removeFirst()
        dropped += 1
      }
    }
    let m = state.cloud.count
    if values.count != m { values = [Double](repeating: 0, count: m) }
    if scratch.count != g.count { scratch = [Double](repeating: 0, count: g.count) }
    for k in 0..<g.count { g[k] = 0 }
    averaged?.initialize(repeating: 0)
    // Weights j for the kept iterates j = dropped + 1, …, dropped + count.
    let count = Double(snapshots.count), first = Double(dropped)
    let total = count * (count + 1) / 2 + first * count
    for (j, snapshot) in snapshots.enumerated() {
      let w = (first + Double(j + 1)) / total
      try values.withUnsafeMutableBufferPointer { v in
        try scratch.withUnsafeMutableBufferPointer { s in
          try problem.objective.firstVariation(of: snapshot, at: state.cloud, values: v, gradients: s, parallel: parallel)
        }
      }
      for k in 0..<g.count { g[k] += w * scratch[k] }
      if let averaged { for i in 0..<m { averaged[i] += w * values[i] } }
    }
    return try problem.objective.evaluate(state.cloud, gradient: nil, parallel: parallel)
  }
}
