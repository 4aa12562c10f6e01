import MFLD

/// The mean distance between two distinct particles, (1/(m(m − 1))) Σ_{i≠j} d(X^i, X^j), measured on the
/// problem's domain (geodesic on the sphere, periodic on the torus), a new observer: how spread the cloud is,
/// in the domain's own metric. O(m²) per recorded step, summed in a fixed order (the same bits on any
/// thread count).
public final class PairwiseDistance: Observer {
  public var names: [String] { ["mean_distance"] }
  private var rowSums: [Double] = []

  public func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
    let m = state.cloud.count, d = state.cloud.dimension, g = problem.metric.geometry
    guard m >= 2 else { return [.nan] }
    if rowSums.count != m { rowSums = [Double](repeating: 0, count: m) }
    state.cloud.coordinates.withUnsafeBufferPointer { xp in
      rowSums.withUnsafeMutableBufferPointer { sums in
        let x = xp.baseAddress!, out = sums.baseAddress!
        parallel.forEachChunk(m, grain: 32) { range in
          for i in range {
            var s = 0.0
            for j in (i + 1)..<m { s += g.distance(x + i * d, x + j * d) }
            out[i] = s
          }
        }
      }
    }
    return [2 * rowSums.reduce(0, +) / Double(m * (m - 1))]
  }

  public static let component = Component(
    .observer, "pairwise-distance",
    summary: "the mean distance between two distinct particles on the domain (column mean_distance)",
    notes: "O(m²) work at each recorded step."
  ) { _ in PairwiseDistance() as any Observer }
}
