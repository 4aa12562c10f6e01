import Foundation
import LinearAlgebra
import SolverAPI
import Testing

/// The parallel permutation behind random-batch partitions (docs/math.md §6): a permutation, the same on
/// any thread count, a pure function of (stream, step), and uniform.
struct RandomPermutationTests {
  func draw(count m: Int, step: Int, threads: Int, stream: RandomStream = RandomStream(seed: 5)) -> [Int32] {
    var p = [Int32](repeating: -1, count: m), shuffler = BucketedPermutation()
    p.withUnsafeMutableBufferPointer { shuffler.draw(stream, step: step, into: $0, parallel: Parallel(threads: threads)) }
    return p
  }

  @Test("every element once, the same on 1 and 2 threads, and another draw at another step",
        arguments: [1, 2, 7, 16_384, 40_000, 70_001])
  func permutation(count m: Int) {
    let p = draw(count: m, step: 3, threads: 1)
    #expect(Set(p).count == m && p.allSatisfy { $0 >= 0 && Int($0) < m })
    #expect(draw(count: m, step: 3, threads: 2) == p)
    if m > 2 { #expect(draw(count: m, step: 4, threads: 2) != p) }
  }

  @Test("one bucket: element 0's position is uniform over 40 places (χ² over 4000 draws, df 39)")
  func uniformPosition() {
    let m = 40, draws = 4000
    var counts = [Int](repeating: 0, count: m)
    for t in 0..<draws { counts[Int(draw(count: m, step: t, threads: 1).firstIndex(of: 0)!)] += 1 }
    let expected = Double(draws) / Double(m)
    let chi2 = counts.reduce(0) { $0 + pow(Double($1) - expected, 2) / expected }
    // χ²(39) has mean 39 and standard deviation √78 ≈ 8.8: 4 of them above the mean fails.
    #expect(chi2 < 39 + 4 * 78.0.squareRoot(), "χ² = \(chi2)")
  }

  @Test("several buckets: each element's mean position over 300 draws is (m − 1)/2 within 4 standard errors")
  func uniformAcrossBuckets() {
    let m = 40_000, draws = 300
    let tracked: [Int32] = [0, 1, 16_383, 16_384, 39_999]
    var sums = [Double](repeating: 0, count: tracked.count)
    for t in 0..<draws {
      var position = [Int](repeating: 0, count: m)
      for (k, e) in draw(count: m, step: t, threads: 2).enumerated() { position[Int(e)] = k }
      for (j, e) in tracked.enumerated() { sums[j] += Double(position[Int(e)]) / Double(m - 1) }
    }
    // A uniform position / (m − 1) has mean ½ and variance (m + 1)/(12(m − 1)).
    let se = (Double(m + 1) / (12 * Double(m - 1)) / Double(draws)).squareRoot()
    for (j, e) in tracked.enumerated() {
      #expect(abs(sums[j] / Double(draws) - 0.5) < 4 * se, "element \(e): mean \(sums[j] / Double(draws))")
    }
  }

  /// Random batches draw the permutation a group of buckets at a time (`draw(group:into:)`), finding each group's
  /// members by their 4-bit group: every group must write exactly the whole draw's positions.
  @Test("drawn a group of buckets at a time, the positions are the whole draw's, on 1 and 2 threads",
        arguments: [(1, 7), (200_000, 1), (200_000, 3), (200_000, 16), (70_001, 16), (300_001, 5), (4_300_001, 16)])
  func groups(count m: Int, groups: Int) {
    let whole = draw(count: m, step: 6, threads: 1)
    for threads in [1, 2] {
      var shuffler = BucketedPermutation(), pieces = [Int32](repeating: -1, count: m)
      shuffler.prepare(RandomStream(seed: 5), step: 6, count: m, groups: groups, parallel: Parallel(threads: threads))
      #expect(shuffler.groupCount >= 1 && shuffler.groupCount <= min(groups, 16), "\(shuffler.groupCount) groups")
      var next = 0
      for g in 0..<shuffler.groupCount {
        let positions = shuffler.group(g).positions
        #expect(positions.lowerBound == next, "group \(g) starts where the previous one ended")
        next = positions.upperBound
        pieces.withUnsafeMutableBufferPointer { shuffler.draw(group: g, into: $0.baseAddress! + positions.lowerBound, parallel: Parallel(threads: threads)) }
      }
      #expect(next == m)
      #expect(pieces == whole, "\(m) elements in \(groups) groups, \(threads) thread(s)")
    }
  }

  /// The specification, written out serially: bucket j(i) = ⌊h·B/2⁶⁴⌋ from SplitMix64 at counter i, a stable
  /// sort by bucket, then Fisher–Yates within each bucket with the draw for position j addressed by j.
  func reference(count m: Int, step: Int, stream: RandomStream = RandomStream(seed: 5)) -> [Int32] {
    let buckets = max(1, m / BucketedPermutation.bucketSize)
    let seeds = (mix64(stream.key ^ mix64(UInt64(step) &+ 1)), mix64(stream.key ^ mix64(UInt64(step) &+ 2)))
    func below(_ n: Int, _ seed: UInt64, _ counter: Int) -> Int {
      Int(mix64(seed &+ UInt64(counter) &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: UInt64(n)).high)
    }
    var bucketOf = [Int](repeating: 0, count: m), start = [Int](repeating: 0, count: buckets + 1)
    for i in 0..<m { bucketOf[i] = below(buckets, seeds.0, i); start[bucketOf[i] + 1] += 1 }
    for b in 0..<buckets { start[b + 1] += start[b] }
    var next = start, p = [Int32](repeating: 0, count: m)
    for i in 0..<m { p[next[bucketOf[i]]] = Int32(i); next[bucketOf[i]] += 1 }
    for b in 0..<buckets {
      for j in stride(from: start[b + 1] - 1, to: start[b], by: -1) { p.swapAt(j, start[b] + below(j - start[b] + 1, seeds.1, j)) }
    }
    return p
  }

  /// Beyond 4 million elements the counting chunks grow (m/64 each), which must not change the permutation.
  @Test("the parallel draw is the specification written out serially, with the chunks of 65 536 and with larger ones",
        arguments: [70_001, 4_300_001])
  func matchesSpecification(count m: Int) {
    #expect(draw(count: m, step: 9, threads: 2) == reference(count: m, step: 9))
  }
}
