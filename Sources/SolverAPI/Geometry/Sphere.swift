import Foundation

/// The unit sphere S^n ⊂ ℝ^{n+1}: P_x = I − x xᵀ, Retr_x(v) = (x + v)/|x + v| (docs/math.md §1).
public struct Sphere: Geometry {
  /// Intrinsic dimension n; particles have n + 1 coordinates.
  public let intrinsicDimension: Int
  public init(intrinsicDimension: Int) { self.intrinsicDimension = intrinsicDimension }
  public var dimension: Int { intrinsicDimension + 1 }
  public var name: String { "S^\(intrinsicDimension)" }
  public var isCompact: Bool { true }

  /// log vol(S^n) = log(2π^{(n+1)/2} / Γ((n+1)/2)) (vol S^1 = 2π, vol S^2 = 4π): the log-normalizer of
  /// the uniform measure, so that relative entropies against it are absolute.
  public static func logVolume(_ n: Int) -> Double {
    let a = Double(n + 1) / 2
    return log(2.0) + a * log(Double.pi) - lgamma(a)
  }

  @inlinable public func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {
    let d = dimension
    var dot = 0.0
    for k in 0..<d { dot += x[k] * v[k] }
    for k in 0..<d { v[k] -= dot * x[k] }
  }

  @inlinable public func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
    let d = dimension
    var norm2 = 0.0
    for k in 0..<d { x[k] += v[k]; norm2 += x[k] * x[k] }
    let inv = 1 / norm2.squareRoot()
    for k in 0..<d { x[k] *= inv }
  }

  public func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool {
    var norm2 = 0.0
    for k in 0..<dimension { norm2 += x[k] * x[k] }
    guard norm2 > 0, norm2.isFinite else { return false }
    let inv = 1 / norm2.squareRoot()
    for k in 0..<dimension { x[k] *= inv }
    return true
  }

  /// A normalized standard Gaussian vector is uniform on the sphere.
  public func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
    repeat {
      for k in 0..<dimension { x[k] = random.normal() }
    } while !canonicalize(x)
  }

  /// Great-circle distance arccos⟨a, b⟩, computed as 2 asin(|a − b|/2) for accuracy at small angles.
  public func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    var s = 0.0
    for k in 0..<dimension { let t = a[k] - b[k]; s += t * t }
    return 2 * asin(min(1, s.squareRoot() / 2))
  }
}
