/// ℝ × W, the domain of lifted particles (r, w) (docs/math.md §2, reduction A): coordinate 0 is the weight
/// r on the real line, the rest a point of W.
public struct LiftedDomain: Geometry {
  public let base: any Geometry
  public init(base: any Geometry) { self.base = base }
  public var name: String { "ℝ × \(base.name)" }
  public var dimension: Int { base.dimension + 1 }
  public var isCompact: Bool { false }

  public func projectToTangent(_ v: UnsafeMutablePointer<Double>, at x: UnsafePointer<Double>) {
    base.projectToTangent(v + 1, at: x + 1)
  }
  public func retract(_ x: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>) {
    x[0] += v[0]
    base.retract(x + 1, along: v + 1)
  }
  public func canonicalize(_ x: UnsafeMutablePointer<Double>) -> Bool { x[0].isFinite && base.canonicalize(x + 1) }
  public func sampleUniform(into x: UnsafeMutablePointer<Double>, using random: inout RandomSequence) {
    preconditionFailure("ℝ × W has no uniform probability measure")
  }
  public func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
    let dr = a[0] - b[0], dw = base.distance(a + 1, b + 1)
    return (dr * dr + dw * dw).squareRoot()
  }
  public func difference(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
    z[0] = a[0] - b[0]
    base.difference(a + 1, b + 1, into: z + 1)
  }
}
