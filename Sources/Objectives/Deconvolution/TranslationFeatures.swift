import Foundation
import LinearAlgebra
import SolverAPI

/// Translation features on the torus T^p for sparse deconvolution (docs/math.md §2):
///
///     Φ(w)_k = ψ(x_k − w),      ∇_w Φ(w)_k = −∇ψ(x_k − w),
///
/// with ψ a `PeriodicKernel` and x_k − w the periodic difference (`Torus.difference`, in [−½, ½) per
/// coordinate).
///
/// Sample points: the regular grid of g points per axis, x = (i_0/g, …, i_{p−1}/g) with i_c ∈ {0, …, g−1}
/// (the grid starts at 0, not at the cell midpoints). n = g^p samples, numbered row-major with the first
/// coordinate slowest: k = ((i_0 g + i_1) g + …) g + i_{p−1}.
///
/// Jacobian data: p doubles per (particle, sample), the gradient ∇_w Φ(w_i)_k itself
/// (`jacobian[(i n + k) p + c]`). Because ψ is a product and the samples form a grid, each particle needs
/// only p·g evaluations of the 1-D profile; Φ and ∇Φ are products of those, multiplied in the same coordinate
/// order as `PeriodicKernel.evaluate`, so Φ(w)_k equals ψ(x_k − w) bit for bit.
///
/// Each particle's row is computed by one thread in a fixed order, so results do not depend on the thread
/// count; the only scratch is on the stack.
public final class TranslationFeatures: FeatureMap {
  public let kernel: PeriodicKernel
  /// g, grid points per axis.
  public let gridSize: Int
  /// n = g^p.
  public let sampleCount: Int

  public init(kernel: PeriodicKernel, gridSize: Int) {
    precondition(gridSize >= 1, "the grid needs at least one point per axis")
    self.kernel = kernel
    self.gridSize = gridSize
    var n = 1
    for _ in 0..<kernel.dimension {
      let (product, overflow) = n.multipliedReportingOverflow(by: gridSize)
      precondition(!overflow, "g^p overflows")
      n = product
    }
    self.sampleCount = n
  }

  /// p.
  public var dimension: Int { kernel.dimension }
  /// p: the gradient ∇_w Φ(w)_k is stored whole.
  public var jacobianWidth: Int { kernel.dimension }

  /// The grid coordinate i/g.
  @inlinable public func gridCoordinate(_ i: Int) -> Double { Double(i) / Double(gridSize) }

  /// x_k, the k-th sample point (allocates; for tests and tools).
  public func samplePoint(_ k: Int) -> [Double] {
    var x = [Double](repeating: 0, count: dimension)
    var r = k
    for c in stride(from: dimension - 1, through: 0, by: -1) {
      x[c] = gridCoordinate(r % gridSize)
      r /= gridSize
    }
    return x
  }

  /// All n sample points as an n × p cloud.
  public var samplePoints: ParticleCloud {
    ParticleCloud(count: sampleCount, dimension: dimension, coordinates: (0..<sampleCount).flatMap(samplePoint))
  }

  private var grain: Int { max(1, 16_384 / max(1, sampleCount * dimension)) }

  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?,
                       parallel: Parallel) {
    precondition(w.dimension == dimension, "particles on T^\(w.dimension), features on T^\(dimension)")
    let p = dimension, g = gridSize, n = sampleCount
    w.coordinates.withUnsafeBufferPointer { wb in
      let wp = wb.baseAddress!
      parallel.forEachChunk(w.count, grain: grain) { particles in
        // Per particle: the 1-D values k(x − w_c) and slopes k'(x − w_c) on each axis (2·p·g doubles), the
        // factors of the current sample (2·p doubles) and its grid index (p integers).
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * p * g + 2 * p) { buffer in
          withUnsafeTemporaryAllocation(of: Int.self, capacity: p) { indexBuffer in
            let values = buffer.baseAddress!, slopes = values + p * g
            let v = slopes + p * g, d = v + p
            let index = indexBuffer.baseAddress!
            for i in particles {
              let wi = wp + i * p
              for c in 0..<p {
                for j in 0..<g {
                  let (kv, kd) = kernel.profileValue(Torus.difference(gridCoordinate(j), wi[c]))
                  values[c * g + j] = kv
                  slopes[c * g + j] = kd
                }
              }
              index.initialize(repeating: 0, count: p)
              let fi = features + i * n
              for k in 0..<n {
                for c in 0..<p { v[c] = values[c * g + index[c]]; d[c] = slopes[c * g + index[c]] }
                var psi = v[0]
                for c in 1..<max(1, p) { psi *= v[c] }
                fi[k] = psi
                if let jacobian {
                  let jk = jacobian + (i * n + k) * p
                  for c in 0..<p { jk[c] = -PeriodicKernel.productReplacing(v, count: p, at: c, with: d[c]) }
                }
                // Odometer: the last coordinate runs fastest.
                var c = p - 1
                while c >= 0 {
                  index[c] += 1
                  if index[c] < g { break }
                  index[c] = 0
                  c -= 1
                }
              }
            }
          }
        }
      }
    }
  }

  /// g_i = c_i Σ_k u_k ∇_w Φ(w_i)_k, summed over k in order for each particle.
  public func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                       scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
    guard w.count > 0 else { return }
    guard let jacobian else { preconditionFailure("TranslationFeatures.pullback needs the Jacobian data evaluate wrote") }
    let p = dimension, n = sampleCount
    parallel.forEachChunk(w.count, grain: grain) { particles in
      for i in particles {
        let gi = g + i * p
        gi.update(repeating: 0, count: p)
        let ji = jacobian + i * n * p
        for k in 0..<n {
          let uk = u[k], jk = ji + k * p
          for a in 0..<p { gi[a] += uk * jk[a] }
        }
        let ci = c[i]
        for a in 0..<p { gi[a] *= ci }
      }
    }
  }
}
