import SolverAPI

/// Points uniform on a compact domain (the normalized volume of the sphere or torus), or uniform in
/// the box [low, high]^d on ℝ^d.
public struct UniformCloud: CloudSource {
  public let geometry: any Geometry
  public let box: ClosedRange<Double>?

  public init(geometry: any Geometry, box: ClosedRange<Double>?) {
    self.geometry = geometry
    self.box = box
  }

  public func makeCloud(count: Int?, dimension: Int, random: RandomStream) throws -> ParticleCloud {
    let m = count ?? 1
    var rng = random.generator()
    var cloud = ParticleCloud(count: m, dimension: dimension)
    cloud.coordinates.withUnsafeMutableBufferPointer { x in
      for i in 0..<m {
        if let box {
          for k in 0..<dimension { x[i * dimension + k] = box.lowerBound + (box.upperBound - box.lowerBound) * rng.uniform() }
        } else {
          geometry.sampleUniform(into: x.baseAddress! + i * dimension, using: &rng)
        }
      }
    }
    return box == nil ? cloud : try projected(cloud, onto: geometry)
  }
}
