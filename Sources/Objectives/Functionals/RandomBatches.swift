import Foundation
import LinearAlgebra
import SolverAPI

/// Random-batch interactions (docs/math.md §6; Jin, Li & Liu 2020): at each step the m particles are
/// partitioned at random into batches, and particle i interacts only with its own batch B(i):
///     ∇V(X^i) ≈ c_i Σ_{j ∈ B(i), j ≠ i} ∇W(X^i − X^j),   c_i = (m − 1) / (m (|B(i)| − 1)),
///     V(X^i)  ≈ W(0)/m + c_i Σ_{j ∈ B(i), j ≠ i} W(X^i − X^j),   F ≈ (1/2m) Σ_i V(X^i) —
/// O(m p) per step instead of O(m²). Each j ≠ i shares i's batch with probability (|B(i)| − 1)/(m − 1), so
/// every estimate is unbiased; and for a fixed partition ∂F_B/∂X^i = (1/m) ∇V_B(X^i) still holds exactly
/// (c is the same within a batch and ∇W is odd), so the particle law of the checks applies to the estimate.
///
/// The partition: a uniformly random permutation of the particles (`BucketedPermutation`, drawn in parallel,
/// a pure function of the seed and the step), cut into ⌊m/p⌋ consecutive batches of p, the first m mod p of them
/// taking one more — never a batch of one, which would have no estimate (MATH.md lets the last batch be
/// smaller; spreading the remainder keeps every |B| ≥ 2 and leaves the estimate unbiased). With m ≤ p there
/// is one batch and the sum is exact. Each batch's sums are formed pair by pair in a fixed order and each
/// particle belongs to one batch: the same bits on any thread count. The permutation is redrawn at each
/// evaluation (it is cheap, and nothing is kept between them), from half a million particles a group of
/// buckets at a time, so that it never takes 4 bytes a particle (`partitionedSum`).
public final class RandomBatches {
  /// p.
  public let size: Int
  let random: RandomStream
  /// The step whose partition evaluations use; nil: exact (no batches).
  public private(set) var step: Int? = 0
  private var shuffler = BucketedPermutation()
  /// The partition's positions a group of buckets at a time, after the tail of the previous group that the
  /// next chunk of batches still needs; and each chunk's sum.
  private var segment: [Int32] = []
  private var chunkTotals: [Double] = []
  /// The groups the partition is drawn in (nil: 16 from half a million particles on — where the whole
  /// partition's 4 bytes a particle would be a quarter of a 2-D cloud — and 1 below).
  let groups: Int?

  /// `groups`: how many pieces the partition is drawn in (1–16; nil: by the count, as above). The numbers do not
  /// depend on it.
  public init(size: Int, random: RandomStream, groups: Int? = nil) {
    precondition(size >= 2, "a random batch holds at least two particles")
    self.size = size
    self.random = random
    self.groups = groups
  }

  public func randomize(step: Int?) { self.step = step }

  /// The batches of m particles: ⌊m/p⌋ of them (one when m < p), the first m mod p holding p + 1.
  struct Layout {
    let batches: Int, base: Int, extra: Int
    init(count m: Int, size p: Int) {
      base = min(m, p)
      batches = max(1, m / p)
      extra = m - batches * base
    }
    /// Batch b's positions in the permutation.
    @inline(__always) func range(_ b: Int) -> Range<Int> {
      let start = b * base + min(b, extra)
      return start ..< start + base + (b < extra ? 1 : 0)
    }
  }

  /// Batches a parallel chunk holds: about 2048 particles, gathered into a thread's scratch.
  static func grain(size p: Int) -> Int { max(1, 2048 / p) }

  /// Scratch doubles a thread uses for one chunk: its particles gathered (positions, gradients, values) and
  /// one batch's pairs (differences, values, gradients).
  static func scratchCount(size p: Int, dimension d: Int) -> Int {
    grain(size: p) * (p + 1) * (2 * d + 1) + (p + 1) * p / 2 * (2 * d + 1)
  }

