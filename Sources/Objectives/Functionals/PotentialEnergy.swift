import LinearAlgebra
import SolverAPI

/// F(μ) = ∫ V dμ; δF/δμ = V (docs/math.md §1). With τ > 0 the dynamics sample ∝ e^{−V/τ} ρ.
public final class PotentialEnergy: Objective {
  public let potential: any ScalarField
  public var dimension: Int { potential.dimension }

  public init(potential: any ScalarField) { self.potential = potential }

  /// V(X^i) of a whole cloud, for a field that prefers batches (`batchValues`).
  private var batchValues: [Double] = []
  /// ∇V(X^i) of a whole cloud, when a sum adds it (`evaluate(_:adding:adding:parallel:)`).
  private var batchGradients: [Double] = []

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    sweep(cloud, gradient: gradient, values: values, adding: false, parallel: parallel)
  }

  /// `evaluate` adding ∇V(X^i) to `gradient` and V(X^i) to `values` instead of overwriting them — the same
  /// numbers added as a scratch copy would, without the scratch (a sum objective's term at m = 10⁶).
  func evaluate(_ cloud: ParticleCloud, adding gradient: UnsafeMutableBufferPointer<Double>?, adding values: UnsafeMutableBufferPointer<Double>?,
                parallel: Parallel) -> Double {
    sweep(cloud, gradient: gradient, values: values, adding: true, parallel: parallel)
  }

  /// F = (1/m) Σ_i V(X^i), summed in chunks of 512 in order, with ∇V(X^i) and V(X^i) written into the buffers
  /// (or added to them).
  private func sweep(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                     adding: Bool, parallel: Parallel) -> Double {
    let d = cloud.dimension, V = potential
    if V.prefersBatches { return wholeCloud(cloud, gradient: gradient, values: values, adding: adding, parallel: parallel) }
    let total = cloud.coordinates.withUnsafeBufferPointer { xp -> Double in
      let x = xp.baseAddress!, g = gradient?.baseAddress, v = values?.baseAddress
      return parallel.sum(cloud.count, grain: 512) { range in
        // Added gradients are formed in the thread's scratch first.
        let own = adding && g != nil ? Dense.threadScratch(d) : nil
        var s = 0.0
        for i in range {
          let vi = V.evaluate(x + i * d, gradient: own ?? g.map { $0 + i * d })
          if let own, let g { for k in 0..<d { g[i * d + k] += own[k] } }
          if let v { if adding { v[i] += vi } else { v[i] = vi } }
          s += vi
        }
        return s
      }
    }
    return total / Double(cloud.count)
  }

  /// A field across the plugin boundary (a plugin's, a Python function): one call for the whole cloud — a NumPy
  /// potential runs once a step, vectorized — then the values summed in the same chunks and order as above.
  private func wholeCloud(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                          adding: Bool, parallel: Parallel) -> Double {
    let m = cloud.count, d = cloud.dimension
    if batchValues.count != m { batchValues = [Double](repeating: 0, count: m) }
    if adding, gradient != nil, batchGradients.count != m * d { batchGradients = [Double](repeating: 0, count: m * d) }
    let total = cloud.coordinates.withUnsafeBufferPointer { xp in
      batchValues.withUnsafeMutableBufferPointer { vb in
        batchGradients.withUnsafeMutableBufferPointer { gb in
          let into = gradient == nil ? nil : adding ? gb.baseAddress : gradient!.baseAddress
          potential.evaluate(batch: xp.baseAddress!, count: m, values: vb.baseAddress!, gradients: into)
          if adding, let gradient { for k in 0..<(m * d) { gradient[k] += gb[k] } }
          if let values { for i in 0..<m { if adding { values[i] += vb[i] } else { values[i] = vb[i] } } }
          let v = UnsafeBufferPointer(vb)
          return parallel.sum(m, grain: 512) { range in
            var s = 0.0
            for i in range { s += v[i] }
            return s
          }
        }
      }
    }
    return total / Double(m)
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    points.coordinates.withUnsafeBufferPointer { yp in
      potential.evaluate(batch: yp.baseAddress!, count: points.count, values: values.baseAddress!, gradients: gradients?.baseAddress)
    }
  }
}
