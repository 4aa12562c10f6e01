import Foundation
import SolverAPI
import Testing

/// The counter-based random streams: reproducible, order-free, independent, and normal.
struct RandomStreamTests {
  @Test("Philox4x32-10 matches the Random123 known-answer vectors")
  func philoxKnownAnswers() {
    // From Random123's kat_vectors: philox4x32 10 rounds.
    let zero = Philox(key: 0).block(0, 0, 0, 0)
    #expect(zero.0 == (UInt64(0x6627_e8d5) | UInt64(0xe169_c58d) << 32))
    #expect(zero.1 == (UInt64(0xbc57_ac4c) | UInt64(0x9b00_dbd8) << 32))
    let ones = Philox(key: UInt64(0xffff_ffff) | UInt64(0xffff_ffff) << 32).block(.max, .max, .max, .max)
    #expect(ones.0 == (UInt64(0x408f_276d) | UInt64(0x41c8_3b0e) << 32))
    #expect(ones.1 == (UInt64(0xa20b_c7c6) | UInt64(0x6d54_51fd) << 32))
  }

  @Test("normals are addressed by (step, index): any order gives the same numbers")
  func orderFree() {
    let s = RandomStream(seed: 42).split("noise")
    var a = [Double](repeating: 0, count: 5), b = a
    a.withUnsafeMutableBufferPointer { s.normals(step: 7, index: 3, into: $0.baseAddress!, count: 5) }
    var junk = [Double](repeating: 0, count: 5)
    junk.withUnsafeMutableBufferPointer { s.normals(step: 8, index: 1, into: $0.baseAddress!, count: 5) }
    b.withUnsafeMutableBufferPointer { s.normals(step: 7, index: 3, into: $0.baseAddress!, count: 5) }
    #expect(a == b)
    #expect(a != junk)
  }

