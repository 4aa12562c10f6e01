import Foundation
import SolverAPI

/// How lifted particles (r, w) move (MATH.md §2, reduction A).
///
/// `wasserstein`: Euler–Maruyama on both coordinates, the r-step scaled by `ratio` (drift and noise
/// together, so the Gibbs measure is unchanged):
///     r ← r − η·ratio·∂_r V + sqrt(2η·ratio·τ) ξ₀,   w ← Retr_w(−η P(∇_w V + τ∇U) + sqrt(2ητ) P ξ).
/// `conic` (Wasserstein–Fisher–Rao, Chizat 2019), with the conic objective's gradients:
///     mirror:    r ← r · exp(−α η ∂_r V / r)       (= r exp(−2αη(sign(r) g + λ‖ν‖_TV)); keeps signs)
///     canonical: r ← r − α η ∂_r V                  (= r (1 − 2αη(…)))
///     w ← Retr_w(−η ∇_w V / r² + sqrt(2ητ) P ξ)     (= −η sign(r)∇g; noise on positions only).
public final class LiftMetric: Metric {
  public enum Kind: Sendable, Equatable {
    case wasserstein(ratio: Double)
    case conic(alpha: Double, mirror: Bool)
  }

  public let kind: Kind
  public let base: any Geometry
  public let reference: ReferenceMeasure
  public let geometry: any Geometry

  public init(kind: Kind, base: any Geometry, reference: ReferenceMeasure) {
    self.kind = kind
    self.base = base
    self.reference = reference
    self.geometry = LiftedDomain(base: base)
  }

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    let D = base.dimension, stride = D + 1
    let base = self.base, u = reference.potential, kind = self.kind
    let grad = gradient.baseAddress!
    cloud.coordinates.withUnsafeMutableBufferPointer { xs in
      let x = xs.baseAddress!
      parallel.forEachChunk(cloud.count, grain: Parallel.particleGrain(count: cloud.count, dimension: cloud.dimension)) { range in
        // The chunk's noise in one call (a few KiB on the stack), then D + 1 values of ∇U.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: (range.count + 1) * stride) { scratch in
          let noises = scratch.baseAddress!, du = noises + range.count * stride
          if tau > 0 { noise.normals(step: step, indices: range, into: noises, count: stride) }
          for i in range {
            let p = x + i * stride, v = grad + i * stride, xi = noises + (i - range.lowerBound) * stride
            let r = p[0], dr = v[0]
            // The weight.
            var wScale = 1.0
            switch kind {
            case .wasserstein(let ratio):
              p[0] = r - eta * ratio * dr + (tau > 0 ? (2 * eta * ratio * tau).squareRoot() * xi[0] : 0)
            case .conic(let alpha, let mirror):
              if r != 0 {
                p[0] = mirror ? r * exp(-alpha * eta * dr / r) : r - alpha * eta * dr
                wScale = 1 / (r * r)
              } else {
                wScale = 0
              }
            }
            // The position, on W.
            let vw = v + 1, pw = p + 1
            if let u, tau > 0 {
              _ = u.evaluate(pw, gradient: du)
              for k in 0..<D { vw[k] = wScale * vw[k] + tau * du[k] }
            } else if wScale != 1 {
              for k in 0..<D { vw[k] *= wScale }
            }
            for k in 0..<D { vw[k] *= -eta }
            if tau > 0 {
              let s = (2 * eta * tau).squareRoot()
              for k in 0..<D { vw[k] += s * xi[1 + k] }
            }
            base.projectToTangent(vw, at: pw)
            base.retract(pw, along: vw)
          }
        }
      }
    }
  }
}
