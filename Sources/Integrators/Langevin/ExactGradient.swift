import LinearAlgebra
import SolverAPI

/// The drift of plain MFLD: g = ∇V_{μ_m}(X^i) for every particle, from the objective's one shared
/// evaluation (docs/math.md §1).
public final class ExactGradient: GradientEstimator {
  public init() {}

  public func estimate(_ state: SolverState, problem: Problem, into g: UnsafeMutableBufferPointer<Double>,
                       values: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double {
    try problem.objective.evaluate(state.cloud, gradient: g, values: values, parallel: parallel)
  }
}
