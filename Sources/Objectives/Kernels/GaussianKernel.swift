import Foundation
import SolverAPI

/// W(z) = c · exp(−|z|² / (2σ²)), ∇W(z) = −W(z) z / σ². With c > 0 it is positive definite (an MMD
/// kernel; as an interaction, repulsive under F = ½∫∫W); with c < 0 it attracts.
public struct GaussianKernel: ScalarField {
  public let dimension: Int
  public let strength: Double
  public let bandwidth: Double

  public init(dimension: Int, strength: Double, bandwidth: Double) {
    self.dimension = dimension
    self.strength = strength
    self.bandwidth = bandwidth
  }

  public func evaluate(_ z: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    var r2 = 0.0
    for k in 0..<dimension { r2 += z[k] * z[k] }
    let s2 = bandwidth * bandwidth
    let w = strength * exp(-r2 / (2 * s2))
    if let gradient { for k in 0..<dimension { gradient[k] = -w * z[k] / s2 } }
    return w
  }
}
