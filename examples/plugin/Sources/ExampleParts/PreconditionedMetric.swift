import MFLD

/// Langevin transport with a constant diagonal preconditioner P = diag(p_1, …, p_d), a new metric:
///     X_k ← X_k − η p_k (∂_k V_μ(X) + τ ∂_k U(X)) + sqrt(2ητ p_k) ξ_k,
/// then the domain's retraction (a reflection on a box, a wrap on the torus). With a constant P the
/// stationary law is still the Gibbs law ∝ exp(−V/τ)ρ; P only changes the speed per coordinate, so a stiff
/// coordinate can take a small p_k while the others move fast. For V = (a/2)|x|² on ℝ^d the scheme's exact
/// stationary variance per coordinate is τ / (a (1 − η p_k a / 2)) (what the tests check).
public final class PreconditionedMetric: Metric {
  public let geometry: any Geometry
  public let reference: ReferenceMeasure
  public let diagonal: [Double]

  /// The mobility is the preconditioner: `mfld check` holds the noise to 2ητ p_k per coordinate.
  public var mobility: [Double]? { diagonal }

  public init(geometry: any Geometry, reference: ReferenceMeasure, diagonal: [Double]) {
    self.geometry = geometry
    self.reference = reference
    self.diagonal = diagonal
  }

  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
                   stepSize eta: Double, temperature tau: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    let d = cloud.dimension, g = geometry, p = diagonal, u = reference.potential
    cloud.coordinates.withUnsafeMutableBufferPointer { xp in
      let x = xp.baseAddress!, grad = gradient.baseAddress!
      parallel.forEachChunk(cloud.count, grain: 256) { range in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d + (range.count + 1) * (d + 1)) { scratch in
          // ∇U for the whole chunk in one call (one crossing when U comes from across the plugin boundary).
          let xi = scratch.baseAddress!, du = xi + d, values = du + range.count * d
          if tau > 0 { u?.evaluate(batch: x + range.lowerBound * d, count: range.count, values: values, gradients: du) }
          for i in range {
            if tau > 0 { noise.normals(step: step, index: i, into: xi, count: d) }
            let v = grad + i * d
            for k in 0..<d {
              let drift = v[k] + (u == nil ? 0 : tau * du[(i - range.lowerBound) * d + k])
              v[k] = -eta * p[k] * drift + (tau > 0 ? (2 * eta * tau * p[k]).squareRoot() * xi[k] : 0)
            }
            g.retract(x + i * d, along: v)
          }
        }
      }
    }
  }

  public static let component = Component(
    .metric, "preconditioned",
    summary: "Langevin transport with a diagonal preconditioner: X_k ← X_k − η p_k(∂_k V + τ∂_k U) + sqrt(2ητ p_k) ξ_k",
    parameters: [.reals("diagonal", "p_1, …, p_d > 0 (one number: the same for every coordinate)")],
    notes: "On flat domains: ℝ^d, the torus, and the plugin's box. The stationary law is the Gibbs law, as for \"wasserstein\".",
    example: ["type": "preconditioned", "diagonal": [1, 0.25]]
  ) { args in
    let domain = try args.domain
    guard domain is Euclidean || domain is Torus || domain is Box else {
      throw args.error(nil, "'preconditioned' needs a flat domain (ℝ^d, the torus, a box); the domain is \(domain.name)",
                       fix: "use \"wasserstein\" on curved domains")
    }
    var p = args.reals("diagonal")
    if p.count == 1 { p = [Double](repeating: p[0], count: domain.dimension) }
    guard p.count == domain.dimension else {
      throw args.error("diagonal", "has \(p.count) numbers, the domain has \(domain.dimension) coordinates", fix: "give \(domain.dimension) numbers, or one")
    }
    if let bad = p.first(where: { !($0 > 0) || !$0.isFinite }) {
      throw args.error("diagonal", "must be positive, found \(bad)", fix: "use positive numbers")
    }
    return PreconditionedMetric(geometry: domain, reference: try args.reference, diagonal: p) as any Metric
  }
}
