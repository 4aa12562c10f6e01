import LinearAlgebra
import SolverAPI

/// The mean-field sum shared by interaction and MMD objectives: for evaluation points y_p and sources x_j,
///     values[p]    += w · (1/n) Σ_j W(y_p − x_j),
///     gradients[p] += w · (1/n) Σ_j ∇W(y_p − x_j),
/// with y − x the geometry's difference (periodic on the torus). O(points × sources × d); each point's
/// sum runs over j in order, so results do not depend on the thread count.
enum PairwiseSum {
  static func accumulate(kernel: any ScalarField, geometry: any Geometry,
                         points: ParticleCloud, sources: ParticleCloud, weight: Double,
                         values: UnsafeMutablePointer<Double>?, gradients: UnsafeMutablePointer<Double>?,
                         parallel: Parallel) {
    func run<K: ScalarField, G: Geometry>(_ k: K, _ g: G) {
      accumulate(k, g, points: points, sources: sources, weight: weight, values: values, gradients: gradients, parallel: parallel)
    }
    // Concrete fast paths for the built-in kernels (specialized, inlined), then the generic one.
    switch (kernel, geometry) {
    case let (k as GaussianKernel, _ as Euclidean):
      return gaussian(k, points: points, sources: sources, weight: weight, values: values, gradients: gradients, parallel: parallel)
    case let (k as GaussianKernel, g as Torus): return run(k, g)
    case let (k as GaussianKernel, g as Sphere): return run(k, g)
    case let (k as QuadraticKernel, g as Torus): return run(k, g)
    case let (k as ExpressionField, g as Euclidean): return run(k, g)
    default: break
    }
    func open<K: ScalarField>(_ k: K) {
      func inner<G: Geometry>(_ g: G) { run(k, g) }
      inner(geometry)
    }
    open(kernel)
  }

  static func accumulate<K: ScalarField, G: Geometry>(_ kernel: K, _ geometry: G,
                                                      points: ParticleCloud, sources: ParticleCloud, weight: Double,
                                                      values: UnsafeMutablePointer<Double>?,
                                                      gradients: UnsafeMutablePointer<Double>?, parallel: Parallel) {
    let d = points.dimension, n = sources.count
    let scale = weight / Double(n)
    if kernel.prefersBatches {
      return batched(kernel, geometry, points: points, sources: sources, scale: scale, values: values, gradients: gradients, parallel: parallel)
    }
    points.coordinates.withUnsafeBufferPointer { yp in
      sources.coordinates.withUnsafeBufferPointer { xp in
        let y = yp.baseAddress!, x = xp.baseAddress!
        parallel.forEachChunk(points.count, grain: 64) { range in
          withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * d) { buf in
            let z = buf.baseAddress!, g = z + d, acc = g + d
            for p in range {
              var v = 0.0
              for k in 0..<d { acc[k] = 0 }
              for j in 0..<n {
                geometry.difference(y + p * d, x + j * d, into: z)
                if gradients != nil {
                  v += kernel.evaluate(z, gradient: g)
                  for k in 0..<d { acc[k] += g[k] }
                } else {
                  v += kernel.evaluate(z, gradient: nil)
                }
              }
              values?[p] += scale * v
              if let gradients { for k in 0..<d { gradients[p * d + k] += scale * acc[k] } }
            }
          }
        }
      }
    }
  }

  /// The generic sum for a kernel across the plugin boundary: each point's n differences go in one call
  /// (a row of kernel values and gradients), summed over j in the same order as the per-pair loop.
  static func batched<K: ScalarField, G: Geometry>(_ kernel: K, _ geometry: G, points: ParticleCloud, sources: ParticleCloud, scale: Double,
                                                   values: UnsafeMutablePointer<Double>?, gradients: UnsafeMutablePointer<Double>?,
                                                   parallel: Parallel) {
    let d = points.dimension, n = sources.count
    points.coordinates.withUnsafeBufferPointer { yp in
      sources.coordinates.withUnsafeBufferPointer { xp in
        let y = yp.baseAddress!, x = xp.baseAddress!
        parallel.forEachChunk(points.count, grain: 64) { range in
          withUnsafeTemporaryAllocation(of: Double.self, capacity: n * (2 * d + 1) + d) { buf in
            let z = buf.baseAddress!, g = z + n * d, w = g + n * d, acc = w + n
            for p in range {
              for j in 0..<n { geometry.difference(y + p * d, x + j * d, into: z + j * d) }
              kernel.evaluate(batch: z, count: n, values: w, gradients: gradients == nil ? nil : g)
              var v = 0.0
              for k in 0..<d { acc[k] = 0 }
              for j in 0..<n {
                v += w[j]
                if gradients != nil { for k in 0..<d { acc[k] += g[j * d + k] } }
              }
              values?[p] += scale * v
              if let gradients { for k in 0..<d { gradients[p * d + k] += scale * acc[k] } }
            }
          }
        }
      }
    }
  }

  /// The Gaussian kernel on ℝ^d through the SIMD `Dense.gaussianSums`:
  ///     Σ_j W(y − x_j) = c Σ_j e_j,   Σ_j ∇W(y − x_j) = −(c/σ²) Σ_j e_j (y − x_j),   e_j = exp(−|y − x_j|²/2σ²).
  static func gaussian(_ kernel: GaussianKernel, points: ParticleCloud, sources: ParticleCloud, weight: Double,
                       values: UnsafeMutablePointer<Double>?, gradients: UnsafeMutablePointer<Double>?, parallel: Parallel) {
    let d = points.dimension, n = sources.count, s2 = kernel.bandwidth * kernel.bandwidth
    let valueScale = weight / Double(n) * kernel.strength, gradientScale = -valueScale / s2
    // Sources transposed (d × n), so that the kernel loads four of them at a time.
    let xt = Dense.threadScratch(d * n)
    sources.coordinates.withUnsafeBufferPointer { x in
      for j in 0..<n { for k in 0..<d { xt[k * n + j] = x[j * d + k] } }
    }
    points.coordinates.withUnsafeBufferPointer { yp in
      let y = yp.baseAddress!
      parallel.forEachChunk(points.count, grain: 32) { range in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: range.count * (d + 1)) { buffer in
          let sums = buffer.baseAddress!, moments = sums + range.count
          Dense.gaussianSums(points: y + range.lowerBound * d, count: range.count, dimension: d, sourcesTransposed: xt, sourceCount: n,
                             c: 1 / (2 * s2), sums: sums, moments: gradients == nil ? nil : moments)
          for (r, p) in range.enumerated() {
            values?[p] += valueScale * sums[r]
            if let gradients { for k in 0..<d { gradients[p * d + k] += gradientScale * moments[r * d + k] } }
          }
        }
      }
    }
  }
}
