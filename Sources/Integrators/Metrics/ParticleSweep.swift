import LinearAlgebra
import SolverAPI

/// The per-particle loop every metric runs, and the one Langevin move they share (docs/math.md §1).
///
/// A sweep cuts the particles into chunks whose boundaries depend on the cloud's size only and draws
/// each chunk's noise in one call, ξ_i = noise.normals(step: t, index: i), so a particle's move depends
/// on its own gradient and noise alone: the result is the same bits on any number of threads.
enum ParticleSweep {
  /// Calls `body(x_i, g_i, ξ_i, scratch)` for every particle i: its coordinates, its gradient row, its
  /// `dimension` standard normals (not drawn, and not to be read, when τ = 0) and `dimension` doubles of
  /// scratch.
  @inlinable
  static func forEach(_ cloud: inout ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>, temperature tau: Double,
                      noise: RandomStream, step: Int, parallel: Parallel,
                      _ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
    let d = cloud.dimension
    let grad = gradient.baseAddress!
    cloud.coordinates.withUnsafeMutableBufferPointer { xs in
      let x = xs.baseAddress!
      parallel.forEachChunk(cloud.count, grain: Parallel.particleGrain(count: cloud.count, dimension: d)) { range in
        // The chunk's noise in one call (a few KiB on the stack), then d doubles of scratch.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: (range.count + 1) * d) { scratch in
          let noises = scratch.baseAddress!, du = noises + range.count * d
          if tau > 0 { noise.normals(step: step, indices: range, into: noises, count: d) }
          for i in range {
            body(x + i * d, grad + i * d, noises + (i - range.lowerBound) * d, du)
          }
        }
      }
    }
  }

  /// The Langevin move of one point x on `geometry`, with its drift g in `v` (overwritten):
  ///     v ← −η (g + τ∇U(x)) + sqrt(2ητ) ξ,   x ← Retr_x(P_x v),
  /// where `noiseScale` = sqrt(2ητ), U is the reference potential (nil: flat; its gradient lands in
  /// `du`), and neither ∇U nor ξ is touched when τ = 0.
  @inlinable @inline(__always)
  static func langevinMove<G: Geometry>(_ x: UnsafeMutablePointer<Double>, drift v: UnsafeMutablePointer<Double>,
                                        noise xi: UnsafePointer<Double>, on geometry: G, stepSize eta: Double,
                                        temperature tau: Double, noiseScale: Double, reference u: (any ScalarField)?,
                                        scratch du: UnsafeMutablePointer<Double>) {
    let d = geometry.dimension
    if let u, tau > 0 {
      _ = u.evaluate(x, gradient: du)
      for k in 0..<d { v[k] += tau * du[k] }
    }
    for k in 0..<d { v[k] *= -eta }
    if tau > 0 {
      for k in 0..<d { v[k] += noiseScale * xi[k] }
    }
    geometry.projectToTangent(v, at: x)
    geometry.retract(x, along: v)
  }
}