  /// Σ_i V_B(X^i) for the current step's partition of `cloud` (summed chunk by chunk in order), writing
  /// V_B(X^i) into `values` and ∇V_B(X^i) into `gradients` when they are non-nil (overwritten: every particle
  /// is in one batch). Only the particles' positions are read at random; a run's step scatters just the
  /// gradients (the values it needs are the sum).
  func evaluate(kernel: any ScalarField, geometry: any Geometry, cloud: ParticleCloud,
                values: UnsafeMutablePointer<Double>?, gradients: UnsafeMutablePointer<Double>?, parallel: Parallel) -> Double {
    guard let step else { preconditionFailure("exact evaluation goes through PairwiseSum") }
    let m = cloud.count
    precondition(m <= Int(Int32.max), "more particles than a random-batch partition indexes")
    // Pass 1 of the step's permutation: the bucket sizes. The positions are drawn group by group below.
    shuffler.prepare(random, step: step, count: m, groups: groups ?? (m >= 500_000 ? 16 : 1), parallel: parallel)
    // Concrete call sites, so that the loop is specialized (and the kernel inlined) for the built-in parts.
    switch (kernel, geometry) {
    case let (k as GaussianKernel, g as Euclidean): return evaluate(k, g, cloud: cloud, values: values, gradients: gradients, parallel: parallel)
    case let (k as GaussianKernel, g as Torus): return evaluate(k, g, cloud: cloud, values: values, gradients: gradients, parallel: parallel)
    case let (k as GaussianKernel, g as Sphere): return evaluate(k, g, cloud: cloud, values: values, gradients: gradients, parallel: parallel)
    case let (k as QuadraticKernel, g as Euclidean): return evaluate(k, g, cloud: cloud, values: values, gradients: gradients, parallel: parallel)
    default: return evaluate(kernel, geometry, cloud: cloud, values: values, gradients: gradients, parallel: parallel)
    }
  }

