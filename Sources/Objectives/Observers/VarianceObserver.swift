import LinearAlgebra
import SolverAPI

/// The spread of the cloud about its own mean, averaged over coordinates:
///     variance = (1/(m d)) Σ_i |X^i − X̄|².
/// For m independent N(0, σ²I) particles its expectation is (1 − 1/m) σ².
public final class VarianceObserver: Observer {
  public init() {}
  public var names: [String] { ["variance"] }

  public func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
    let c = state.cloud, m = Double(c.count), d = c.dimension
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<c.count { for k in 0..<d { mean[k] += c[i, k] } }
    for k in 0..<d { mean[k] /= m }
    var s = 0.0
    for i in 0..<c.count { for k in 0..<d { let z = c[i, k] - mean[k]; s += z * z } }
    return [s / (m * Double(d))]
  }
}
