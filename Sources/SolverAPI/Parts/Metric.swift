/// How particles move on their domain, given the gradient of the first variation: the geometry of
/// the flow (Wasserstein on ℝ^d, the sphere or the torus; conic for lifted signed measures).
public protocol Metric: AnyObject {
  /// The particles' domain.
  var geometry: any Geometry { get }
  /// ρ, the reference measure of the entropy (on W for lifted particles).
  var reference: ReferenceMeasure { get }

  /// One noisy step for every particle, in place. `gradient` holds ∇V_{μ_m}(X^i) (ambient; the
  /// metric may overwrite it). With temperature 0 no noise is drawn. For the Wasserstein metric:
  ///     X ← Retr_X( −η P_X(∇V + τ∇U) + sqrt(2ητ) P_X ξ ),   ξ = noise.normals(step: t, index: i).
  func move(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>,
            stepSize: Double, temperature: Double, noise: RandomStream, step: Int, parallel: Parallel)
}
