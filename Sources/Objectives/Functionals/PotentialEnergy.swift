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
        if V.prefersBatches {
          // A plugin's potential: one call for the chunk, summed in the same order.
          withUnsafeTemporaryAllocation(of: Double.self, capacity: range.count) { chunk in
            V.evaluate(batch: x + range.lowerBound * d, count: range.count, values: chunk.baseAddress!,
                       gradients: g.map { $0 + range.lowerBound * d })
            for i in range {
              let vi = chunk[i - range.lowerBound]
              v?[i] = vi
              s += vi
            }
          }
          return s
        }
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

  /// `evaluate` adding ∇V(X^i) to `gradient` and V(X^i) to `values` instead of overwriting them — the same
  /// numbers added as a scratch copy would, without the scratch (a sum objective's term at m = 10⁶).
  func evaluate(_ cloud: ParticleCloud, adding gradient: UnsafeMutableBufferPointer<Double>?, adding values: UnsafeMutableBufferPointer<Double>?,
                parallel: Parallel) -> Double {
    let d = cloud.dimension, V = potential
    let total = cloud.coordinates.withUnsafeBufferPointer { xp -> Double in
      let x = xp.baseAddress!, g = gradient?.baseAddress, v = values?.baseAddress
      return parallel.sum(cloud.count, grain: 512) { range in
        let n = range.count, chunk = Dense.threadScratch(n * (d + 1)), gc = chunk + n
        var s = 0.0
        if V.prefersBatches {
          V.evaluate(batch: x + range.lowerBound * d, count: n, values: chunk, gradients: g == nil ? nil : gc)
        } else {
          for i in range { chunk[i - range.lowerBound] = V.evaluate(x + i * d, gradient: g == nil ? nil : gc + (i - range.lowerBound) * d) }
        }
        for i in range {
          let r = i - range.lowerBound
          v?[i] += chunk[r]
          s += chunk[r]
          if let g { for k in 0..<d { g[i * d + k] += gc[r * d + k] } }
        }
        return s
      }
    }
    return total / Double(cloud.count)
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    points.coordinates.withUnsafeBufferPointer { yp in
      potential.evaluate(batch: yp.baseAddress!, count: points.count, values: values.baseAddress!, gradients: gradients?.baseAddress)
    }
  }
}
