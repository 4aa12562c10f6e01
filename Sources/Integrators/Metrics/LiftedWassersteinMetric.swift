import LinearAlgebra
import SolverAPI

/// The Wasserstein metric on the lifted domain ℝ × W (docs/math.md §2.3): Euler–Maruyama on both
/// coordinates of a particle (r, w), the r-step scaled by `ratio` (drift and noise together, so the
/// Gibbs measure is unchanged),
///     r ← r − η·ratio·∂_r V + sqrt(2η·ratio·τ) ξ₀,   w ← Retr_w(−η P(∇_w V + τ∇U) + sqrt(2ητ) P ξ),
/// the w-move being the Langevin move of W's own Wasserstein metric. U is the reference potential on W.
public final class LiftedWassersteinMetric: Metric {
  public let ratio: Double
  public let base: any Geometry
  public let reference: ReferenceMeasure
  public let geometry: any Geometry

  public init(base: any Geometry, ratio: Double, reference: ReferenceMeasure) {
    self.base = base
    self.ratio = ratio
    self.reference = reference
    self.geometry = LiftedDomain(base: base)
  }

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    let base = self.base, u = reference.potential, ratio = self.ratio
    let weightNoise = tau > 0 ? (2 * eta * ratio * tau).squareRoot() : 0, noiseScale = (2 * eta * tau).squareRoot()
    ParticleSweep.forEach(&cloud, gradient: gradient, temperature: tau, noise: noise, step: step, parallel: parallel,
                          reference: u, at: 1) { p, v, xi, du in
      p[0] = p[0] - eta * ratio * v[0] + (tau > 0 ? weightNoise * xi[0] : 0)
      ParticleSweep.langevinMove(p + 1, drift: v + 1, noise: xi + 1, on: base, stepSize: eta, temperature: tau,
                                 noiseScale: noiseScale, referenceGradient: du)
    }
  }
}
