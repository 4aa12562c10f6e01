import SolverAPI

/// Points from the mixture Σ_j w_j N(c_j, s² I): pick a center with probability w_j, add Gaussian noise.
public struct GaussianMixtureCloud: CloudSource {
  public let centers: [[Double]]
  public let weights: [Double]
  public let std: Double
  public let geometry: any Geometry

  public init(centers: [[Double]], weights: [Double], std: Double, geometry: any Geometry) {
    self.centers = centers
    let total = weights.reduce(0, +)
    self.weights = weights.map { $0 / total }
    self.std = std
    self.geometry = geometry
  }

  public func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud {
    let m = count ?? 1
    var rng = random.generator()
    var cloud = ParticleCloud(count: m, dimension: dimension)
    for i in 0..<m {
      var u = rng.uniform(), j = 0
      while j < weights.count - 1 && u >= weights[j] { u -= weights[j]; j += 1 }
      for k in 0..<dimension { cloud[i, k] = centers[j][k] + std * rng.normal() }
    }
    return try projected(cloud, onto: geometry)
  }
}
