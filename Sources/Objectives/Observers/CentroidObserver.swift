import LinearAlgebra
import SolverAPI

/// |X̄|², the squared norm of the cloud's mean. For the quadratic McKean–Vlasov system its stationary
/// expectation is d τ / (a m): a finite-particle effect of exact order 1/m (Hu et al. 2019), measured
/// with a relative precision that does not degrade as m grows.
public final class CentroidObserver: Observer {
  public init() {}
  public var names: [String] { ["centroid_norm2"] }

  public func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
    let c = state.cloud, d = c.dimension
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<c.count { for k in 0..<d { mean[k] += c[i, k] } }
    return [mean.reduce(0) { $0 + ($1 / Double(c.count)) * ($1 / Double(c.count)) }]
  }
}
