import LinearAlgebra

/// A feature map Φ: W → ℝ^n on n data points, with what its Jacobians need (docs/math.md §2).
///
/// Stateless with respect to particles: `evaluate` writes the features of every particle (row i of the
/// m × n matrix F is Φ(w_i); the P of docs/math.md is Fᵀ) and, when asked, per-(particle, sample) Jacobian
/// data; `pullback` turns features and Jacobian data into gradients g_i = c_i Σ_k u_k ∇_w Φ(w_i)_k.
public protocol FeatureMap: AnyObject {
  /// Ambient coordinates of w.
  var dimension: Int { get }
  /// n, the number of data points.
  var sampleCount: Int { get }
  /// Doubles of Jacobian data per (particle, sample): 0 for a ridge feature σ(⟨w, x̃⟩) whose σ' is a
  /// function of σ (relu, tanh, sigmoid: the gradient σ'(⟨w, x̃⟩) x̃ is rebuilt from the feature and
  /// the data), 1 for other ridge features (σ'), p for a translation feature ψ(x − w) on T^p.
  var jacobianWidth: Int { get }

  /// features[i*n + k] = Φ(w_i)_k; jacobian (when non-nil, and only if jacobianWidth > 0) gets
  /// m × n × jacobianWidth doubles.
  func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel)

  /// `evaluate`, and the predictions f = α Σ_i c_i Φ(w_i) (n) — formed as the features are made, while
  /// they are in cache, where a separate product would read the m × n features again (64 MB at the
  /// large two-layer shape). `FeatureMap+Predictions` gives the separate product as the default.
  func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?,
                summing c: UnsafePointer<Double>, alpha: Double, into f: UnsafeMutablePointer<Double>, parallel: Parallel)

  /// Whether Φ(t w) = t Φ(w) for t > 0 (relu ridge features; default false). Then Euler's identity
  /// gives Σ_k u_k Φ_k(w) = ⟨w, Σ_k u_k ∇_w Φ_k(w)⟩: a potential g(w_i) = ⟨u, Φ(w_i)⟩ comes from the
  /// (unscaled) pullback in O(m D), without reading the features again (`LiftObjective`).
  var isPositivelyHomogeneous: Bool { get }

  /// g_i = c_i Σ_k u_k ∇_w Φ(w_i)_k for every particle (m × dimension, overwritten), from the features
  /// and the Jacobian data (nil when jacobianWidth is 0) that `evaluate` wrote for the same cloud.
  func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel)

  /// The same map on the data points `samples` only (for minibatches).
  func subset(_ samples: [Int]) -> any FeatureMap
}

extension FeatureMap {
  public var isPositivelyHomogeneous: Bool { false }

  /// Default: evaluate on all the data and keep the chosen samples' columns (correct, not cheaper).
  public func subset(_ samples: [Int]) -> any FeatureMap { GatheredFeatures(base: self, samples: samples) }
}
