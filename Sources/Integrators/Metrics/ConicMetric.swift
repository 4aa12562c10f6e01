import Foundation
import LinearAlgebra
import SolverAPI

/// The conic metric for lifted signed measures (Wasserstein–Fisher–Rao; Chizat 2019, conic particle
/// gradient descent; docs/math.md §2.3): a particle (r, w) carries the mass r|r|, so ν = (1/m) Σ r_i|r_i| δ_{w_i}
/// and ‖ν‖_TV = (1/m) Σ r_i². With the conic lifted objective's gradients (∂_r V = 2|r|(sign(r) g + λ‖ν‖_TV),
/// ∇_w V = r|r| ∇g, g = ⟨∇R(f_ν), Φ(·)⟩):
///     mirror:    r ← r · exp(−α η ∂_r V / r)       (= r exp(−2αη(sign(r) g + λ‖ν‖_TV)); keeps signs)
///     canonical: r ← r − α η ∂_r V                  (= r (1 − 2αη(…)))
///     w ← Retr_w(−η ∇_w V / r² + sqrt(2ητ) P ξ)     (= −η sign(r)∇g; noise on positions only),
/// the w-move being W's Langevin move on the rescaled drift. A particle with r = 0 carries no mass and
/// its position only diffuses.
public final class ConicMetric: Metric {
  public let alpha: Double
  /// True: the mirror (multiplicative) retraction of the weights; false: the canonical (additive) one.
  public let mirror: Bool
  public let base: any Geometry
  public let reference: ReferenceMeasure
  public let geometry: any Geometry

  public init(base: any Geometry, alpha: Double, mirror: Bool, reference: ReferenceMeasure) {
    self.base = base
    self.alpha = alpha
    self.mirror = mirror
    self.reference = reference
    self.geometry = LiftedDomain(base: base)
  }

  public var liftedMass: LiftedMass { .signedSquare }

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    let base = self.base, u = reference.potential, alpha = self.alpha, mirror = self.mirror
    let D = base.dimension, noiseScale = (2 * eta * tau).squareRoot()
    ParticleSweep.forEach(&cloud, gradient: gradient, temperature: tau, noise: noise, step: step, parallel: parallel,
                          reference: u, at: 1) { p, v, xi, du in
      let r = p[0], dr = v[0]
      let wScale: Double
      if r != 0 {
        p[0] = mirror ? r * exp(-alpha * eta * dr / r) : r - alpha * eta * dr
        wScale = 1 / (r * r)
      } else {
        wScale = 0
      }
      let vw = v + 1
      if wScale != 1 { for k in 0..<D { vw[k] *= wScale } }
      ParticleSweep.langevinMove(p + 1, drift: vw, noise: xi + 1, on: base, stepSize: eta, temperature: tau,
                                 noiseScale: noiseScale, referenceGradient: du)
    }
  }
}