  @Test("normals are Box–Muller on the Philox block (index, b, step), within 1e-14·r of libm's log, cos and sin")
  func normalsMatchBoxMullerOnPhilox() {
    let s = RandomStream(seed: 11).split("noise")
    let step = 5_000_000_123, count = 5, indices = 3 ..< 403
    var z = [Double](repeating: .nan, count: indices.count * count)
    z.withUnsafeMutableBufferPointer { s.normals(step: step, indices: indices, into: $0.baseAddress!, count: count) }
    var worst = 0.0
    for (p, index) in indices.enumerated() {
      for b in 0..<3 {
        let (a, w) = s.philox.block(UInt32(index), UInt32(b), UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step >> 32))
        let u1 = Double((a >> 11) + 1) * 0x1p-53, u2 = Double(w >> 11) * 0x1p-53
        let r = (-2 * log(u1)).squareRoot(), theta = 2 * Double.pi * u2
        // 2πu₂ rounded costs libm's reference up to ~3e-15 of angle; the kernel reduces u₂ exactly.
        worst = max(worst, abs(z[p * count + 2 * b] - r * cos(theta)) / max(r, 1))
        if 2 * b + 1 < count { worst = max(worst, abs(z[p * count + 2 * b + 1] - r * sin(theta)) / max(r, 1)) }
      }
    }
    #expect(worst < 1e-14)
  }

  @Test("a chunk's normals are each particle's, bit for bit (the AVX2 lanes equal the scalar path)")
  func batchedNormalsEqualSingleOnes() {
    let s = RandomStream(seed: 4).split("noise")
    for count in [1, 2, 3, 11] {
      let indices = 17 ..< 30  // 13 particles: AVX2 takes four blocks at a time, the scalar path the rest
      var batch = [Double](repeating: .nan, count: indices.count * count), single = batch
      batch.withUnsafeMutableBufferPointer { s.normals(step: 9, indices: indices, into: $0.baseAddress!, count: count) }
      single.withUnsafeMutableBufferPointer { o in
        for (p, i) in indices.enumerated() { s.normals(step: 9, index: i, into: o.baseAddress! + p * count, count: count) }
      }
      #expect(batch.map(\.bitPattern) == single.map(\.bitPattern), "count \(count)")
      var g = [Double](repeating: 0, count: 2)
      let (a, b) = s.philox.block(UInt32(indices.lowerBound), 0, 9, 0)
      let (z0, z1) = boxMuller(a, b)
      g.withUnsafeMutableBufferPointer { s.normals(step: 9, index: indices.lowerBound, into: $0.baseAddress!, count: min(2, count)) }
      #expect(g[0] == z0 && (count < 2 || g[1] == z1))
    }
  }

  @Test("Box–Muller covers the edges: u₁ = 1 gives 0, the smallest u₁ the largest radius, every quadrant its signs")
  func boxMullerEdges() {
    let top = boxMuller(UInt64.max, 0)  // u₁ = 1: r = 0
    #expect(top.0 == 0 && top.1 == 0)
    let far = boxMuller(0, 0)  // u₁ = 2⁻⁵³, θ = 0: z = (√(106 ln 2), 0)
    #expect(abs(far.0 - (106 * log(2.0)).squareRoot()) < 1e-14 && far.1 == 0)
    let half: UInt64 = 1 << 63, r = (-2 * log(Double((half >> 11) + 1) * 0x1p-53)).squareRoot()
    for quarter in 0..<8 {  // θ = (2k + 1)π/8: two in each quadrant
      let u2 = (Double(quarter) + 0.5) / 8
      let (z0, z1) = boxMuller(half, UInt64(u2 * 0x1p53) << 11)
      #expect(abs(z0 - r * cos(2 * .pi * u2)) < 1e-14 && abs(z1 - r * sin(2 * .pi * u2)) < 1e-14, "u₂ = \(u2)")
    }
  }

  @Test("normals have mean 0 and variance 1 within 5 standard errors")
  func normalMoments() {
    let s = RandomStream(seed: 1)
    let n = 200_000
    var x = [Double](repeating: 0, count: n)
    x.withUnsafeMutableBufferPointer { p in
      for i in 0..<(n / 8) { s.normals(step: 0, index: i, into: p.baseAddress! + 8 * i, count: 8) }
    }
    let mean = x.reduce(0, +) / Double(n)
    let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    let fourth = x.reduce(0) { $0 + pow($1, 4) } / Double(n)
    // SE(mean) = 1/sqrt(n); SE(variance) = sqrt(2/n); SE(4th moment) = sqrt(96/n) for N(0,1).
    #expect(abs(mean) < 5 / Double(n).squareRoot())
    #expect(abs(variance - 1) < 5 * (2 / Double(n)).squareRoot())
    #expect(abs(fourth - 3) < 5 * (96 / Double(n)).squareRoot())
  }

  @Test("split streams are independent: correlation within 5/sqrt(n)")
  func splitStreamsAreIndependent() {
    let root = RandomStream(seed: 3)
    let a = root.split("a"), b = root.split("b")
    #expect(a != b && root.split("a") == a && root.split(0) != root.split(1))
    let n = 50_000
    var x = [Double](repeating: 0, count: n), y = x
    x.withUnsafeMutableBufferPointer { p in for i in 0..<n { a.normals(step: 0, index: i, into: p.baseAddress! + i, count: 1) } }
    y.withUnsafeMutableBufferPointer { p in for i in 0..<n { b.normals(step: 0, index: i, into: p.baseAddress! + i, count: 1) } }
    let r = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / Double(n)
    #expect(abs(r) < 5 / Double(n).squareRoot())
  }

  @Test("the sequential generator is reproducible and uniform on [0, 1)")
  func sequentialUniform() {
    var g1 = RandomStream(seed: 5).generator(), g2 = RandomStream(seed: 5).generator()
    let u = (0..<10_000).map { _ in g1.uniform() }
    #expect(u == (0..<10_000).map { _ in g2.uniform() })
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
    // Mean 1/2 with SE sqrt(1/12n).
    let mean: Double = u.reduce(0, +) / 10_000
    let standardError: Double = (1.0 / 120_000).squareRoot()
    #expect(abs(mean - 0.5) < 5 * standardError)
  }
}
