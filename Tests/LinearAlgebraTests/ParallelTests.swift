import LinearAlgebra
import Testing

/// Parallel loops give the same bits for every thread count.
struct ParallelTests {
  @Test("chunked sums are identical on 1, 2 and 7 threads")
  func sumsAreThreadCountIndependent() {
    let values: [Double] = (0..<100_003).map { (i: Int) -> Double in
      let sign: Double = i % 3 == 0 ? -1 : 1
      return sign / Double(i + 1)
    }
    let sums = [1, 2, 7].map { t in
      values.withUnsafeBufferPointer { v in
        Parallel(threads: t).sum(v.count, grain: 1000) { r in r.reduce(0) { $0 + v[$1] } }
      }
    }
    #expect(sums[0] == sums[1] && sums[1] == sums[2])
  }

  @Test("forEachChunk visits every index exactly once")
  func chunksCoverTheRange() {
    var hits = [Int](repeating: 0, count: 1001)
    hits.withUnsafeMutableBufferPointer { h in
      Parallel(threads: 2).forEachChunk(1001, grain: 64) { r in for i in r { h[i] += 1 } }
    }
    #expect(hits.allSatisfy { $0 == 1 })
  }
}
