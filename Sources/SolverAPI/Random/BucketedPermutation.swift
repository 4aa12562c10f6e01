import LinearAlgebra

/// A uniformly random permutation drawn in parallel and cache-friendly (Sanders 1998): every element draws a
/// bucket, a counting sort places the elements bucket by bucket (each bucket keeping index order), and each
/// bucket — about 16 384 elements, in cache — is shuffled by Fisher–Yates. A multinomial split into buckets
/// followed by uniform shuffles of each is a uniform permutation. Every draw is counter-based: SplitMix64 at
/// counter (element or position) from a seed mixed from the stream's key, the step and the pass — a few
/// nanoseconds a draw where a Philox block costs ten, and three draws an element — and integers in 0..<n
/// by the high word of a 64 × 64-bit product. The buckets and chunks depend only on the count, so the
/// result is a pure function of (seed, stream, step, count) on any thread count. (The serial `permutation(step:into:)`
/// draws another one; minibatch epochs keep it, so that their runs do not change.)
public struct BucketedPermutation {
  /// Elements per bucket (about) and per counting chunk.
  static let bucketSize = 16_384, chunkSize = 65_536
  private var counts: [Int] = []

  public init() {}

  public mutating func draw(_ random: RandomStream, step: Int, into p: UnsafeMutableBufferPointer<Int32>, parallel: Parallel) {
    let m = p.count
    guard m > 1 else { if m == 1 { p[0] = 0 }; return }
    let buckets = max(1, m / Self.bucketSize), chunks = (m + Self.chunkSize - 1) / Self.chunkSize
    if counts.count != chunks * buckets + buckets + 1 { counts = [Int](repeating: 0, count: chunks * buckets + buckets + 1) }
    let seeds = (mix64(random.key ^ mix64(UInt64(bitPattern: Int64(step)) &+ 1)), mix64(random.key ^ mix64(UInt64(bitPattern: Int64(step)) &+ 2)))
    /// An integer in 0..<n from draw `counter` of the pass with `seed`.
    @inline(__always) func below(_ n: Int, seed: UInt64, counter: Int) -> Int {
      Int(truncatingIfNeeded: mix64(seed &+ UInt64(truncatingIfNeeded: counter) &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: UInt64(n)).high)
    }
    @inline(__always) func bucket(_ i: Int) -> Int { below(buckets, seed: seeds.0, counter: i) }
    counts.withUnsafeMutableBufferPointer { c in
      let count = c.baseAddress!, start = count + chunks * buckets  // start[b]: bucket b's first position; start[buckets] = m
      count.initialize(repeating: 0, count: chunks * buckets)
      // Pass 1: per chunk, the size of its share of each bucket.
      parallel.forEachChunk(m, grain: Self.chunkSize) { range in
        let row = count + (range.lowerBound / Self.chunkSize) * buckets
        for i in range { row[bucket(i)] += 1 }
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
      // Pass 2: place the elements.
      parallel.forEachChunk(m, grain: Self.chunkSize) { range in
        let row = count + (range.lowerBound / Self.chunkSize) * buckets
        for i in range {
          let b = bucket(i)
          p[row[b]] = Int32(truncatingIfNeeded: i)
          row[b] += 1
        }
      }
      // Pass 3: Fisher–Yates within each bucket, the draw for position j addressed by j.
      parallel.forEachChunk(buckets, grain: 1) { range in
        for b in range {
          let lo = start[b]
          for j in stride(from: start[b + 1] - 1, to: lo, by: -1) {
            let k = lo + below(j - lo + 1, seed: seeds.1, counter: j)
            p.swapAt(j, k)
          }
        }
      }
    }
  }
}
