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

/// The mean of the cloud, one column per coordinate: `mean_1`, …, `mean_d`.
public final class MeanObserver: Observer {
  public let dimension: Int
  public init(dimension: Int) { self.dimension = dimension }
  public var names: [String] { (1...dimension).map { "mean_\($0)" } }

  public func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
    let c = state.cloud
    var mean = [Double](repeating: 0, count: dimension)
    for i in 0..<c.count { for k in 0..<dimension { mean[k] += c[i, k] } }
    return mean.map { $0 / Double(c.count) }
  }
}

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
