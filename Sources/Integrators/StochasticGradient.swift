import Foundation
import SolverAPI

/// Minibatches drawn without replacement within each epoch: epoch e is a permutation of the n samples
/// (a pure function of the stream and e), cut into consecutive batches of size b; step t uses batch
/// t mod ⌈n/b⌉ of epoch ⌊t/⌈n/b⌉⌋. So a run resumed at any step draws the same batches.
public struct MinibatchPlan: Sendable {
  public let sampleCount: Int
  public let batchSize: Int
  public let random: RandomStream

  public init(sampleCount: Int, batchSize: Int, random: RandomStream) {
    self.sampleCount = sampleCount
    self.batchSize = batchSize
    self.random = random
  }

  public var batchesPerEpoch: Int { (sampleCount + batchSize - 1) / batchSize }

  /// The permutation of epoch e (Fisher–Yates on counter-based uniforms).
  public func permutation(epoch e: Int) -> [Int] {
    var p = Array(0..<sampleCount)
    for i in stride(from: sampleCount - 1, to: 0, by: -1) {
      let j = Int(random.uniform(step: e, index: i) * Double(i + 1))
      p.swapAt(i, min(j, i))
    }
    return p
  }

  /// The samples of step t.
  public func batch(at t: Int, cache: inout (epoch: Int, permutation: [Int])?) -> [Int] {
    let e = t / batchesPerEpoch, j = t % batchesPerEpoch
    if cache?.epoch != e { cache = (e, permutation(epoch: e)) }
    let p = cache!.permutation
    return Array(p[(j * batchSize)..<min(sampleCount, (j + 1) * batchSize)])
  }
}

/// SGD-MFLD (Suzuki, Wu, Nitanda 2023): Euler–Maruyama with ∇V estimated on a minibatch of the data,
/// without replacement within each epoch. With a batch of all n samples it is Euler–Maruyama exactly.
public class StochasticGradient: EulerMaruyama {
  public let batchSize: Int
  let random: RandomStream
  var cache: (epoch: Int, permutation: [Int])?

  public init(stepSize: any Schedule, temperature: any Schedule, batchSize: Int, random: RandomStream) {
    self.batchSize = batchSize
    self.random = random
    super.init(stepSize: stepSize, temperature: temperature)
  }

  public override var reportsExactObjective: Bool { false }

  public override func incompatibility(with problem: Problem) -> String? {
    problem.objective is any MinibatchObjective ? nil : "a minibatch needs data, and the objective has none"
  }

  func plan(_ objective: any MinibatchObjective) -> MinibatchPlan {
    MinibatchPlan(sampleCount: objective.sampleCount, batchSize: min(batchSize, objective.sampleCount), random: random)
  }

  public override func estimateGradient(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                                        parallel: Parallel) throws -> Double {
    let objective = problem.objective as! any MinibatchObjective
    if batchSize >= objective.sampleCount { return try objective.evaluate(state.cloud, gradient: g, parallel: parallel) }
    objective.setBatch(plan(objective).batch(at: state.step, cache: &cache))
    defer { objective.setBatch(nil) }
    return try objective.evaluate(state.cloud, gradient: g, parallel: parallel)
  }
}

/// SVRG-MFLD (Suzuki, Wu, Nitanda 2023): every T steps keep an anchor (X̃, full ∇V at X̃); in between
///     v = ∇V_B(X) − ∇V_B(X̃) + ∇V_full(X̃)
/// on a minibatch B (the same batches as `sgd`). Unbiased, with variance that vanishes as X → X̃.
public final class VarianceReduced: StochasticGradient, Checkpointable {
  public let anchorPeriod: Int
  var anchor: ParticleCloud?
  var anchorGradient: [Double] = []
  var scratch: [Double] = []

  public init(stepSize: any Schedule, temperature: any Schedule, batchSize: Int, anchorPeriod: Int, random: RandomStream) {
    self.anchorPeriod = anchorPeriod
    super.init(stepSize: stepSize, temperature: temperature, batchSize: batchSize, random: random)
  }

  /// The anchor and its full gradient. The gradient is saved rather than recomputed on resume: an
  /// objective with solver state (the bilevel warm start) would see an extra solve and move on.
  public func checkpointState() -> [String: [Double]] {
    anchor.map { ["anchor": $0.coordinates, "anchor_gradient": anchorGradient] } ?? [:]
  }
  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    guard let saved = state["anchor"] else { return }
    guard let gradient = state["anchor_gradient"], gradient.count == saved.count else {
      throw ConfigError(path: "checkpoint.integrator", "the svrg anchor has no matching anchor_gradient", fix: "start the run again without resuming")
    }
    pendingAnchor = (saved, gradient)
  }
  var pendingAnchor: (cloud: [Double], gradient: [Double])?

  public override func estimateGradient(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                                        parallel: Parallel) throws -> Double {
    let objective = problem.objective as! any MinibatchObjective
    if let saved = pendingAnchor {
      pendingAnchor = nil
      if let a = ParticleCloud.restored(saved.cloud, like: state.cloud), saved.gradient.count == g.count {
        anchor = a
        anchorGradient = saved.gradient
      }
    }
    if state.step % anchorPeriod == 0 || anchor == nil {
      // A new anchor: the full gradient at the current cloud is also this step's exact drift.
      anchor = state.cloud
      if anchorGradient.count != g.count { anchorGradient = [Double](repeating: 0, count: g.count) }
      let f = try anchorGradient.withUnsafeMutableBufferPointer { try objective.evaluate(state.cloud, gradient: $0, parallel: parallel) }
      for k in 0..<g.count { g[k] = anchorGradient[k] }
      return f
    }
    objective.setBatch(plan(objective).batch(at: state.step, cache: &cache))
    defer { objective.setBatch(nil) }
    if scratch.count != g.count { scratch = [Double](repeating: 0, count: g.count) }
    let f = try objective.evaluate(state.cloud, gradient: g, parallel: parallel)
    _ = try scratch.withUnsafeMutableBufferPointer { try objective.evaluate(anchor!, gradient: $0, parallel: parallel) }
    for k in 0..<g.count { g[k] += anchorGradient[k] - scratch[k] }
    return f
  }
}
