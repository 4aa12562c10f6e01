import LinearAlgebra
import SolverAPI

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
