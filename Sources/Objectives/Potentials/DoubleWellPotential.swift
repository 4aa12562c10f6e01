import SolverAPI

/// V(x) = h ((x₁/s)² − 1)² + (a/2)(x₂² + … + x_d²): wells at x₁ = ±s separated by a barrier of
/// height h, and a quadratic confinement of curvature a in the other coordinates.
/// ∇V = (4h x₁ ((x₁/s)² − 1)/s², a x₂, …, a x_d).
public struct DoubleWellPotential: ScalarField {
  public let dimension: Int
  public let height: Double
  public let separation: Double
  public let a: Double

  public init(dimension: Int, height: Double, separation: Double, a: Double) {
    self.dimension = dimension
    self.height = height
    self.separation = separation
    self.a = a
  }

  public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    let s2 = separation * separation
    let q = x[0] * x[0] / s2 - 1
    var v = height * q * q
    gradient?[0] = 4 * height * x[0] * q / s2
    for k in 1..<max(1, dimension) {
      v += 0.5 * a * x[k] * x[k]
      gradient?[k] = a * x[k]
    }
    return v
  }
}
