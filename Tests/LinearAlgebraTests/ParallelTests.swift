import LinearAlgebra
import Testing

/// Parallel loops give the same bits for every thread count: the documented order of a chunked sum —
/// each chunk of `grain` indices summed in order, the chunk sums added in chunk order — computed here
/// serially, is what every thread count returns.
struct ParallelTests {
  static let values: [Double] = (0..<100_003).map { (i: Int) -> Double in
    let sign: Double = i % 3 == 0 ? -1 : 1
    return sign / Double(i + 1)
  }

  /// The serial reference: chunk sums in index order, added in chunk order.
  static func chunkedSum(_ v: [Double], grain: Int) -> Double {
    var total = 0.0
    for start in stride(from: 0, to: v.count, by: grain) {
      var chunk = 0.0
      for i in start..<min(v.count, start + grain) { chunk += v[i] }
      total += chunk
    }
    return total
  }

  @Test("chunked sums on 1, 2 and 7 threads are the serial chunk-order sum, bit for bit")
  func sumsAreThreadCountIndependent() {
    let reference = Self.chunkedSum(Self.values, grain: 1000)
    // The chunk order matters: a plain left-to-right sum of these values rounds differently.
    #expect(reference != Self.values.reduce(0, +))
    for t in [1, 2, 7] {
      let sum = Self.values.withUnsafeBufferPointer { v in
        Parallel(threads: t).sum(v.count, grain: 1000) { r in r.reduce(0) { $0 + v[$1] } }
      }
      #expect(sum == reference, "\(t) thread(s): \(sum) against \(reference)")
    }
  }

  @Test("element-wise chunked sums on 1, 2 and 7 threads are the serial chunk-order sums, bit for bit")
  func widthSumsAreThreadCountIndependent() {
    let width = 3
    let reference = (0..<width).map { k in Self.chunkedSum(Self.values.map { $0 * Double(k + 1) }, grain: 777) }
    for t in [1, 2, 7] {
      var result = [Double](repeating: .nan, count: width)
      Self.values.withUnsafeBufferPointer { v in
        result.withUnsafeMutableBufferPointer { out in
          Parallel(threads: t).sum(v.count, grain: 777, width: width, into: out.baseAddress!) { r, acc in
            for k in 0..<width {
              var chunk = 0.0
              for i in r { chunk += v[i] * Double(k + 1) }
              acc[k] += chunk
            }
          }
        }
      }
      #expect(result == reference, "\(t) thread(s)")
    }
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
