import LinearAlgebra
import SolverAPI

/// The per-particle loop every metric runs, and the one Langevin move they share (docs/math.md §1).
///
/// A sweep cuts the particles into chunks whose boundaries depend on the cloud's size only and draws
/// each chunk's noise in one call, ξ_i = noise.normals(step: t, index: i), so a particle's move depends
/// on its own gradient and noise alone: the result is the same bits on any number of threads.
enum ParticleSweep {
  /// Calls `body(x_i, g_i, ξ_i, ∇U_i)` for every particle i: its coordinates, its gradient row, its
  /// `dimension` standard normals (not drawn, and not to be read, when τ = 0) and the reference potential's
  /// gradient at its coordinates from `offset` on (nil when τ = 0 or there is no reference potential).
  /// ∇U is computed a chunk at a time before the chunk's bodies run — in one batch for a field that
  /// prefers batches (a plugin's), point by point otherwise — the same numbers either way.
  @inlinable
  static func forEach(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, temperature tau: Double,
                      noise: RandomStream, step: Int, parallel: Parallel, reference u: (any ScalarField)?, at offset: Int = 0,
                      _ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>?) -> Void) {
    let d = cloud.dimension
    let grad = gradient.baseAddress!
    let u = tau > 0 ? u : nil, D = u?.dimension ?? 0, batched = u?.prefersBatches ?? false
    cloud.coordinates.withUnsafeMutableBufferPointer { xs in
      let x = xs.baseAddress!
      parallel.forEachChunk(cloud.count, grain: Parallel.particleGrain(count: cloud.count, dimension: d)) { range in
        // The chunk's noise in one call (a few KiB on the stack), then its reference gradients.
        let n = range.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n * d + n * D * (batched ? 3 : 1) + 1) { scratch in
          let noises = scratch.baseAddress!, du = noises + n * d
          if tau > 0 { noise.normals(step: step, indices: range, into: noises, count: d) }
          if let u {
            if batched {
              let points = du + n * D, values = points + n * D
              for i in range { for k in 0..<D { points[(i - range.lowerBound) * D + k] = x[i * d + offset + k] } }
              u.evaluate(batch: points, count: n, values: values, gradients: du)
            } else {
              for i in range { _ = u.evaluate(x + i * d + offset, gradient: du + (i - range.lowerBound) * D) }
            }
          }
          for i in range {
            let k = i - range.lowerBound
            body(x + i * d, grad + i * d, noises + k * d, u == nil ? nil : UnsafePointer(du + k * D))
          }
        }
      }
    }
  }

  /// The Langevin move of one point x on `geometry`, with its drift g in `v` (overwritten):
  ///     v ← −η (g + τ∇U(x)) + sqrt(2ητ) ξ,   x ← Retr_x(P_x v),
  /// where `noiseScale` = sqrt(2ητ) and `du` = ∇U(x) (nil: a flat reference, or τ = 0); ξ is not read when τ = 0.
  @inlinable @inline(__always)
  static func langevinMove<G: Geometry>(_ x: UnsafeMutablePointer<Double>, drift v: UnsafeMutablePointer<Double>,
                                        noise xi: UnsafePointer<Double>, on geometry: G, stepSize eta: Double,
                                        temperature tau: Double, noiseScale: Double, referenceGradient du: UnsafePointer<Double>?) {
    langevinDrift(drift: v, noise: xi, dimension: geometry.dimension, stepSize: eta, temperature: tau, noiseScale: noiseScale,
                  referenceGradient: du)
    geometry.projectToTangent(v, at: x)
    geometry.retract(x, along: v)
  }

  /// The ambient step of a Langevin move, before the projection and retraction: v ← −η (g + τ∇U) + sqrt(2ητ) ξ.
  @inlinable @inline(__always)
  static func langevinDrift(drift v: UnsafeMutablePointer<Double>, noise xi: UnsafePointer<Double>, dimension d: Int, stepSize eta: Double,
                            temperature tau: Double, noiseScale: Double, referenceGradient du: UnsafePointer<Double>?) {
    if let du, tau > 0 {
      for k in 0..<d { v[k] += tau * du[k] }
    }
    for k in 0..<d { v[k] *= -eta }
    if tau > 0 {
      for k in 0..<d { v[k] += noiseScale * xi[k] }
    }
  }
}
