/// A feature map Φ: W → ℝ^n on n data points, with what its Jacobians need (MATH.md §2).
///
/// Stateless with respect to particles: `evaluate` writes the features of every particle (row i of the
/// m × n matrix F is Φ(w_i); the P of MATH.md is Fᵀ) and, when asked, per-(particle, sample) Jacobian
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

  /// g_i = c_i Σ_k u_k ∇_w Φ(w_i)_k for every particle (m × dimension, overwritten), from the features
  /// and the Jacobian data (nil when jacobianWidth is 0) that `evaluate` wrote for the same cloud.
  func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel)

  /// The same map on the data points `samples` only (for minibatches).
  func subset(_ samples: [Int]) -> any FeatureMap
}

extension FeatureMap {
  /// Default: evaluate on all the data and keep the chosen samples' columns (correct, not cheaper).
  public func subset(_ samples: [Int]) -> any FeatureMap { GatheredFeatures(base: self, samples: samples) }
}

/// A feature map restricted to some of its samples by gathering columns of the full evaluation.
public final class GatheredFeatures: FeatureMap {
  public let base: any FeatureMap
  public let samples: [Int]
  public init(base: any FeatureMap, samples: [Int]) {
    self.base = base
    self.samples = samples
  }
  public var dimension: Int { base.dimension }
  public var sampleCount: Int { samples.count }
  public var jacobianWidth: Int { base.jacobianWidth }

  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel) {
    let m = w.count, n = base.sampleCount, q = samples.count, jw = base.jacobianWidth
    let jacobian = jw == 0 ? nil : jacobian
    var full = [Double](repeating: 0, count: m * n), fullJ = [Double](repeating: 0, count: jacobian == nil ? 0 : m * n * jw)
    full.withUnsafeMutableBufferPointer { f in
      fullJ.withUnsafeMutableBufferPointer { j in
        base.evaluate(w, features: f.baseAddress!, jacobian: jacobian == nil ? nil : j.baseAddress!, parallel: parallel)
        for i in 0..<m {
          for (c, k) in samples.enumerated() {
            features[i * q + c] = f[i * n + k]
            if let jacobian { for e in 0..<jw { jacobian[(i * q + c) * jw + e] = j[(i * n + k) * jw + e] } }
          }
        }
      }
    }
  }

  public func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                       scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
    // Scatter back to the full layout with zero weights outside the subset.
    let m = w.count, n = base.sampleCount, q = samples.count, jw = base.jacobianWidth
    var fullF = [Double](repeating: 0, count: m * n), fullJ = [Double](repeating: 0, count: m * n * jw)
    var fullU = [Double](repeating: 0, count: n)
    for (c, k) in samples.enumerated() {
      fullU[k] = u[c]
      for i in 0..<m {
        fullF[i * n + k] = features[i * q + c]
        if let jacobian { for e in 0..<jw { fullJ[(i * n + k) * jw + e] = jacobian[(i * q + c) * jw + e] } }
      }
    }
    fullF.withUnsafeBufferPointer { f in
      fullJ.withUnsafeBufferPointer { j in
        fullU.withUnsafeBufferPointer {
          base.pullback(w, features: f.baseAddress!, jacobian: jw == 0 ? nil : j.baseAddress!, weights: $0.baseAddress!, scales: c, into: g, parallel: parallel)
        }
      }
    }
  }
}

/// A signed objective with its data term restricted to some samples: R_B = (1/|B|) Σ_{k∈B} ℓ_k.
public final class RestrictedSignedObjective: SignedObjective {
  public let base: any SignedObjective
  public let features: any FeatureMap
  public let labels: [Double]
  public init(base: any SignedObjective, samples: [Int]) {
    self.base = base
    self.features = base.features.subset(samples)
    self.labels = samples.map { base.labels[$0] }
  }
  public var domain: any Geometry { base.domain }
  public var loss: any Loss { base.loss }
  public var lambda: Double { base.lambda }
}

/// An objective over signed measures on a domain W (MATH.md §2):
///     G_λ(ν) = R(∫ Φ dν) + (λ/2) ‖ν‖²_TV.
/// A reduction (lifting, bilevel) turns it into an objective over probability measures.
public protocol SignedObjective: AnyObject {
  /// W.
  var domain: any Geometry { get }
  /// Φ on the training data.
  var features: any FeatureMap { get }
  /// y, one per data point.
  var labels: [Double] { get }
  var loss: any Loss { get }
  /// λ > 0.
  var lambda: Double { get }

  /// Extra quantities for the trace (test risk, alignment, matched spikes), from the signed measure
  /// ν = (1/m) Σ_i r_i δ_{w_i}.
  var observableNames: [String] { get }
  func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double]
}

extension SignedObjective {
  public var observableNames: [String] { [] }
  public func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] { [] }
}

/// An objective over probability measures that represents a signed measure ν = (1/m) Σ r_i δ_{w_i}:
/// what reductions build, so outputs can report the weights beside the positions.
public protocol SignedMeasureView: AnyObject {
  /// The weights r_i and positions w_i of the signed measure the cloud represents.
  func signedMeasure(of cloud: ParticleCloud, parallel: Parallel) throws -> (weights: [Double], positions: ParticleCloud)
}

/// Turns a signed objective into an objective over probability measures on a particle domain
/// (MATH.md §2: lifting on ℝ × W, bilevel on W).
public protocol Reduction: AnyObject {
  /// The particles' domain for this signed objective (ℝ × W for lifting, W for bilevel).
  func particleDomain(for objective: any SignedObjective) -> any Geometry
  /// Builds the problem: an objective over the particles (which conforms to `SignedMeasureView`)
  /// and the metric that moves them; `reference` is ρ on W.
  func reduce(_ objective: any SignedObjective, reference: ReferenceMeasure) throws -> Problem
  /// Initial particles on the particle domain from positions on W (lifting adds weights r).
  func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud
}
