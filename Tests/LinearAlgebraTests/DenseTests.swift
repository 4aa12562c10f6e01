import LinearAlgebra
import TestSupport
import Testing

/// The dense kernels against schoolbook sums, within the classical rounding bounds
/// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1 and §10.1):
///     |fl(Σ_p a_p b_p) − Σ_p a_p b_p| ≤ γ_k Σ_p |a_p b_p|,  γ_k = k u / (1 − k u),  u = 2⁻⁵³,
/// for both the kernel and the reference, hence a tolerance of 2γ_k Σ|a_p b_p| per element; and the
/// same bits on any number of threads.
struct DenseTests {
  static let u = 0x1p-53
  static func gamma(_ k: Int) -> Double { Double(k) * u / (1 - Double(k) * u) }

  static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> [Double] {
    var g = SplitMix64(seed: seed)
    return (0..<(rows * columns)).map { _ in g.uniform(-1...1) }
  }

  /// C = A B with op(A)(i, p) = a[i·ar + p·ac], op(B)(p, j) = b[p·br + j·bc], and the bound on each
  /// element's rounding error.
  static func reference(m: Int, n: Int, k: Int, _ a: [Double], _ ar: Int, _ ac: Int, _ b: [Double], _ br: Int, _ bc: Int)
    -> (value: [Double], bound: [Double]) {
    var c = [Double](repeating: 0, count: m * n), bound = c
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0, abs = 0.0
        for p in 0..<k { let t = a[i * ar + p * ac] * b[p * br + j * bc]; s += t; abs += Swift.abs(t) }
        c[i * n + j] = s
        bound[i * n + j] = 2 * gamma(k) * abs
      }
    }
    return (c, bound)
  }

  static func product(_ threads: Int, m: Int, n: Int, k: Int, alpha: Double = 1, _ a: [Double], _ ar: Int, _ ac: Int,
                      _ b: [Double], _ br: Int, _ bc: Int, beta: Double = 0, c start: [Double]? = nil, lower: Bool = false) -> [Double] {
    var c = start ?? [Double](repeating: .nan, count: m * n)
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          Dense.product(m: m, n: n, k: k, alpha: alpha, ap.baseAddress!, aRow: ar, aColumn: ac, bp.baseAddress!, bRow: br, bColumn: bc,
                        beta: beta, into: cp.baseAddress!, ldc: n, lower: lower, parallel: Parallel(threads: threads))
        }
      }
    }
    return c
  }

  /// Shapes cover edge tiles in both directions, several depth blocks, and B narrow enough (≤ 32
  /// columns) that a row-major A is read in place, with a short last sliver.
  @Test("the packed product matches schoolbook sums for every transposition, edge tiles and several depth blocks",
        arguments: [(1, 1, 1), (7, 5, 3), (13, 17, 300), (100, 37, 513), (6, 8, 256), (97, 250, 40), (101, 21, 700)])
  func productMatchesReference(m: Int, n: Int, k: Int) {
    let a = Self.matrix(m, k, seed: 1), b = Self.matrix(k, n, seed: 2)
    // A row-major (m × k) or stored transposed (k × m); likewise B.
    for (ar, ac) in [(k, 1), (1, m)] {
      for (br, bc) in [(n, 1), (1, k)] {
        let (expected, bound) = Self.reference(m: m, n: n, k: k, a, ar, ac, b, br, bc)
        let c = Self.product(2, m: m, n: n, k: k, a, ar, ac, b, br, bc)
        let worst = (0..<(m * n)).map { abs(c[$0] - expected[$0]) - bound[$0] }.max()!
        #expect(worst <= 0, "(\(m), \(n), \(k)) strides A (\(ar), \(ac)) B (\(br), \(bc)): error exceeds the bound by \(worst)")
      }
    }
  }

  /// An activation's slope through its value, as `Dense.EntryMap` promises it.
  static func mapped(_ v: Double, _ map: Dense.EntryMap) -> Double {
    switch map {
    case .identity: return v
    case .indicatorOfPositive: return v > 0 ? 1 : 0
    case .oneMinusSquare: return 1 - v * v
    case .timesOneMinus: return v * (1 - v)
    }
  }

  /// B narrow (≤ 32 columns: a row-major A would be read in place) and wide, a short last sliver,
  /// A row-major and transposed.
  @Test("a product with mapped entries of A is the same bits as the product with the mapped matrix, on 1 and 2 threads",
        arguments: [(13, 11, 300), (97, 250, 40), (8, 3, 5)])
  func mappedEntries(m: Int, n: Int, k: Int) {
    let a = Self.matrix(m, k, seed: 21), b = Self.matrix(k, n, seed: 22)
    for map in [Dense.EntryMap.indicatorOfPositive, .oneMinusSquare, .timesOneMinus] {
      let expected = Self.product(1, m: m, n: n, k: k, a.map { Self.mapped($0, map) }, k, 1, b, n, 1)
      for (ar, ac, stored) in [(k, 1, a), (1, m, (0..<(m * k)).map { a[($0 % m) * k + $0 / m] })] {
        for threads in [1, 2] {
          var c = [Double](repeating: .nan, count: m * n)
          stored.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
              c.withUnsafeMutableBufferPointer { cp in
                Dense.product(m: m, n: n, k: k, ap.baseAddress!, aRow: ar, aColumn: ac, map: map, bp.baseAddress!, bRow: n, bColumn: 1,
                              into: cp.baseAddress!, ldc: n, parallel: Parallel(threads: threads))
              }
            }
          }
          #expect(c == expected, "\(map), (\(m), \(n), \(k)), A strides (\(ar), \(ac)), \(threads) threads")
        }
      }
    }
  }

  /// k = 300 takes two depth blocks: relu must apply to the finished sum only.
  @Test("positivePart stores relu(C) — the same bits as `v > 0 ? v : 0` over the product, NaN ↦ 0 — on 1 and 2 threads",
        arguments: [(13, 11, 300), (97, 250, 40), (8, 3, 5)])
  func positivePart(m: Int, n: Int, k: Int) {
    var a = Self.matrix(m, k, seed: 23)
    a[k] = .nan  // row 1 of C is NaN before relu
    let b = Self.matrix(k, n, seed: 24)
    let expected = Self.product(1, m: m, n: n, k: k, a, k, 1, b, n, 1).map { $0 > 0 ? $0 : 0 }
    #expect(expected[n ..< 2 * n].allSatisfy { $0 == 0 })
    for threads in [1, 2] {
      var c = [Double](repeating: .nan, count: m * n)
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          c.withUnsafeMutableBufferPointer { cp in
            Dense.product(m: m, n: n, k: k, ap.baseAddress!, aRow: k, aColumn: 1, bp.baseAddress!, bRow: n, bColumn: 1,
                          into: cp.baseAddress!, ldc: n, positivePart: true, parallel: Parallel(threads: threads))
          }
        }
      }
      #expect(c.map(\.bitPattern) == expected.map(\.bitPattern), "(\(m), \(n), \(k)), \(threads) threads")
    }
  }

  @Test("a B packed once as a Panel gives the same bits as packing it in the product; a B beyond one panel has none")
  func packedPanel() {
    let (m, n, k) = (50, 37, 11)
    let a = Self.matrix(m, k, seed: 25), b = Self.matrix(k, n, seed: 26)
    let expected = Self.product(2, m: m, n: n, k: k, a, k, 1, b, n, 1)
    let panel = b.withUnsafeBufferPointer { Dense.Panel($0.baseAddress!, bRow: n, bColumn: 1, k: k, n: n) }
    #expect(panel != nil)
    for threads in [1, 2] {
      var c = [Double](repeating: .nan, count: m * n)
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          c.withUnsafeMutableBufferPointer { cp in
            Dense.product(m: m, n: n, k: k, ap.baseAddress!, aRow: k, aColumn: 1, bp.baseAddress!, bRow: n, bColumn: 1, packed: panel,
                          into: cp.baseAddress!, ldc: n, parallel: Parallel(threads: threads))
          }
        }
      }
      #expect(c == expected, "\(threads) threads")
    }
    #expect(Dense.Panel.fits(k: 256, n: 4096))
    #expect(!Dense.Panel.fits(k: 257, n: 10) && !Dense.Panel.fits(k: 10, n: 4097))
  }

  /// k = 300 takes two depth blocks (the scale must follow the block); n = 3 and 11 leave short slivers.
  @Test("a B scaled by rows as it is packed is the same bits as the product with diag(s) B, on 1 and 2 threads",
        arguments: [(13, 11, 300), (40, 3, 20)])
  func rowScaledB(m: Int, n: Int, k: Int) {
    let a = Self.matrix(m, k, seed: 27), b = Self.matrix(k, n, seed: 28), scale = Self.matrix(k, 1, seed: 29)
    let scaled = (0..<(k * n)).map { scale[$0 / n] * b[$0] }
    let expected = Self.product(1, m: m, n: n, k: k, a.map { Self.mapped($0, .indicatorOfPositive) }, k, 1, scaled, n, 1)
    for threads in [1, 2] {
      var c = [Double](repeating: .nan, count: m * n)
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          scale.withUnsafeBufferPointer { sp in
            c.withUnsafeMutableBufferPointer { cp in
              Dense.multiply(ap.baseAddress!, map: .indicatorOfPositive, bp.baseAddress!, bRowScale: sp.baseAddress!, into: cp.baseAddress!,
                             m: m, n: n, k: k, parallel: Parallel(threads: threads))
            }
          }
        }
      }
      #expect(c == expected, "(\(m), \(n), \(k)), \(threads) threads")
    }
  }

  /// Two threads take alternate chunks (`mfld_parallel_for`); the rows they get should differ little.
  @Test("row chunks: whole 4-row blocks (12-row from m = 96), about m/16 to m/8 rows, and two threads' shares within a chunk of m/2",
        arguments: [1, 7, 40, 95, 96, 200, 256, 500, 1000, 2000, 4000])
  func rowChunks(m: Int) {
    let rows = Dense.rowChunk(m), chunks = (m + rows - 1) / rows
    #expect(rows % (m >= 96 ? 12 : 4) == 0)
    #expect(m < 96 || (8...17).contains(chunks), "\(chunks) chunks of \(rows)")
    let even = stride(from: 0, to: chunks, by: 2).reduce(0) { $0 + min(rows, m - $1 * rows) }
    #expect(abs(even - (m - even)) <= rows, "\(even) + \(m - even) rows")
    if m == 200 { #expect(rows == 24 && even == 104) }
  }

  @Test("alpha and beta scale the product and the old C; beta = 0 never reads C (NaN stays out)")
  func alphaBeta() {
    let (m, n, k) = (11, 9, 20)
    let a = Self.matrix(m, k, seed: 3), b = Self.matrix(k, n, seed: 4), c0 = Self.matrix(m, n, seed: 5)
    let (ab, bound) = Self.reference(m: m, n: n, k: k, a, k, 1, b, n, 1)
    let c = Self.product(1, m: m, n: n, k: k, alpha: -2, a, k, 1, b, n, 1, beta: 0.5, c: c0)
    for e in 0..<(m * n) { #expect(abs(c[e] - (-2 * ab[e] + 0.5 * c0[e])) <= 2 * bound[e] + 4 * Self.u * abs(c0[e])) }
    #expect(Self.product(1, m: m, n: n, k: k, a, k, 1, b, n, 1).allSatisfy { $0.isFinite })
  }

  @Test("products, Gram matrices and matrix–vector products are the same bits on 1, 2 and 3 threads")
  func threadInvariance() {
    let (m, n, k) = (130, 301, 700)
    let a = Self.matrix(m, k, seed: 6), b = Self.matrix(k, n, seed: 7)
    let one = Self.product(1, m: m, n: n, k: k, a, k, 1, b, n, 1)
    for t in [2, 3] { #expect(Self.product(t, m: m, n: n, k: k, a, k, 1, b, n, 1) == one) }
    func gram(_ threads: Int) -> [Double] {
      var c = [Double](repeating: 0, count: k * k)
      a.withUnsafeBufferPointer { ap in c.withUnsafeMutableBufferPointer { Dense.gramOfColumns(ap.baseAddress!, into: $0.baseAddress!, m: m, n: k, parallel: Parallel(threads: threads)) } }
      return c
    }
    #expect(gram(1) == gram(2) && gram(2) == gram(3))
    func matvecs(_ threads: Int) -> [Double] {
      var y = [Double](repeating: 0, count: m), z = [Double](repeating: 0, count: k)
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { x in
          y.withUnsafeMutableBufferPointer { Dense.multiply(ap.baseAddress!, vector: x.baseAddress!, into: $0.baseAddress!, m: m, n: k, parallel: Parallel(threads: threads)) }
          z.withUnsafeMutableBufferPointer { Dense.multiplyTransposed(ap.baseAddress!, vector: x.baseAddress!, into: $0.baseAddress!, m: m, n: k, parallel: Parallel(threads: threads)) }
        }
      }
      return y + z
    }
    #expect(matvecs(1) == matvecs(2) && matvecs(2) == matvecs(3))
  }

  @Test("a row's matrix–vector sum is the same bits in a block of four rows as alone, and within 2γ_n of the exact sum",
        arguments: [3, 8, 13, 21, 500])
  func matrixVectorRowsAlone(n: Int) {
    let m = 7  // one block of four rows and three rows alone
    let a = Self.matrix(m, n, seed: 40 + UInt64(n)), x = Self.matrix(1, n, seed: 41)
    var together = [Double](repeating: 0, count: m)
    a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in
      together.withUnsafeMutableBufferPointer { Dense.multiply(ap.baseAddress!, vector: xp.baseAddress!, into: $0.baseAddress!, m: m, n: n, parallel: .serial) }
      for i in 0..<m {
        var alone = 0.0
        Dense.multiply(ap.baseAddress! + i * n, vector: xp.baseAddress!, into: &alone, m: 1, n: n, parallel: .serial)
        #expect(alone == together[i], "row \(i)")
      }
    } }
    let (exact, bound) = Self.reference(m: m, n: 1, k: n, a, n, 1, x, 1, 1)
    for i in 0..<m { #expect(abs(together[i] - exact[i]) <= bound[i]) }
  }

  /// (300, 2000): rows of 2000 make the 256 KiB blocks (16 rows) split each 40-row chunk.
  @Test("AᵀA x in one pass: t = A x is the matrix–vector product's bits, y = Aᵀt within 2γ bounds, the same on 1, 2 and 3 threads",
        arguments: [(7, 5), (130, 301), (300, 2000)])
  func gramVectorProduct(m: Int, n: Int) {
    let a = Self.matrix(m, n, seed: 11), x = Self.matrix(n, 1, seed: 12)
    func run(_ threads: Int) -> (t: [Double], y: [Double]) {
      var t = [Double](repeating: .nan, count: m), y = [Double](repeating: .nan, count: n)
      a.withUnsafeBufferPointer { ap in
        x.withUnsafeBufferPointer { xp in
          t.withUnsafeMutableBufferPointer { tp in
            y.withUnsafeMutableBufferPointer {
              Dense.multiplyByGramOfColumns(ap.baseAddress!, vector: xp.baseAddress!, intermediate: tp.baseAddress!, into: $0.baseAddress!,
                                            m: m, n: n, alpha: 0.5, parallel: Parallel(threads: threads))
            }
          }
        }
      }
      return (t, y)
    }
    let (t, y) = run(2)
    var ax = [Double](repeating: 0, count: m)
    a.withUnsafeBufferPointer { ap in
      x.withUnsafeBufferPointer { xp in ax.withUnsafeMutableBufferPointer { Dense.multiply(ap.baseAddress!, vector: xp.baseAddress!, into: $0.baseAddress!, m: m, n: n, parallel: .serial) } }
    }
    #expect(t == ax)
    // y = 0.5 Aᵀt, against schoolbook sums over the computed t.
    let (reference, bound) = Self.reference(m: n, n: 1, k: m, a, 1, n, t, 1, 1)
    for j in 0..<n { #expect(Swift.abs(y[j] - 0.5 * reference[j]) <= 0.5 * bound[j] + 1e-300, "y[\(j)]") }
    for threads in [1, 3] { let other = run(threads); #expect(other.t == t && other.y == y) }
  }

  /// (300, 2000): rows of 2000 make the 256 KiB blocks (16 rows) split each 40-row chunk.
  @Test("Aᵀx₁ and Aᵀx₂ in one pass: each within 2γ bounds of schoolbook sums, the same on 1, 2 and 3 threads",
        arguments: [(7, 5), (130, 301), (300, 2000)])
  func transposedPair(m: Int, n: Int) {
    let a = Self.matrix(m, n, seed: 21), x1 = Self.matrix(m, 1, seed: 22), x2 = Self.matrix(m, 1, seed: 23)
    func run(_ threads: Int) -> [Double] {
      var y = [Double](repeating: .nan, count: 2 * n)
      a.withUnsafeBufferPointer { ap in
        x1.withUnsafeBufferPointer { p1 in
          x2.withUnsafeBufferPointer { p2 in
            y.withUnsafeMutableBufferPointer {
              Dense.multiplyTransposed(ap.baseAddress!, vectors: p1.baseAddress!, p2.baseAddress!, into: $0.baseAddress!, $0.baseAddress! + n,
                                       m: m, n: n, parallel: Parallel(threads: threads))
            }
          }
        }
      }
      return y
    }
    let y = run(2)
    for (offset, x) in [(0, x1), (n, x2)] {
      let (reference, bound) = Self.reference(m: n, n: 1, k: m, a, 1, n, x, 1, 1)
      for j in 0..<n { #expect(Swift.abs(y[offset + j] - reference[j]) <= bound[j] + 1e-300, "y[\(offset + j)]") }
    }
    for threads in [1, 3] { #expect(run(threads) == y) }
  }

  /// k = 600 spans three depth blocks: a tile is final only after the last.
  @Test("a product reports each tile of C once, when its values are final, and the tiles cover C",
        arguments: [1, 2])
  func finishedTiles(threads: Int) {
    let (m, n, k) = (150, 700, 600)
    let a = Self.matrix(m, k, seed: 31), b = Self.matrix(k, n, seed: 32)
    var c = [Double](repeating: .nan, count: m * n), seen = c, covered = [Int](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          seen.withUnsafeMutableBufferPointer { sp in
            covered.withUnsafeMutableBufferPointer { count in
              Dense.product(m: m, n: n, k: k, ap.baseAddress!, aRow: k, aColumn: 1, bp.baseAddress!, bRow: n, bColumn: 1,
                            into: cp.baseAddress!, ldc: n, parallel: Parallel(threads: threads)) { rows, columns in
                for i in rows { for j in columns { sp[i * n + j] = cp[i * n + j]; count[i * n + j] += 1 } }
              }
            }
          }
        }
      }
    }
    #expect(covered.allSatisfy { $0 == 1 })
    #expect(seen == c)
    #expect(c == Self.product(1, m: m, n: n, k: k, a, k, 1, b, n, 1))
  }

  @Test("A Aᵀ and Aᵀ A are exactly symmetric and match schoolbook sums")
  func symmetricProducts() {
    let (m, k) = (45, 260)
    let a = Self.matrix(m, k, seed: 8)
    var s = [Double](repeating: .nan, count: m * m), g = [Double](repeating: .nan, count: k * k)
    a.withUnsafeBufferPointer { ap in
      s.withUnsafeMutableBufferPointer { Dense.multiplyTransposed(ap.baseAddress!, ap.baseAddress!, into: $0.baseAddress!, m: m, n: m, k: k, parallel: Parallel(threads: 2)) }
      g.withUnsafeMutableBufferPointer { Dense.gramOfColumns(ap.baseAddress!, into: $0.baseAddress!, m: m, n: k, parallel: Parallel(threads: 2)) }
    }
    let (aat, b1) = Self.reference(m: m, n: m, k: k, a, k, 1, a, 1, k)
    let (ata, b2) = Self.reference(m: k, n: k, k: m, a, 1, k, a, k, 1)
    #expect((0..<(m * m)).allSatisfy { abs(s[$0] - aat[$0]) <= b1[$0] && s[$0] == s[($0 % m) * m + $0 / m] })
    #expect((0..<(k * k)).allSatisfy { abs(g[$0] - ata[$0]) <= b2[$0] && g[$0] == g[($0 % k) * k + $0 / k] })
  }

  /// A = B Bᵀ/n + I: symmetric positive definite with eigenvalues in [1, ~n/3].
  static func spd(_ n: Int, seed: UInt64) -> [Double] {
    let b = matrix(n, n, seed: seed)
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { var s = 0.0; for p in 0..<n { s += b[i * n + p] * b[j * n + p] }; a[i * n + j] = s / Double(n) + (i == j ? 1 : 0) } }
    return a
  }

  @Test("blocked Cholesky: |L Lᵀ − A| ≤ 2γ_{n+1} |L||Lᵀ| elementwise, the solve's residual is at rounding level, and the factor does not depend on threads",
        arguments: [1, 5, 96, 97, 250, 600])
  func cholesky(n: Int) {
    let a = Self.spd(n, seed: UInt64(n))
    func factor(_ threads: Int) -> [Double] {
      var l = a
      let ok = l.withUnsafeMutableBufferPointer { Dense.choleskyFactor($0.baseAddress!, n: n, parallel: Parallel(threads: threads)) }
      #expect(ok)
      for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { l[i * n + j] = 0 } }
      return l
    }
    let l = factor(2)
    #expect(factor(1) == l)
    for i in 0..<n {
      for j in 0...i {
        var s = 0.0, abs = 0.0
        for t in 0...j { s += l[i * n + t] * l[j * n + t]; abs += Swift.abs(l[i * n + t] * l[j * n + t]) }
        #expect(Swift.abs(s - a[i * n + j]) <= 2 * Self.gamma(n + 1) * abs, "(\(i), \(j))")
      }
    }
    // Solve A x = y; Higham Thm 10.4: the computed x solves (A + ΔA) x = y with |ΔA| ≤ γ_{3n+1}|L||Lᵀ|,
    // so ‖Ax − y‖∞ ≤ γ_{3n+1} ‖|L||Lᵀ|‖∞ ‖x‖∞, and ‖|L||Lᵀ|‖∞ ≤ n ‖A‖ for a positive definite A.
    let y = Self.matrix(n, 1, seed: 99)
    var x = y
    l.withUnsafeBufferPointer { lp in x.withUnsafeMutableBufferPointer { Dense.choleskySolve(lp.baseAddress!, n: n, $0.baseAddress!) } }
    let norm = (0..<n).map { i in (0..<n).reduce(0) { $0 + Swift.abs(a[i * n + $1]) } }.max()!
    let xmax = x.map(Swift.abs).max()!
    for i in 0..<n {
      let r = (0..<n).reduce(-y[i]) { $0 + a[i * n + $1] * x[$1] }
      #expect(Swift.abs(r) <= Self.gamma(3 * n + 1) * Double(n) * norm * xmax + Self.gamma(n) * norm * xmax)
    }
  }

  @Test("Cholesky reports a matrix that is not positive definite, in the first block and in a later one")
  func notPositiveDefinite() {
    for (n, bad) in [(10, 3), (200, 150)] {
      var a = Self.spd(n, seed: 4)
      a[bad * n + bad] = -1
      #expect(!a.withUnsafeMutableBufferPointer { Dense.choleskyFactor($0.baseAddress!, n: n, parallel: Parallel(threads: 2)) })
    }
  }

  /// (LLᵀ)⁻¹ A = I up to the inverse's conditioning: the residual of an inverse computed stably is
  /// O(n u κ(A)) (Higham §14.3); A = BBᵀ/n + I has κ ≤ n/3 + 1, so 4 n² u bounds it with room.
  @Test("the inverse from the Cholesky factor: (LLᵀ)⁻¹ A = I, exactly symmetric, the same on 1 and 2 threads",
        arguments: [5, 96, 97, 250])
  func choleskyInverse(n: Int) {
    let a = Self.spd(n, seed: UInt64(n + 7))
    func inverse(_ threads: Int) -> [Double] {
      var l = a, m = [Double](repeating: .nan, count: n * n), work = m
      _ = l.withUnsafeMutableBufferPointer { Dense.choleskyFactor($0.baseAddress!, n: n, parallel: Parallel(threads: threads)) }
      l.withUnsafeBufferPointer { lp in
        work.withUnsafeMutableBufferPointer { wp in
          m.withUnsafeMutableBufferPointer {
            Dense.choleskyInverse(lp.baseAddress!, n: n, work: wp.baseAddress!, into: $0.baseAddress!, parallel: Parallel(threads: threads))
          }
        }
      }
      return m
    }
    let m = inverse(2)
    #expect(inverse(1) == m)
    var worst = 0.0
    for i in 0..<n {
      for j in 0..<n {
        var s = 0.0
        for k in 0..<n { s += m[i * n + k] * a[k * n + j] }
        worst = max(worst, abs(s - (i == j ? 1 : 0)))
        #expect(m[i * n + j] == m[j * n + i])
      }
    }
    #expect(worst <= 4 * Double(n * n) * Self.u, "max |(LLᵀ)⁻¹A − I| = \(worst)")
  }
}
