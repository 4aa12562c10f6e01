import Foundation
import SolverAPI

/// U(x) = |x|²/(2s²), ∇U = x/s².
struct GaussianReferencePotential: ScalarField {
  let dimension: Int
  let scale: Double
  func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    var s = 0.0
    let inv = 1 / (scale * scale)
    for k in 0..<dimension { s += x[k] * x[k]; gradient?[k] = x[k] * inv }
    return 0.5 * s * inv
  }
}
