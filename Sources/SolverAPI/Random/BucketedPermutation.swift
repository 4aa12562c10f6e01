import CKernels
import LinearAlgebra

/// A uniformly random permutation drawn in parallel and cache-friendly (Sanders 1998): every element draws a
/// bucket, a counting sort places the elements bucket by bucket (each bucket keeping index order), and each
/// bucket — about 16 384 elements, in cache — is shuffled by Fisher–Yates. A multinomial split into buckets
/// followed by uniform shuffles of each is a uniform permutation. Every draw is counter-based: SplitMix64 at
/// counter (element or position) from a seed mixed from the stream's key, the step and the pass — a few
/// nanoseconds a draw where a Philox block costs ten, and three draws an element — and integers in 0..<n
/// by the high word of a 64 × 64-bit product (`BucketPass.c`). The buckets and chunks depend only on the count,
/// so the result is a pure function of (seed, stream, step, count) on any thread count. (The serial
/// `permutation(step:into:)` draws another one; minibatch epochs keep it, so that their runs do not change.)
///
/// **In groups.** The permutation need not be held whole. `prepare(groups: G)` counts the buckets and notes each
/// element's group of consecutive buckets (4 bits an element, G ≤ 16); `draw(group:into:)` then writes one group's
/// positions — its members found by their 4 bits, placed and shuffled — with the values the whole draw has there.
/// Random batches take a million particles' partition a sixteenth at a time this way: half a byte and a quarter
/// a particle where the whole permutation takes four.
public struct BucketedPermutation {
  /// Elements per bucket (about).
  public static let bucketSize = 16_384
  /// Elements per counting chunk: 65 536, or m/64 beyond 4 million elements, so that the per-(chunk, bucket)
  /// tables stay at 64 rows (at 10⁸ elements 6 MB, where 65 536 a chunk would take 150). Within a bucket the
  /// chunks' shares go in chunk order and each in index order — index order whatever the chunks — so the
  /// permutation does not depend on them.
  private var chunkSize = 65_536
  /// Per (chunk, bucket): where the chunk's share of the bucket starts; then each bucket's first position
  /// (buckets + 1 of them, the last m).
  private var offsets: [Int] = []
  /// The offsets as pass 2 advances them.
  private var cursors: [Int] = []
  /// Each element's group, two to a byte (when there are several groups).
  private var groupOf: [UInt8] = []
  private var seeds: (UInt64, UInt64) = (0, 0)
  /// The prepared draw's element count, buckets, chunks, and groups of `perGroup` buckets.
  public private(set) var count = 0
  public private(set) var bucketCount = 0
  public private(set) var groupCount = 0
  private var chunks = 0, perGroup = 1

  public init() {}

  /// The whole permutation of p.count elements.
  public mutating func draw(_ random: RandomStream, step: Int, into p: UnsafeMutableBufferPointer<Int32>, parallel: Parallel) {
    prepare(random, step: step, count: p.count, groups: 1, parallel: parallel)
    guard count > 0 else { return }
    draw(group: 0, into: p.baseAddress!, parallel: parallel)
  }

