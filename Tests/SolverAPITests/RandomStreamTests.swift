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
