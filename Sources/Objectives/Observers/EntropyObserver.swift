import LinearAlgebra
import SolverAPI

/// The relative entropy H(μ_m | ρ) by the Kozachenko–Leonenko estimator (docs/math.md §4; geodesic on the
/// sphere, periodic on the torus) and the free energy F_τ = F + τ H. O(m²) per evaluation at worst, so
/// it has a stride of its own: computed every `every` steps, empty cells in between.
/// For lifted particles (r, w) the estimator treats ℝ × W as flat with its product distance.
public final class EntropyObserver: Observer {
  public let every: Int
  public let neighbours: Int
  public init(every: Int, neighbours: Int) {
    self.every = every
    self.neighbours = neighbours
  }
  public var names: [String] { ["entropy", "free_energy"] }

  public func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
    guard state.step % every == 0 else { return [.nan, .nan] }
    let reference = problem.metric.reference
    let h = KozachenkoLeonenko.relativeEntropy(state.cloud, geometry: problem.metric.geometry, potential: reference.potential,
                                               logNormalizer: reference.logNormalizer, k: neighbours, parallel: parallel)
    let f = try problem.objective.evaluate(state.cloud, gradient: nil, parallel: parallel)
    return [h, f + temperature * h]
  }
}
