import CKernels

/// Splits particle loops over threads so that results never depend on the thread count.
///
/// Work is cut into chunks whose boundaries depend only on the problem size and the grain, never on
/// the number of threads; each chunk writes its own outputs, and sums are combined chunk by chunk in
/// index order. So `threads: 1` and `threads: 2` give the same bits.
public struct Parallel: Sendable {
  /// Number of worker threads (≥ 1).
  public let threads: Int

  public init(threads: Int) { self.threads = max(1, threads) }

  /// As many threads as the machine has cores.
  public static var automatic: Parallel {
    Parallel(threads: ProcessInfoCores.count)
  }

  public static let serial = Parallel(threads: 1)

  /// A grain for per-particle loops that do O(d) work each (moves): about 2048 coordinates a chunk,
  /// and at least 8 chunks when there are 64 particles or more (so two cores split a small cloud
  /// evenly: a move draws d Gaussians per particle, microseconds of work each chunk).
  public static func particleGrain(count: Int, dimension d: Int) -> Int {
    max(1, min(max(8, 2048 / max(1, d)), (count + 7) / 8))
  }

  /// Calls `body` on the chunks of `0..<count` (each at most `grain` long), concurrently when worth it.
  /// Chunks go to the persistent workers of `mfld_parallel_for` (DenseKernels), which start a job in
  /// about a microsecond, so loops of a few tens of microseconds still split profitably.
  @inlinable
  public func forEachChunk(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let grain = max(1, grain)
    let chunks = (count + grain - 1) / grain
    if threads == 1 || chunks <= 1 {
      var start = 0
      while start < count && mfld_cancel_requested() == 0 { body(start ..< min(count, start + grain)); start += grain }
      return
    }
    // The C workers reach the closure through the job's address; `withoutActuallyEscaping` boxes it
    // (32 bytes, freed on return) — the one allocation of a parallel loop.
    withoutActuallyEscaping(body) { body in
      var job = ChunkJob(count: count, grain: grain, body: body)
      withUnsafeMutablePointer(to: &job) { pointer in
        mfld_parallel_for(Int32(min(threads, chunks)), chunks, { context, chunk in
          let job = context!.assumingMemoryBound(to: ChunkJob.self)
          let start = chunk * job.pointee.grain
          job.pointee.body(start ..< min(job.pointee.count, start + job.pointee.grain))
        }, pointer)
      }
    }
  }

  /// Σ over chunks of `partial(chunk)`, added in chunk order: the same bits for every thread count.
  @inlinable
  public func sum(_ count: Int, grain: Int, _ partial: (Range<Int>) -> Double) -> Double {
    let grain = max(1, grain)
    let chunks = (count + grain - 1) / grain
    if chunks <= 1 { return count == 0 ? 0 : partial(0 ..< count) }
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks) { sums in
      forEachChunk(chunks, grain: 1) { range in
        for c in range { sums[c] = partial(c * grain ..< min(count, (c + 1) * grain)) }
      }
      var total = 0.0
      for c in 0..<chunks { total += sums[c] }
      return total
    }
  }

  /// Element-wise sums of `width` accumulators over chunks, added in chunk order (e.g. predictions
  /// f = (1/m) Σ_i Φ(w_i) of width n). `partial` adds its chunk's contribution into the zeroed buffer.
  public func sum(_ count: Int, grain: Int, width: Int, into result: UnsafeMutablePointer<Double>,
                  _ partial: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) {
    let grain = max(1, grain)
    let chunks = (count + grain - 1) / grain
    result.initialize(repeating: 0, count: width)
    if chunks <= 1 { if count > 0 { partial(0 ..< count, result) }; return }
    withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks * width) { buffer in
      let scratch = buffer.baseAddress!
      scratch.initialize(repeating: 0, count: chunks * width)
      forEachChunk(chunks, grain: 1) { range in
        for c in range { partial(c * grain ..< min(count, (c + 1) * grain), scratch + c * width) }
      }
      for c in 0..<chunks {
        let s = scratch + c * width
        for k in 0..<width { result[k] += s[k] }
      }
    }
  }
}

/// One `forEachChunk` call, as the context of its C tasks.
@usableFromInline
struct ChunkJob {
  @usableFromInline let count: Int
  @usableFromInline let grain: Int
  @usableFromInline let body: (Range<Int>) -> Void
  @inlinable init(count: Int, grain: Int, body: @escaping (Range<Int>) -> Void) {
    self.count = count
    self.grain = grain
    self.body = body
  }
}

#if canImport(Glibc)
import Glibc
#endif

extension Parallel {
  /// The C entry of this library's thread pool (`mfld_parallel_for`), as an address: what a host hands a
  /// plugin so that the plugin's loops run on the host's workers.
  public static var poolEntry: UnsafeRawPointer {
    let entry: mfld_parallel_for_function = mfld_parallel_for
    return unsafeBitCast(entry, to: UnsafeRawPointer.self)
  }

  /// Runs this library's parallel loops on the pool at `entry` (another library's `poolEntry`), or on its
  /// own when nil. A plugin calls it once at registration: one pool per process.
  public static func forward(to entry: UnsafeRawPointer?) {
    mfld_set_parallel_for(entry.map { unsafeBitCast($0, to: mfld_parallel_for_function.self) })
  }
}
