import LinearAlgebra
import SolverAPI

/// SVRG-MFLD (Suzuki, Wu, Nitanda 2023; docs/math.md §3): every T steps keep an anchor (X̃, full ∇V at
/// X̃); in between
///     v = ∇V_B(X) − ∇V_B(X̃) + ∇V_full(X̃)
/// on a minibatch B (the same batches as `MinibatchGradient`). Unbiased, with variance that vanishes
/// as X → X̃. The first variation's values, when a birth–death metric asks, are estimated the same way.
public final class VarianceReducedGradient: GradientEstimator, Checkpointable {
  public let anchorPeriod: Int
  let batches: MinibatchBatches
  private var anchor: ParticleCloud?
  private var anchorGradient: [Double] = []
  private var anchorValues: [Double] = []
  private var scratch: [Double] = []
  private var scratchValues: [Double] = []
  private var pendingAnchor: (cloud: [Double], gradient: [Double], values: [Double])?

  public init(batchSize: Int, anchorPeriod: Int, random: RandomStream) {
    self.anchorPeriod = anchorPeriod
    self.batches = MinibatchBatches(batchSize: batchSize, random: random)
  }

  public var isExact: Bool { false }

  public func incompatibility(with problem: Problem) -> String? { MinibatchBatches.incompatibility(with: problem) }

  /// The anchor and its full gradient. The gradient is saved rather than recomputed on resume: an
  /// objective with solver state (the bilevel warm start) would see an extra solve and move on.
  public func checkpointState() -> [String: [Double]] {
    if let saved = pendingAnchor {  // restored, not used yet: still the state
      var state = ["anchor": saved.cloud, "anchor_gradient": saved.gradient]
      if !saved.values.isEmpty { state["anchor_values"] = saved.values }
      return state
    }
    guard let anchor else { return [:] }
    var state = ["anchor": anchor.coordinates, "anchor_gradient": anchorGradient]
    if !anchorValues.isEmpty { state["anchor_values"] = anchorValues }
    return state
  }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    guard let saved = state["anchor"] else { return }
    guard let gradient = state["anchor_gradient"], gradient.count == saved.count else {
      throw ConfigError(path: "checkpoint.integrator", "the svrg anchor has no matching anchor_gradient", fix: "start the run again without resuming")
    }
    pendingAnchor = (saved, gradient, state["anchor_values"] ?? [])
  }

  public func estimate(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                       values: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double {
    let objective = problem.objective as! any MinibatchObjective
    let m = state.cloud.count
    if let saved = pendingAnchor {
      pendingAnchor = nil
      if let a = ParticleCloud.restored(saved.cloud, like: state.cloud), saved.gradient.count == g.count {
        anchor = a
        anchorGradient = saved.gradient
        anchorValues = saved.values
      }
    }
    if state.step % anchorPeriod == 0 || anchor == nil || (values != nil && anchorValues.count != m) {
      // A new anchor: the full gradient at the current cloud is also this step's exact drift.
      anchor = state.cloud
      if anchorGradient.count != g.count { anchorGradient = [Double](repeating: 0, count: g.count) }
      if values != nil, anchorValues.count != m { anchorValues = [Double](repeating: 0, count: m) }
      let f = try anchorGradient.withUnsafeMutableBufferPointer { ag in
        try anchorValues.withUnsafeMutableBufferPointer { av in
          try objective.evaluate(state.cloud, gradient: ag, values: values == nil ? nil : av, parallel: parallel)
        }
      }
      for k in 0..<g.count { g[k] = anchorGradient[k] }
      if let values { for i in 0..<m { values[i] = anchorValues[i] } }
      return f
    }
    if scratch.count != g.count { scratch = [Double](repeating: 0, count: g.count) }
    if values != nil, scratchValues.count != m { scratchValues = [Double](repeating: 0, count: m) }
    let f = try batches.restricting(objective, at: state.step) { () throws -> Double in
      let f = try objective.evaluate(state.cloud, gradient: g, values: values, parallel: parallel)
      _ = try scratch.withUnsafeMutableBufferPointer { s in
        try scratchValues.withUnsafeMutableBufferPointer { sv in
          try objective.evaluate(anchor!, gradient: s, values: values == nil ? nil : sv, parallel: parallel)
        }
      }
      return f
    }
    for k in 0..<g.count { g[k] += anchorGradient[k] - scratch[k] }
    if let values { for i in 0..<m { values[i] += anchorValues[i] - scratchValues[i] } }
    return f
  }
}
