import LinearAlgebra
import SolverAPI

/// F(μ) = ∫ V dμ; δF/δμ = V (docs/math.md §1). With τ > 0 the dynamics sample ∝ e^{−V/τ} ρ.
public final class PotentialEnergy: Objective {
  public let potential: any ScalarField
  public var dimension: Int { potential.dimension }

  public init(potential: any ScalarField) { self.potential = potential }

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    let d = cloud.dimension, V = potential
    let total = cloud.coordinates.withUnsafeBufferPointer { xp -> Double in
      let x = xp.baseAddress!, g = gradient?.baseAddress, v = values?.baseAddress
      return parallel.sum(cloud.count, grain: 512) { range in
        var s = 0.0
        for i in range {
          let vi = V.evaluate(x + i * d, gradient: g.map { $0 + i * d })
          v?[i] = vi
          s += vi
        }
        return s
      }
    }
    return total / Double(cloud.count)
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    let d = points.dimension
    points.coordinates.withUnsafeBufferPointer { yp in
      for p in 0..<points.count {
        values[p] = potential.evaluate(yp.baseAddress! + p * d, gradient: gradients.map { $0.baseAddress! + p * d })
      }
    }
  }
}