  private func evaluate<K: ScalarField, G: Geometry>(_ kernel: K, _ geometry: G, cloud: ParticleCloud,
                                                     values: UnsafeMutablePointer<Double>?, gradients: UnsafeMutablePointer<Double>?,
                                                     parallel: Parallel) -> Double {
    let m = cloud.count, d = cloud.dimension, p = size
    let layout = Layout(count: m, size: p)
    let w0: Double = withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, d)) { z in
      z.initialize(repeating: 0)
      return kernel.evaluate(z.baseAddress!, gradient: nil)
    }
    let selfTerm = w0 / Double(m)
    let scratch = Self.scratchCount(size: p, dimension: d), grain = Self.grain(size: p)
    let gaussian: (Double, Double, Double)? = (kernel as? GaussianKernel).flatMap { k in
      geometry is Euclidean ? (k.strength, 1 / (2 * k.bandwidth * k.bandwidth), 1 / (k.bandwidth * k.bandwidth)) : nil
    }
    let wantsGradients = gradients != nil
    return cloud.coordinates.withUnsafeBufferPointer { xp in
        let x = xp.baseAddress!
        /// Σ_i V_B(X^i) over the chunk's batches; `perm` addresses the partition by position.
        func chunkSum(_ chunk: Range<Int>, _ perm: UnsafePointer<Int32>) -> Double {
          // The chunk's particles, gathered in partition order: the random reads in one tight loop, then
          // the batches on contiguous memory, then one scatter.
          let first = layout.range(chunk.lowerBound).lowerBound, end = layout.range(chunk.upperBound - 1).upperBound, n = end - first
          let xs = Dense.threadScratch(scratch), gs = xs + n * d, vs = gs + n * d, pairBuffer = vs + n
          Dense.gatherRows(x, width: d, index: perm + first, count: n, into: xs)
          for r in 0..<(n * d) { gs[r] = 0 }
          for r in 0..<n { vs[r] = 0 }
          for b in chunk {
            let members = layout.range(b), s = members.count, o = members.lowerBound - first
            // W is even, ∇W odd: pair (r, q), r < q, adds W to both and ±∇W(X^r − X^q).
            if kernel.prefersBatches {
              // Across the plugin boundary: the batch's pairs in one call.
              let pairs = s * (s - 1) / 2
              let z = pairBuffer, w = z + pairs * d, g = w + pairs
              var k = 0
              for r in 0..<s { for q in (r + 1)..<s { geometry.difference(xs + (o + r) * d, xs + (o + q) * d, into: z + k * d); k += 1 } }
              kernel.evaluate(batch: z, count: pairs, values: w, gradients: wantsGradients ? g : nil)
              k = 0
              for r in 0..<s {
                for q in (r + 1)..<s {
                  vs[o + r] += w[k]
                  vs[o + q] += w[k]
                  if wantsGradients { for e in 0..<d { gs[(o + r) * d + e] += g[k * d + e]; gs[(o + q) * d + e] -= g[k * d + e] } }
                  k += 1
                }
              }
            } else if let (strength, c, gradientScale) = gaussian {
              // The Gaussian kernel on ℝ^d: w = s e^{−c|z|²}, ∇W = −(w/σ²) z, with the divisions hoisted.
              for r in 0..<s {
                let a = xs + (o + r) * d
                for q in (r + 1)..<s {
                  let b = xs + (o + q) * d
                  var r2 = 0.0
                  for e in 0..<d { let t = a[e] - b[e]; r2 += t * t }
                  let w = strength * exp(-c * r2)
                  vs[o + r] += w
                  vs[o + q] += w
                  if wantsGradients {
                    let h = -w * gradientScale
                    for e in 0..<d { let t = h * (a[e] - b[e]); gs[(o + r) * d + e] += t; gs[(o + q) * d + e] -= t }
                  }
                }
              }
            } else {
              let z = pairBuffer, g = z + d
              for r in 0..<s {
                for q in (r + 1)..<s {
                  geometry.difference(xs + (o + r) * d, xs + (o + q) * d, into: z)
                  let w = kernel.evaluate(z, gradient: wantsGradients ? g : nil)
                  vs[o + r] += w
                  vs[o + q] += w
                  if wantsGradients { for e in 0..<d { gs[(o + r) * d + e] += g[e]; gs[(o + q) * d + e] -= g[e] } }
                }
              }
            }
            let c = s > 1 ? Double(m - 1) / (Double(m) * Double(s - 1)) : 0  // m = 1: no other particle
            for r in o ..< o + s {
              vs[r] = selfTerm + c * vs[r]
              if wantsGradients { for e in 0..<d { gs[r * d + e] *= c } }
            }
          }
          var total = 0.0
          for r in 0..<n { total += vs[r] }
          if let gradients { Dense.scatterRows(gs, width: d, index: perm + first, count: n, into: gradients) }
          if let values { Dense.scatterRows(vs, width: 1, index: perm + first, count: n, into: values) }
          return total
        }
        return partitionedSum(layout: layout, grain: grain, parallel: parallel, chunkSum)
    }
  }

  /// Σ over the chunks of `grain` batches of chunkSum(chunk, perm), added in chunk order (`Parallel.sum`'s
  /// order: the same bits on any thread count and in any number of groups). The partition is drawn a group of
  /// buckets at a time into `segment`: each chunk is evaluated once all its positions are drawn, and the
  /// positions a later chunk still needs move to the front before the next group is drawn behind them.
  private func partitionedSum(layout: Layout, grain: Int, parallel: Parallel,
                              _ chunkSum: (Range<Int>, UnsafePointer<Int32>) -> Double) -> Double {
    let m = shuffler.count, batches = layout.batches, chunks = (batches + grain - 1) / grain, groups = shuffler.groupCount
    func batchRange(_ c: Int) -> Range<Int> { c * grain ..< min(batches, (c + 1) * grain) }
    func positions(_ c: Int) -> Range<Int> { layout.range(c * grain).lowerBound ..< layout.range(min(batches, (c + 1) * grain) - 1).upperBound }
    var largest = 0
    for g in 0..<groups { largest = max(largest, shuffler.group(g).positions.count) }
    let needed = largest + grain * (size + 1)
    // Room to spare, so that a group a little larger at a later step does not allocate again.
    if segment.count < needed { segment = [Int32](repeating: 0, count: groups > 1 ? needed + needed / 8 : needed) }
    if chunkTotals.count < chunks { chunkTotals = [Double](repeating: 0, count: chunks) }
    return segment.withUnsafeMutableBufferPointer { buffer in
      chunkTotals.withUnsafeMutableBufferPointer { totals in
        var held = 0, done = 0, g = 0  // the buffer holds positions held ..< end; chunks ..< done are summed
        while done < chunks {
          var end = m
          if g < groups {
            let group = shuffler.group(g)
            shuffler.draw(group: g, into: buffer.baseAddress! + (group.positions.lowerBound - held), parallel: parallel)
            end = group.positions.upperBound
            g += 1
          }
          var ready = done
          while ready < chunks && positions(ready).upperBound <= end { ready += 1 }
          let perm = UnsafePointer(buffer.baseAddress! - held)
          parallel.forEachChunk(ready - done, grain: 1) { r in
            for c in r.lowerBound + done ..< r.upperBound + done { totals[c] = chunkSum(batchRange(c), perm) }
          }
          done = ready
          // The positions the next chunk needs from this group, to the front.
          let keep = done < chunks ? positions(done).lowerBound : end
          if end > keep { memmove(buffer.baseAddress!, buffer.baseAddress! + (keep - held), (end - keep) * MemoryLayout<Int32>.stride) }
          held = keep
        }
        if chunks <= 1 { return totals[0] }
        var total = 0.0
        for c in 0..<chunks { total += totals[c] }
        return total
      }
    }
  }
}
