import LinearAlgebra
import SolverAPI

/// SGD-MFLD (Suzuki, Wu, Nitanda 2023; docs/math.md §3): ∇V estimated on a minibatch B of the data,
/// without replacement within each epoch (`MinibatchPlan`),
///     g = ∇V_B(X),   R_B = (1/|B|) Σ_{k∈B} ℓ_k.
/// With a batch of all n samples it is the exact gradient.
public final class MinibatchGradient: GradientEstimator {
  public let batchSize: Int
  let batches: MinibatchBatches

  public init(batchSize: Int, random: RandomStream) {
    self.batchSize = batchSize
    self.batches = MinibatchBatches(batchSize: batchSize, random: random)
  }

  public var isExact: Bool { false }

  public func incompatibility(with problem: Problem) -> String? { MinibatchBatches.incompatibility(with: problem) }

  public func estimate(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                       parallel: Parallel) throws -> Double {
    let objective = problem.objective as! any MinibatchObjective
    if batchSize >= objective.sampleCount { return try objective.evaluate(state.cloud, gradient: g, parallel: parallel) }
    return try batches.restricting(objective, at: state.step) {
      try objective.evaluate(state.cloud, gradient: g, parallel: parallel)
    }
  }
}

/// The batches of a stochastic-gradient estimator: the plan for the objective's sample count, and the
/// current epoch's permutation (recomputed from the stream when needed, so nothing to checkpoint).
final class MinibatchBatches {
  let batchSize: Int
  let random: RandomStream
  private var cache: (epoch: Int, permutation: [Int])?

  init(batchSize: Int, random: RandomStream) {
    self.batchSize = batchSize
    self.random = random
  }

  static func incompatibility(with problem: Problem) -> String? {
    problem.objective is any MinibatchObjective ? nil : "a minibatch needs data, and the objective has none"
  }

  /// Runs `body` with the objective's data term restricted to step t's batch.
  func restricting<R>(_ objective: any MinibatchObjective, at t: Int, _ body: () throws -> R) rethrows -> R {
    let plan = MinibatchPlan(sampleCount: objective.sampleCount, batchSize: min(batchSize, objective.sampleCount), random: random)
    objective.setBatch(plan.batch(at: t, cache: &cache))
    defer { objective.setBatch(nil) }
    return try body()
  }
}
