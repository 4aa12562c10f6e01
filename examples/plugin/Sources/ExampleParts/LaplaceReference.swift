import Foundation
import MFLD

/// U(x) = Σ_k |x_k − c_k| / b: the potential of the product Laplace law, ρ = e^{−U}/Z with log Z = d log(2b).
/// ∇U = sign(x − c)/b (0 at the kink). With F = 0 and τ = 1 the particles sample Laplace(c, b) in each
/// coordinate: mean c, variance 2b² (what the tests check).
public struct LaplacePotential: ScalarField {
  public let dimension: Int
  public let scale: Double
  public let center: [Double]

  public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    var s = 0.0
    for k in 0..<dimension {
      let z = x[k] - center[k]
      s += abs(z)
      gradient?[k] = z > 0 ? 1 / scale : (z < 0 ? -1 / scale : 0)
    }
    return s / scale
  }
}

/// The Laplace reference measure, a new reference.
public enum LaplaceReference {
  public static let component = Component(
    .reference, "laplace",
    summary: "ρ ∝ exp(−Σ_k |x_k − c_k|/b): the product Laplace law, heavier-tailed than a Gaussian reference",
    parameters: [
      .real("scale", default: 1, in: .positive, "b"),
      .reals("center", default: [], "c (empty: the origin)"),
    ],
    notes: "On ℝ^d; normalized (log Z = d log 2b), so the relative entropy is exact.",
    example: ["type": "laplace", "scale": 1]
  ) { args in
    let domain = try args.domain
    guard domain is Euclidean else {
      throw args.error(nil, "'laplace' is a law on ℝ^d; the domain is \(domain.name)", fix: "use \"uniform\" on compact domains")
    }
    let d = domain.dimension, b = args.real("scale")
    let center = try StudentT.vector(args, "center", d) ?? [Double](repeating: 0, count: d)
    return ReferenceMeasure(name: "laplace", potential: LaplacePotential(dimension: d, scale: b, center: center),
                            logNormalizer: Double(d) * log(2 * b))
  }
}
