import LinearAlgebra
import SolverAPI

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
    problem.objective is any MinibatchObjective ? nil : "a minibatch needs data, and the objective has none (use euler-maruyama, or an objective with data)"
  }

  /// Runs `body` with the objective's data term restricted to step t's batch.
  func restricting<R>(_ objective: any MinibatchObjective, at t: Int, _ body: () throws -> R) rethrows -> R {
    let plan = MinibatchPlan(sampleCount: objective.sampleCount, batchSize: min(batchSize, objective.sampleCount), random: random)
    objective.setBatch(plan.batch(at: t, cache: &cache))
    defer { objective.setBatch(nil) }
    return try body()
  }
}
