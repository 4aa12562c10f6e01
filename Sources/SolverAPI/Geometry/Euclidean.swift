import Foundation

/// ℝ^d with the flat metric: P = I, Retr_x(v) = x + v.
public struct Euclidean: Geometry {
  public let dimension: Int
  public init(dimension: Int) { self.dimension = dimension }
  public var name: String { "ℝ^\(dimension)" }
  public var isCompact: Bool { false }

  @inlinable public func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {}

  @inlinable public func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
    for k in 0..<dimension { x[k] += v[k] }
  }

  public func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool { true }

  public func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
    preconditionFailure("ℝ^d has no uniform probability measure")
  }

  public func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    var s = 0.0
    for k in 0..<dimension { let t = a[k] - b[k]; s += t * t }
    return s.squareRoot()
  }
}
