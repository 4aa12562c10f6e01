import LinearAlgebra

/// How particles move on their domain, given the first variation: the geometry of the flow
/// (docs/math.md §1, §2, §5) — Wasserstein transport on ℝ^d, the sphere or the torus, and on the lifted
/// domain ℝ × W; conic reweighting for lifted signed measures; Fisher–Rao birth and death, alone or after
/// a transport step.
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
  /// True when `move` reads the first variation's values V_{μ_m}(X^i), not only its gradient (birth and
  /// death, docs/math.md §5): integrators then have the objective compute them in the same pass.
  var needsFirstVariationValues: Bool { get }
  /// False for a metric without transport (pure birth and death): it can only reweight positions the
  /// particles already have, so integrators whose inner chains must sample a Gibbs law refuse it.
  var transportsParticles: Bool { get }
  /// The diagonal p_1, …, p_d of a constant mobility (the inverse metric tensor) on a flat domain, for a
  /// preconditioned move X_k ← X_k − η p_k ∂_k V + sqrt(2ητ p_k) ξ_k; nil for the identity (every metric
  /// here). The Gibbs law stays stationary; `mfld check` holds the noise to 2ητ p_k per coordinate.
  var mobility: [Double]? { get }

  /// One noisy step for every particle, in place. `gradient` holds ∇V_{μ_m}(X^i) (ambient; the
  /// metric may overwrite it), `values` V_{μ_m}(X^i) when `needsFirstVariationValues` (else nil).
  /// With temperature 0 no noise is drawn. For the Wasserstein metric:
  ///     X ← Retr_X( −η P_X(∇V + τ∇U) + sqrt(2ητ) P_X ξ ),   ξ = noise.normals(step: t, index: i).
  func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, values: UnsafeMutableBufferPointer<Double>?,
            stepSize: Double, temperature: Double, noise: RandomStream, step: Int, parallel: Parallel)
}

extension Metric {
  public var liftedMass: LiftedMass { .weight }
  public var needsFirstVariationValues: Bool { false }
  public var transportsParticles: Bool { true }
  public var mobility: [Double]? { nil }

  /// A move of a metric that reads gradients only.
  public func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>,
                   stepSize: Double, temperature: Double, noise: RandomStream, step: Int, parallel: Parallel) {
    move(&cloud, gradient: gradient, values: nil, stepSize: stepSize, temperature: temperature, noise: noise, step: step, parallel: parallel)
  }
}
