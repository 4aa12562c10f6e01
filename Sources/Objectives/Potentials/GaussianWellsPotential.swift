import Foundation
import SolverAPI

/// V(x) = −Σ_j h_j exp(−|x − c_j|² / (2 s_j²)) + (a/2)|x|²: Gaussian wells of depth h_j and width s_j
/// at centers c_j, plus an optional quadratic confinement a (needed on ℝ^d with a flat reference).
/// ∇V(x) = Σ_j h_j exp(−|x − c_j|²/(2s_j²)) (x − c_j)/s_j² + a x.
public struct GaussianWellsPotential: ScalarField {
  public let dimension: Int
  public let centers: [[Double]]
  public let depths: [Double]
  public let widths: [Double]
  public let confinement: Double

  public init(centers: [[Double]], depths: [Double], widths: [Double], confinement: Double) {
    self.dimension = centers.first?.count ?? 0
    self.centers = centers
    self.depths = depths
    self.widths = widths
    self.confinement = confinement
  }

  public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    var v = 0.0
    for k in 0..<dimension {
      v += 0.5 * confinement * x[k] * x[k]
      gradient?[k] = confinement * x[k]
    }
    for j in centers.indices {
      let c = centers[j], s2 = widths[j] * widths[j]
      var r2 = 0.0
      for k in 0..<dimension { let z = x[k] - c[k]; r2 += z * z }
      let e = depths[j] * exp(-r2 / (2 * s2))
      v -= e
      if let gradient { for k in 0..<dimension { gradient[k] += e * (x[k] - c[k]) / s2 } }
    }
    return v
  }
}
