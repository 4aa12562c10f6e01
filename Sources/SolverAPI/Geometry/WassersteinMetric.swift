

/// The Wasserstein metric on a geometry: plain Langevin moves (MATH.md §1),
///     X ← Retr_X( −η P_X(∇V_{μ_m}(X) + τ∇U(X)) + sqrt(2ητ) P_X ξ ),
/// with U the reference potential (ρ ∝ e^{−U}). No noise is drawn when τ = 0.
/// Each particle's move depends only on its own gradient and its own noise ξ(step, i), so the
/// result does not depend on how particles are split over threads.
public final class WassersteinMetric<G: Geometry>: Metric {
  public let concreteGeometry: G
  public let reference: ReferenceMeasure
  public var geometry: any Geometry { concreteGeometry }

  public init(geometry: G, reference: ReferenceMeasure) {
    self.concreteGeometry = geometry
    self.reference = reference
  }

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    let d = cloud.dimension
    let g = concreteGeometry
    let u = reference.potential
    let noiseScale = (2 * eta * tau).squareRoot()
    let grad = gradient.baseAddress!
    cloud.coordinates.withUnsafeMutableBufferPointer { xs in
      let x = xs.baseAddress!
      parallel.forEachChunk(cloud.count, grain: Parallel.particleGrain(count: cloud.count, dimension: cloud.dimension)) { range in
        // The chunk's noise in one call (a few KiB on the stack), then d values of ∇U.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: (range.count + 1) * d) { scratch in
          let noises = scratch.baseAddress!, du = noises + range.count * d
          if tau > 0 { noise.normals(step: step, indices: range, into: noises, count: d) }
          for i in range {
            let xi_ = x + i * d, v = grad + i * d, xi = noises + (i - range.lowerBound) * d
            if let u, tau > 0 {
              _ = u.evaluate(xi_, gradient: du)
              for k in 0..<d { v[k] += tau * du[k] }
            }
            for k in 0..<d { v[k] *= -eta }
            if tau > 0 {
              for k in 0..<d { v[k] += noiseScale * xi[k] }
            }
            g.projectToTangent(v, at: xi_)
            g.retract(xi_, along: v)
          }
        }
      }
    }
  }
}

/// The Wasserstein metric on any geometry, specialized for the concrete geometry type.
public func makeWassersteinMetric(geometry: any Geometry, reference: ReferenceMeasure) -> any Metric {
  switch geometry {
  case let g as Euclidean: return WassersteinMetric(geometry: g, reference: reference)
  case let g as Sphere: return WassersteinMetric(geometry: g, reference: reference)
  case let g as Torus: return WassersteinMetric(geometry: g, reference: reference)
  default:
    func make<G: Geometry>(_ g: G) -> any Metric { WassersteinMetric(geometry: g, reference: reference) }
    return make(geometry)
  }
}
