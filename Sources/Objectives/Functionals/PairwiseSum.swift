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
    case let (k as GaussianKernel, g as Euclidean): return run(k, g)
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
}
