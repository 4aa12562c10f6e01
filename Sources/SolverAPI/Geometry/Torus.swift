import Foundation

/// The flat torus T^d = [0, 1)^d: P = I, Retr_x(v) = wrap(x + v), distances taken periodically.
public struct Torus: Geometry {
  public let dimension: Int
  public init(dimension: Int) { self.dimension = dimension }
  public var name: String { "T^\(dimension)" }
  public var isCompact: Bool { true }

  @inlinable public func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {}

  @inlinable public func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
    for k in 0..<dimension { x[k] = Torus.wrap(x[k] + v[k]) }
  }

  /// t − ⌊t⌋, mapped into [0, 1) (−0 and rounding up to 1 become 0).
  @inlinable public static func wrap(_ t: Double) -> Double {
    let w = t - t.rounded(.down)
    return w < 1 ? w + 0 : 0
  }

  /// The periodic difference a − b, in [−½, ½).
  @inlinable public static func difference(_ a: Double, _ b: Double) -> Double {
    let t = a - b
    return t - (t + 0.5).rounded(.down)
  }

  public func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool {
    for k in 0..<dimension {
      guard x[k].isFinite else { return false }
      x[k] = Torus.wrap(x[k])
    }
    return true
  }

  public func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
    for k in 0..<dimension { x[k] = random.uniform() }
  }

  @inlinable public func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
    for k in 0..<dimension { z[k] = Torus.difference(a[k], b[k]) }
  }

  public func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    var s = 0.0
    for k in 0..<dimension { let t = Torus.difference(a[k], b[k]); s += t * t }
    return s.squareRoot()
  }
}