  /// Pass 1: each element's bucket counted, per chunk (and its group noted, for more than one group); the buckets'
  /// places. At most 16 groups, and at most one a bucket. Allocates only when the count or the grouping changes.
  public mutating func prepare(_ random: RandomStream, step: Int, count m: Int, groups: Int, parallel: Parallel) {
    count = m
    guard m > 1 else { (bucketCount, groupCount) = (0, m); return }
    chunkSize = max(65_536, ((m + 63) / 64 + 1) / 2 * 2)  // even: two elements' groups share a byte
    let buckets = max(1, m / Self.bucketSize), chunkSize = self.chunkSize, chunks = (m + chunkSize - 1) / chunkSize
    perGroup = (buckets + min(max(groups, 1), 16, buckets) - 1) / min(max(groups, 1), 16, buckets)
    (bucketCount, self.chunks, groupCount) = (buckets, chunks, (buckets + perGroup - 1) / perGroup)
    if offsets.count != chunks * buckets + buckets + 1 {
      offsets = [Int](repeating: 0, count: chunks * buckets + buckets + 1)
      cursors = [Int](repeating: 0, count: chunks * buckets)
    }
    let grouped = groupCount > 1
    if grouped ? groupOf.count != (m + 1) / 2 : !groupOf.isEmpty { groupOf = [UInt8](repeating: 0, count: grouped ? (m + 1) / 2 : 0) }
    seeds = (mix64(random.key ^ mix64(UInt64(bitPattern: Int64(step)) &+ 1)), mix64(random.key ^ mix64(UInt64(bitPattern: Int64(step)) &+ 2)))
    let (seed, perGroup) = (seeds.0, self.perGroup)
    offsets.withUnsafeMutableBufferPointer { c in
      groupOf.withUnsafeMutableBufferPointer { g in
        let count = c.baseAddress!, start = count + chunks * buckets  // start[b]: bucket b's first position; start[buckets] = m
        let groups = grouped ? g.baseAddress : nil
        count.update(repeating: 0, count: chunks * buckets)
        parallel.forEachChunk(m, grain: chunkSize) { range in
          let row = count + (range.lowerBound / chunkSize) * buckets
          mfld_bucket_count(seed, range.lowerBound, range.upperBound, UInt64(buckets), perGroup, row, groups)
        }
        // Where each chunk's share of each bucket goes: buckets in order, chunks in order within a bucket.
        var position = 0
        for b in 0..<buckets {
          start[b] = position
          for k in 0..<chunks {
            let n = count[k * buckets + b]
            count[k * buckets + b] = position
            position += n
          }
        }
        start[buckets] = m
      }
    }
  }

  /// Group g's buckets and the positions they fill.
  public func group(_ g: Int) -> (buckets: Range<Int>, positions: Range<Int>) {
    guard bucketCount > 0 else { return (0 ..< 0, 0 ..< count) }
    let buckets = g * perGroup ..< min(bucketCount, (g + 1) * perGroup), start = chunks * bucketCount
    return (buckets, offsets[start + buckets.lowerBound] ..< offsets[start + buckets.upperBound])
  }

  /// Passes 2 and 3 for group g: its members placed and its buckets shuffled, the permutation's positions
  /// `group(g).positions` written to out[0...].
  public mutating func draw(group g: Int, into out: UnsafeMutablePointer<Int32>, parallel: Parallel) {
    guard bucketCount > 0 else { if count == 1 { out[0] = 0 }; return }
    let (m, buckets, chunks, chunkSize) = (count, bucketCount, self.chunks, self.chunkSize), seeds = self.seeds
    let (b, positions) = group(g), base = positions.lowerBound, grouped = groupCount > 1
    offsets.withUnsafeBufferPointer { o in
      cursors.withUnsafeMutableBufferPointer { c in
        groupOf.withUnsafeBufferPointer { gp in
          let offset = o.baseAddress!, cursor = c.baseAddress!, start = offset + chunks * buckets
          let groups = grouped ? gp.baseAddress : nil
          // Pass 2: place the members, each chunk's in index order from where its share of the bucket starts.
          parallel.forEachChunk(m, grain: chunkSize) { range in
            let k = range.lowerBound / chunkSize
            let row = cursor + k * buckets
            for j in b { row[j] = offset[k * buckets + j] - base }
            mfld_bucket_place(seeds.0, range.lowerBound, range.upperBound, UInt64(buckets), Int32(g), groups, row, out)
          }
          // Pass 3: Fisher–Yates within each bucket, the draw for position j addressed by j.
          parallel.forEachChunk(b.count, grain: 1) { range in
            for bucket in range.lowerBound + b.lowerBound ..< range.upperBound + b.lowerBound {
              let lo = start[bucket]
              for j in stride(from: start[bucket + 1] - 1, to: lo, by: -1) {
                let k = lo + Self.below(j - lo + 1, seed: seeds.1, counter: j)
                let (x, y) = (j - base, k - base)
                (out[x], out[y]) = (out[y], out[x])
              }
            }
          }
        }
      }
    }
  }

  /// An integer in 0..<n from draw `counter` of the pass with `seed`.
  @inline(__always) static func below(_ n: Int, seed: UInt64, counter: Int) -> Int {
    Int(truncatingIfNeeded: mix64(seed &+ UInt64(truncatingIfNeeded: counter) &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: UInt64(n)).high)
  }
}
