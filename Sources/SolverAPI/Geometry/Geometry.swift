import Foundation

/// The manifold Ω the particles live on, in ambient coordinates: how a particle moves on it
/// (tangent projection and retraction), how it is sampled uniformly, and how far apart two points are.
///
/// The Euler–Maruyama step of docs/math.md §1 on any geometry is
///     X ← Retr_X( P_X(−η g) + sqrt(2ητ) P_X ξ ),
/// with P the tangent projection and Retr the retraction (identity + sum on ℝ^d, normalize on the
/// sphere, wrap on the torus).
public protocol Geometry: Sendable {
  /// Short mathematical name, e.g. `ℝ^2`, `S^2`, `T^1`.
  var name: String { get }
  /// Ambient coordinates per particle (d on ℝ^d and T^d; d + 1 on S^d).
  var dimension: Int { get }
  /// True when the domain is compact, so that the uniform measure is a probability measure.
  var isCompact: Bool { get }

  /// v ← P_x v, the projection of an ambient vector onto the tangent space at x.
  func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>)
  /// x ← Retr_x(v) for a tangent vector v.
  func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>)
  /// Maps an ambient point onto the domain (normalize on the sphere, wrap on the torus).
  /// Returns false when that is impossible (the origin has no direction).
  func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool
  /// A sample of the uniform (normalized Riemannian volume) measure; only for compact domains.
  func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence)
  /// Geodesic distance.
  func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double
  /// z ← a − b in ambient coordinates (the periodic difference on the torus): the argument of a
  /// translation-invariant kernel W(a − b), with ∇_a W(a − b) = ∇W(z).
  func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>)
  /// For `count` points (the rows of x and v): v_i ← P_{x_i} v_i, then x_i ← Retr_{x_i}(v_i) — the same
  /// numbers as the per-point pair, which is what the default does.
  func projectAndRetract(_ x: UnsafeMutablePointer<Double>, along v: UnsafeMutablePointer<Double>, count: Int)
  /// True when callers should move whole clouds with `projectAndRetract` — a domain across the plugin
  /// boundary, whose per-point calls would cross it once per particle. False (the default) otherwise.
  var prefersBatches: Bool { get }
}

extension Geometry {
  public var prefersBatches: Bool { false }

  public func projectAndRetract(_ x: UnsafeMutablePointer<Double>, along v: UnsafeMutablePointer<Double>, count: Int) {
    let d = dimension
    for i in 0..<count {
      projectToTangent(v + i * d, at: x + i * d)
      retract(x + i * d, along: v + i * d)
    }
  }

  @inlinable public func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
    for k in 0..<dimension { z[k] = a[k] - b[k] }
  }

  /// Canonicalizes every particle of a cloud; returns the first particle that cannot be mapped.
  public func canonicalize(_ cloud: inout ParticleCloud) -> Int? {
    let d = dimension
    return cloud.coordinates.withUnsafeMutableBufferPointer { x -> Int? in
      for i in 0..<cloud.count where !canonicalize(x.baseAddress! + i * d) { return i }
      return nil
    }
  }
}
