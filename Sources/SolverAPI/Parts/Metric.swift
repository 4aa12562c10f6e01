import LinearAlgebra

/// How particles move on their domain, given the gradient of the first variation: the geometry of the
/// flow (docs/math.md §1–§2) — Wasserstein transport on ℝ^d, the sphere or the torus, and on the
/// lifted domain ℝ × W; conic (Wasserstein–Fisher–Rao) reweighting for lifted signed measures.
///
/// An integrator decides *which drift and when* (exact, a minibatch, an average, an inner chain); a
/// metric *how a drift moves the cloud*. Metrics are parts of their own (`"metric": {"type": …}`).
public protocol Metric: AnyObject {
  /// The particles' domain.
  var geometry: any Geometry { get }
  /// ρ, the reference measure of the entropy (on W for lifted particles).
  var reference: ReferenceMeasure { get }
  /// How a lifted particle's weight carries mass under this metric (docs/math.md §2.3): r for
  /// transport, r|r| for the conic metric. The lifting reduction builds its objective to match.
  var liftedMass: LiftedMass { get }

  /// One noisy step for every particle, in place. `gradient` holds ∇V_{μ_m}(X^i) (ambient; the
  /// metric may overwrite it). With temperature 0 no noise is drawn. For the Wasserstein metric:
  ///     X ← Retr_X( −η P_X(∇V + τ∇U) + sqrt(2ητ) P_X ξ ),   ξ = noise.normals(step: t, index: i).
  func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>,
            stepSize: Double, temperature: Double, noise: RandomStream, step: Int, parallel: Parallel)
}

extension Metric {
  public var liftedMass: LiftedMass { .weight }
}
