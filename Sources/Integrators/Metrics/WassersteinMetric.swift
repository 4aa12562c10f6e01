import LinearAlgebra
import SolverAPI

/// The Wasserstein metric on a geometry: plain Langevin moves (docs/math.md §1),
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

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    let g = concreteGeometry, u = reference.potential
    let noiseScale = (2 * eta * tau).squareRoot()
    if g.prefersBatches {
      // A domain across the plugin boundary: every step in the gradient buffer, then one call for the cloud.
      ParticleSweep.forEach(&cloud, gradient: gradient, temperature: tau, noise: noise, step: step, parallel: parallel, reference: u) { _, v, xi, du in
        ParticleSweep.langevinDrift(drift: v, noise: xi, dimension: g.dimension, stepSize: eta, temperature: tau, noiseScale: noiseScale,
                                    referenceGradient: du)
      }
      let count = cloud.count
      cloud.coordinates.withUnsafeMutableBufferPointer { g.projectAndRetract($0.baseAddress!, along: gradient.baseAddress!, count: count) }
      return
    }
    // The built-in geometries by their concrete types, so that each particle's move is inlined: inside this
    // generic class's method, G is not specialized, and every retraction was a witness-table call.
    switch g {
    case let e as Euclidean: langevinMoves(&cloud, on: e, gradient: gradient, stepSize: eta, temperature: tau, noise: noise, step: step, parallel: parallel, reference: u)
    case let s as Sphere: langevinMoves(&cloud, on: s, gradient: gradient, stepSize: eta, temperature: tau, noise: noise, step: step, parallel: parallel, reference: u)
    case let t as Torus: langevinMoves(&cloud, on: t, gradient: gradient, stepSize: eta, temperature: tau, noise: noise, step: step, parallel: parallel, reference: u)
    default: langevinMoves(&cloud, on: g, gradient: gradient, stepSize: eta, temperature: tau, noise: noise, step: step, parallel: parallel, reference: u)
    }
  }
}

/// Every particle's Langevin move on `g` (a free function, specialized for the concrete geometry at each call).
private func langevinMoves<H: Geometry>(_ cloud: inout ParticleCloud, on g: H, gradient: UnsafeMutableBufferPointer<Double>, stepSize eta: Double,
                                        temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel, reference u: (any ScalarField)?) {
  let noiseScale = (2 * eta * tau).squareRoot()
  ParticleSweep.forEach(&cloud, gradient: gradient, temperature: tau, noise: noise, step: step, parallel: parallel, reference: u) { x, v, xi, du in
    ParticleSweep.langevinMove(x, drift: v, noise: xi, on: g, stepSize: eta, temperature: tau, noiseScale: noiseScale, referenceGradient: du)
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
