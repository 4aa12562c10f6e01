import SolverAPI

/// W(z) = (b/2)|z|², ∇W(z) = b z. Pairwise sums reduce to moments, so the interaction costs O(m).
public struct QuadraticKernel: ScalarField {
  public let dimension: Int
  public let b: Double
  public init(dimension: Int, b: Double) { self.dimension = dimension; self.b = b }
  public var quadraticCoefficient: Double? { b }

  public func evaluate(_ z: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    var s = 0.0
    for k in 0..<dimension { s += z[k] * z[k]; gradient?[k] = b * z[k] }
    return 0.5 * b * s
  }
}
