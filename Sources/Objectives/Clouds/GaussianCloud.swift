import SolverAPI

/// Points X ~ N(mean, std² I), mapped onto the domain (normalized on the sphere, wrapped on the torus;
/// a centered Gaussian normalized is uniform on the sphere).
public struct GaussianCloud: CloudSource {
  public let mean: [Double]
  public let std: Double
  public let geometry: any Geometry

  public init(mean: [Double], std: Double, geometry: any Geometry) {
    self.mean = mean
    self.std = std
    self.geometry = geometry
  }

  /// Centered at the origin.
  public init(std: Double = 1, on geometry: any Geometry) {
    self.init(mean: [], std: std, geometry: geometry)
  }

  public func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud {
    let m = count ?? 1
    var rng = random.generator()
    var cloud = ParticleCloud(count: m, dimension: dimension)
    for i in 0..<m { for k in 0..<dimension { cloud[i, k] = (mean.isEmpty ? 0 : mean[k]) + std * rng.normal() } }
    return try projected(cloud, onto: geometry)
  }
}

/// Maps every point onto the domain, or names the first point that cannot be.
func projected(_ cloud: ParticleCloud, onto geometry: any Geometry) throws -> ParticleCloud {
  var c = cloud
  if let i = geometry.canonicalize(&c) {
    throw ConfigError(path: "", "point \(i + 1) cannot be placed on \(geometry.name) (it is \(cloud.particle(i)))")
  }
  return c
}
