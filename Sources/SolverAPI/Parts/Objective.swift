import LinearAlgebra

/// A convex functional F over probability measures, evaluated on the empirical measure of a particle
/// cloud, μ_m = (1/m) Σ_i δ_{X^i}, together with the gradient of its first variation
/// V_μ = δF/δμ (docs/math.md §1).
///
/// One call computes the shared mean-field state once (moments, predictions f = ∫Φ dμ, …) and then
/// every particle's gradient; an implementation never does O(m²) work where O(m) suffices.
/// Objectives own their scratch buffers, so one instance serves one run at a time.
///
/// The defining identity, which `FirstVariationCheck` verifies by finite differences for every
/// objective: as a function of the particle positions,
///     ∂F(μ_m)/∂X^i = (1/m) ∇V_{μ_m}(X^i).
public protocol Objective: AnyObject {
  /// Ambient coordinates per particle.
  var dimension: Int { get }

  /// F(μ_m); when `gradient` is non-nil, also ∇V_{μ_m}(X^i) for every particle, row by row
  /// (count × dimension values, overwritten; ambient gradients: the metric projects them), and when
  /// `values` is non-nil the first variation itself, V_{μ_m}(X^i) (count values, overwritten) — from the
  /// same shared computation, for metrics that reweight particles by it (birth–death, docs/math.md §5).
  /// V is defined up to a constant; the values are the ones `firstVariation(of:at:)` gives at the particles.
  func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                parallel: Parallel) throws -> Double

  /// V_{μ_m}(y) and ∇V_{μ_m}(y) at arbitrary points y (`points.count` values and
  /// `points.count × dimension` gradient entries), for the measure of `cloud`. Used by the
  /// finite-difference checks and by methods that need the first variation itself.
  func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud,
                      values: UnsafeMutableBufferPointer<Double>,
                      gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws

  /// Names of extra quantities this objective reports in the trace (fixed once built).
  var observableNames: [String] { get }
  /// Their values for `cloud`, in the order of `observableNames`.
  func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double]
}

extension Objective {
  public var observableNames: [String] { [] }
  public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] { [] }

  /// F(μ_m) and, when `gradient` is non-nil, ∇V_{μ_m}(X^i) for every particle.
  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double {
    try evaluate(cloud, gradient: gradient, values: nil, parallel: parallel)
  }

  /// F(μ_m) alone (convenience).
  public func value(_ cloud: ParticleCloud, parallel: Parallel = .serial) throws -> Double {
    try evaluate(cloud, gradient: nil, parallel: parallel)
  }

  /// F(μ_m) and the gradient field (convenience; allocates).
  public func valueAndGradient(_ cloud: ParticleCloud, parallel: Parallel = .serial) throws -> (Double, ParticleField) {
    var g = ParticleField(count: cloud.count, dimension: cloud.dimension)
    let v = try g.coordinates.withUnsafeMutableBufferPointer { try evaluate(cloud, gradient: $0, parallel: parallel) }
    return (v, g)
  }

  /// V_{μ_m} and its gradient at `points` (convenience; allocates).
  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud,
                             parallel: Parallel = .serial) throws -> (values: [Double], gradients: ParticleField) {
    var values = [Double](repeating: 0, count: points.count)
    var g = ParticleField(count: points.count, dimension: points.dimension)
    try values.withUnsafeMutableBufferPointer { v in
      try g.coordinates.withUnsafeMutableBufferPointer { gp in
        try firstVariation(of: cloud, at: points, values: v, gradients: gp, parallel: parallel)
      }
    }
    return (values, g)
  }
}
