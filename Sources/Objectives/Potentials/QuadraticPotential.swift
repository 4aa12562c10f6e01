import SolverAPI

/// V(x) = (a/2)|x − c|², ∇V(x) = a(x − c). With τ > 0 its Gibbs measure is N(c, (τ/a) I) (docs/math.md §1).
public struct QuadraticPotential: ScalarField {
  public let dimension: Int
  public let a: Double
  public let center: [Double]

  public init(dimension: Int, a: Double, center: [Double]? = nil) {
    self.dimension = dimension
    self.a = a
    self.center = center ?? [Double](repeating: 0, count: dimension)
  }

  public var quadraticCoefficient: Double? { center.allSatisfy { $0 == 0 } ? a : nil }

  public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    var s = 0.0
    for k in 0..<dimension {
      let z = x[k] - center[k]
      s += z * z
      gradient?[k] = a * z
    }
    return 0.5 * a * s
  }
}
