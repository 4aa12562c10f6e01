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
                       values: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double {
    let objective = problem.objective as! any MinibatchObjective
    if batchSize >= objective.sampleCount { return try objective.evaluate(state.cloud, gradient: g, values: values, parallel: parallel) }
    return try batches.restricting(objective, at: state.step) {
      try objective.evaluate(state.cloud, gradient: g, values: values, parallel: parallel)
    }
  }
}
