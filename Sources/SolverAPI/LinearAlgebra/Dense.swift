import CKernels

/// Dense row-major float64 kernels for the signed-measure objectives: products of the m × n feature
/// matrix, Gram matrices, Cholesky factorizations and solves, matrix–vector products.
///
/// Products run on the packed, register-blocked kernels of the `DenseKernels` C target (AVX2 + FMA
/// chosen at run time, portable C otherwise), tiled over threads. Every output element is one sum in
/// a fixed order (k split into fixed `depthBlock`-long pieces, each accumulated in order), whatever
/// the tiling, so results are the same bits on any number of threads.
public enum Dense {
  /// The depth of one packed block: the only blocking parameter the results depend on.
  static let depthBlock = 256
  /// Column width of a packed B panel (a multiple of the micro-tile width).
  static let panelWidth = 4096

  /// What a product reads for an entry v of A: v itself, or the slope σ′ of an activation through its
  /// value v = σ(t), so that a product with σ′(Z) needs only σ(Z) in memory (docs/math.md §2, the ridge
  /// pullback): relu's 1[v > 0], tanh's 1 − v², the sigmoid's v(1 − v). The same bits as computing
  /// σ′(t) first, on every instruction set.
  public enum EntryMap: Sendable {
    case identity, indicatorOfPositive, oneMinusSquare, timesOneMinus

    var kernel: mfld_entry_map {
      switch self {
      case .identity: return MFLD_ENTRIES
      case .indicatorOfPositive: return MFLD_INDICATOR_OF_POSITIVE
      case .oneMinusSquare: return MFLD_ONE_MINUS_SQUARE
      case .timesOneMinus: return MFLD_TIMES_ONE_MINUS
      }
    }
  }

  /// "avx2+fma" or "portable": the kernels in use on this machine.
  public static var instructionSet: String { mfld_kernels_isa() == 1 ? "avx2+fma" : "portable" }

  /// C = α op(A) op(B) + β C for strided operands: op(A)(i, p) = map(a[i·aRow + p·aColumn]) (m × k),
  /// op(B)(p, j) = b[p·bRow + j·bColumn] (k × n), times `bRowScale[p]` when given (diag(s) B, one
  /// rounding per element, applied as B is packed), C row-major with leading dimension ldc. With `lower`,
  /// only elements with j ≤ i are guaranteed (tiles wholly above the diagonal are skipped).
  /// `finished(rows, columns)` is called once per tile of C (a few hundred KiB at most) as soon as its
  /// values are final, on the thread that computed it, so that a caller can transform the tile
  /// while it is still in cache (the ridge features apply σ there); `positivePart` stores relu(C) =
  /// max(C, 0), NaN ↦ 0, instead of C, in the product's own stores. A B that is one panel
  /// (`Panel.fits`) and the same across calls can come packed once, as `b`'s `Panel`.
  public static func product(m: Int, n: Int, k: Int, alpha: Double = 1,
                             _ a: UnsafePointer<Double>, aRow: Int, aColumn: Int, map: EntryMap = .identity,
                             _ b: UnsafePointer<Double>, bRow: Int, bColumn: Int, bRowScale: UnsafePointer<Double>? = nil,
                             packed panel: Panel? = nil,
                             beta: Double = 0, into c: UnsafeMutablePointer<Double>, ldc: Int,
                             lower: Bool = false, positivePart: Bool = false, parallel: Parallel,
                             finished: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void = { _, _ in }) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      for i in 0..<m { for j in 0..<n where !lower || j <= i { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    precondition(panel.map { $0.k == k && $0.n == n && bRowScale == nil } ?? true, "Dense.product: a packed panel must be this product's whole k × n B, unscaled")
    let nr = Int(MFLD_NR), mr = Int(MFLD_MR)
    let panelCapacity = panel == nil ? min(n, panelWidth).roundedUp(to: nr) * min(k, depthBlock) : 0
    guard let packedB = panel?.values ?? mfld_scratch(1, panelCapacity) else {
      fatalError("Dense.product: out of memory for a \(panelCapacity)-double panel")
    }
    for jc in stride(from: 0, to: n, by: panelWidth) {
      let nc = min(panelWidth, n - jc)
      let slivers = (nc + nr - 1) / nr
      for pc in stride(from: 0, to: k, by: depthBlock) {
        let kc = min(depthBlock, k - pc)
        let bBlock = b + pc * bRow + jc * bColumn
        if panel == nil {
          parallel.forEachChunk(slivers, grain: max(1, 32_768 / (kc * nr))) { range in
            mfld_pack_b(bBlock, bRow, bColumn, kc, nc, bRowScale.map { $0 + pc }, range.lowerBound, range.upperBound, packedB)
          }
        }
        // Tiles of C: rows × columns, small enough that both threads get work (the tiling does not
        // change any result).
        var rows = 96, columns = 256
        while rows > mr, ((m + rows - 1) / rows) * ((nc + columns - 1) / columns) < 4 * parallel.threads {
          if columns > 4 * nr { columns /= 2 } else { rows = max(mr, rows / 2 / mr * mr) }
        }
        let rowTiles = (m + rows - 1) / rows, columnTiles = (nc + columns - 1) / columns
        let blockBeta = pc == 0 ? beta : 1
        let aBlock = a + pc * aColumn
        parallel.forEachChunk(rowTiles * columnTiles, grain: 1) { tiles in
          for t in tiles {
            let i0 = (t / columnTiles) * rows, j0 = (t % columnTiles) * columns
            let mc = min(rows, m - i0), ncTile = min(columns, nc - j0)
            if lower && jc + j0 > i0 + mc - 1 { continue }
            let status = mfld_gemm_block(mc, ncTile, kc, alpha, aBlock + i0 * aRow, aRow, aColumn, map.kernel, packedB + j0 * kc,
                                         blockBeta, c + i0 * ldc + jc + j0, ldc, lower ? 1 : 0, i0 - (jc + j0),
                                         positivePart && pc + kc == k ? 1 : 0)
            if status != 0 { fatalError("Dense.product: out of memory for a packed block") }
            if pc + kc == k { finished(i0 ..< i0 + mc, jc + j0 ..< jc + j0 + ncTile) }
          }
        }
      }
    }
  }

  /// A k × n operand B of `product`, packed as the product packs it, for a B used in many products
  /// (the ridge features' X̃ᵀ): one panel and one depth block, k ≤ 256 and n ≤ 4096.
  public final class Panel: @unchecked Sendable {
    public let k: Int, n: Int
    fileprivate let values: UnsafeMutablePointer<Double>

    /// B(p, j) = b[p·bRow + j·bColumn]; nil when B is larger than one panel.
    public init?(_ b: UnsafePointer<Double>, bRow: Int, bColumn: Int, k: Int, n: Int) {
      guard Self.fits(k: k, n: n) else { return nil }
      let nr = Int(MFLD_NR), count = n.roundedUp(to: nr) * k
      self.k = k
      self.n = n
      // 64-byte aligned, as the kernels' aligned loads of a packed panel need (mfld_scratch's alignment).
      values = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Double>.size, alignment: 64)
        .initializeMemory(as: Double.self, repeating: 0, count: count)
      mfld_pack_b(b, bRow, bColumn, k, n, nil, 0, (n + nr - 1) / nr, values)
    }

    deinit { values.deallocate() }

    /// Whether a k × n B is one panel.
    public static func fits(k: Int, n: Int) -> Bool { k > 0 && n > 0 && k <= depthBlock && n <= panelWidth }
  }

  /// C (m × n) = α A Bᵀ + β C, with A m × k and B n × k (rows against rows). When A and B are the same
  /// matrix, only the lower triangle is computed and mirrored (A Aᵀ is symmetric).
  public static func multiplyTransposed(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>,
                                        m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    let symmetric = a == b && m == n
    product(m: m, n: n, k: k, alpha: alpha, a, aRow: k, aColumn: 1, b, bRow: 1, bColumn: k, beta: beta,
            into: c, ldc: n, lower: symmetric, parallel: parallel)
    if symmetric { mirrorLower(c, n: n, parallel: parallel) }
  }

  /// C (m × n) = α map(A) diag(s) B + β C, with A m × k, B k × n and s = `bRowScale` (k, or none).
  public static func multiply(_ a: UnsafePointer<Double>, map: EntryMap = .identity, _ b: UnsafePointer<Double>,
                              bRowScale: UnsafePointer<Double>? = nil, into c: UnsafeMutablePointer<Double>,
                              m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    product(m: m, n: n, k: k, alpha: alpha, a, aRow: k, aColumn: 1, map: map, b, bRow: n, bColumn: 1, bRowScale: bRowScale, beta: beta,
            into: c, ldc: n, parallel: parallel)
  }

  /// C (n × n) = α Aᵀ A + β C for A m × n (the Gram matrix of A's columns): the lower triangle, mirrored.
  public static func gramOfColumns(_ a: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>, m: Int, n: Int,
                                   alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    product(m: n, n: n, k: m, alpha: alpha, a, aRow: 1, aColumn: n, a, bRow: n, bColumn: 1, beta: beta,
            into: c, ldc: n, lower: true, parallel: parallel)
    mirrorLower(c, n: n, parallel: parallel)
  }

  /// Copies the strict lower triangle of the n × n matrix c onto its upper triangle, in 32 × 32 tiles
  /// (the column reads of a tile stay in L1), a band of tile rows per chunk.
  static func mirrorLower(_ c: UnsafeMutablePointer<Double>, n: Int, parallel: Parallel) {
    let tile = 32, bands = (n + tile - 1) / tile
    parallel.forEachChunk(bands, grain: max(1, 65_536 / max(1, n * tile))) { chunk in
      for band in chunk {
        let rows = band * tile ..< min(n, band * tile + tile)
        for j0 in stride(from: rows.lowerBound, to: n, by: tile) {
          for i in rows { for j in max(i + 1, j0)..<max(i + 1, min(n, j0 + tile)) { c[i * n + j] = c[j * n + i] } }
        }
      }
    }
  }

  /// Rows per chunk of the row-split products (matrix–vector products both ways, the ridge features),
  /// fixed by m alone: about m/8 to m/16 rows, in whole 4-row matrix–vector blocks — 12-row units from
  /// m = 96, so that the product's 6-row slivers are whole too — choosing, among those, the size that
  /// splits m most evenly between two threads, which take alternate chunks (`mfld_parallel_for`); the
  /// fewer chunks on a tie. (At m = 200, 24 rows: 104 + 96, against 112 + 88 for 8 chunks of 28.)
  /// Both products split A by the same rows, and the pool gives chunk c to the same thread every
  /// time, so on two cores each keeps its half of A in its own cache across a solver's iterations.
  public static func rowChunk(_ m: Int) -> Int {
    let unit = m >= 96 ? 12 : 4
    let shortest = max(unit, (m / 16).roundedUp(to: unit)), longest = max(shortest, ((m + 7) / 8).roundedUp(to: unit))
    var best = longest, bestLoad = Int.max
    for rows in stride(from: longest, through: shortest, by: -unit) {
      let chunks = (m + rows - 1) / rows, last = m - (chunks - 1) * rows
      let even = chunks % 2 == 1 ? chunks / 2 * rows + last : chunks / 2 * rows, load = max(even, m - even)
      if load < bestLoad { (best, bestLoad) = (rows, load) }
    }
    return best
  }

  /// Matrix–vector products below 8192 elements run on the calling thread: a few µs of work.
  static func vectorParallel(_ m: Int, _ n: Int, _ parallel: Parallel) -> Parallel { m * n < 8192 ? .serial : parallel }

  /// xᵀy in a fixed order (`mfld_dot`: four-lane partial sums on AVX2), on the calling thread.
  public static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double { mfld_dot(x, y, count) }

  /// y (n) += Σ_r x_r A[r, :] for A `rows` × n with row stride `lda`, the rows in order, on the calling thread
  /// (`mfld_add_rows`): an element's sum does not depend on how the columns are split, so a tile's share of a
  /// weighted column sum, added while the tile is in cache, gives the bits of the whole rows added at once.
  public static func addRows(_ a: UnsafePointer<Double>, lda: Int, rows: Int, n: Int, weights x: UnsafePointer<Double>,
                             into y: UnsafeMutablePointer<Double>) {
    mfld_add_rows(a, lda, rows, n, x, y)
  }

  /// y (n) = α Σ_i x_i A[i, :] for A m × n: each chunk of rows added row by row (`addRows`), the chunks' sums in
  /// chunk order (`sumOverRowChunks`) — the same bits as the ridge features' predictions formed tile by tile,
  /// and on any thread count.
  public static func weightedRowSum(_ a: UnsafePointer<Double>, weights x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                                    m: Int, n: Int, alpha: Double, parallel: Parallel) {
    sumOverRowChunks(m: m, n: n, alpha: alpha, into: y, parallel: parallel) { grain, partial in
      vectorParallel(m, n, parallel).forEachChunk(m, grain: grain) { rows in
        addRows(a + rows.lowerBound * n, lda: n, rows: rows.count, n: n, weights: x + rows.lowerBound, into: partial + rows.lowerBound / grain * n)
      }
    }
  }

  /// y (n) = α Σ_c s_c over the chunks of `rowChunk(m)` rows of an m-row matrix, where `fill(grain, partial)`
  /// adds chunk c's sums s_c into partial + c·n (zeroed first, the calling thread's buffer) and the sums are
  /// added in chunk order: chunks that depend on m only, so the same bits on any thread count. y is zero when
  /// m is.
  public static func sumOverRowChunks(m: Int, n: Int, alpha: Double, into y: UnsafeMutablePointer<Double>, parallel: Parallel,
                                      _ fill: (_ grain: Int, _ partial: UnsafeMutablePointer<Double>) -> Void) {
    guard n > 0 else { return }
    guard m > 0 else { y.update(repeating: 0, count: n); return }
    let grain = rowChunk(m), chunks = (m + grain - 1) / grain, partial = partialSums(chunks * n)
    partial.update(repeating: 0, count: chunks * n)
    fill(grain, partial)
    addChunks(partial, chunks: chunks, width: n, alpha: alpha, beta: 0, into: y, parallel: parallel)
  }

  /// y (m) = α A x + β y for A m × n.
  public static func multiply(_ a: UnsafePointer<Double>, vector x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                              m: Int, n: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    let p = vectorParallel(m, n, parallel)
    p.forEachChunk(m, grain: rowChunk(m)) { rows in
      mfld_gemv(rows.lowerBound, rows.upperBound, n, alpha, a, n, x, beta, y)
    }
  }

  /// y (n) = α Aᵀ x + β y for A m × n: partial sums over each chunk of rows (in row order), then the
  /// chunks' sums added in chunk order.
  public static func multiplyTransposed(_ a: UnsafePointer<Double>, vector x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                                        m: Int, n: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    let grain = rowChunk(m), chunks = (m + grain - 1) / grain
    guard chunks > 1 else { mfld_gemv_t(0, n, m, alpha, a, n, x, beta, y); return }
    let partial = partialSums(chunks * n)
    let p = vectorParallel(m, n, parallel)
    p.forEachChunk(m, grain: grain) { rows in
      mfld_gemv_t(0, n, rows.count, 1, a + rows.lowerBound * n, n, x + rows.lowerBound, 0, partial + rows.lowerBound / grain * n)
    }
    addChunks(partial, chunks: chunks, width: n, alpha: alpha, beta: beta, into: y, parallel: p)
  }

  /// y₁ = Aᵀx₁ and y₂ = Aᵀx₂ (n each) for A m × n in one pass over A: each chunk of rows is read a
  /// block of 256 KiB at a time, for x₁ and then, from cache, for x₂; a block's sums are added to the
  /// chunk's running sums, and the chunks' sums in chunk order (the same bits on any thread count,
  /// not always `multiplyTransposed`'s).
  public static func multiplyTransposed(_ a: UnsafePointer<Double>, vectors x1: UnsafePointer<Double>, _ x2: UnsafePointer<Double>,
                                        into y1: UnsafeMutablePointer<Double>, _ y2: UnsafeMutablePointer<Double>,
                                        m: Int, n: Int, parallel: Parallel) {
    let grain = rowChunk(m), chunks = (m + grain - 1) / grain, block = blockLength(across: n)
    let partial = partialSums(2 * chunks * n), second = partial + chunks * n
    let p = vectorParallel(m, 2 * n, parallel)
    p.forEachChunk(m, grain: grain) { rows in
      let c = rows.lowerBound / grain
      for i in stride(from: rows.lowerBound, to: rows.upperBound, by: block) {
        let end = min(rows.upperBound, i + block), beta = i == rows.lowerBound ? 0.0 : 1
        mfld_gemv_t(0, n, end - i, 1, a + i * n, n, x1 + i, beta, partial + c * n)
        mfld_gemv_t(0, n, end - i, 1, a + i * n, n, x2 + i, beta, second + c * n)
      }
    }
    addChunks(partial, chunks: chunks, width: n, alpha: 1, beta: 0, into: y1, parallel: p)
    addChunks(second, chunks: chunks, width: n, alpha: 1, beta: 0, into: y2, parallel: p)
  }

  /// y (n) = α AᵀA x for A m × n, and t = A x (m) on the way: one pass over A. Each chunk of rows
  /// (the chunks of `multiply(_:vector:)`) is taken in blocks of at most 256 KiB: t for the block's
  /// rows, then the block's part of Aᵀt while it is still in cache. The chunks' partial sums are
  /// added in chunk order, so the bits depend on m and n only.
  public static func multiplyByGramOfColumns(_ a: UnsafePointer<Double>, vector x: UnsafePointer<Double>,
                                             intermediate t: UnsafeMutablePointer<Double>, into y: UnsafeMutablePointer<Double>,
                                             m: Int, n: Int, alpha: Double = 1, parallel: Parallel) {
    let grain = rowChunk(m), chunks = (m + grain - 1) / grain, block = blockLength(across: n)
    let partial = partialSums(chunks * n)
    let p = vectorParallel(m, 2 * n, parallel)
    p.forEachChunk(m, grain: grain) { rows in
      let sum = partial + rows.lowerBound / grain * n
      for i in stride(from: rows.lowerBound, to: rows.upperBound, by: block) {
        let end = min(rows.upperBound, i + block)
        mfld_gemv(i, end, n, 1, a, n, x, 0, t)
        mfld_gemv_t(0, n, end - i, 1, a + i * n, n, t + i, i == rows.lowerBound ? 0 : 1, sum)
      }
    }
    addChunks(partial, chunks: chunks, width: n, alpha: alpha, beta: 0, into: y, parallel: p)
  }

  /// Rows of a block that `multiplyByGramOfColumns` keeps in cache: 256 KiB of a matrix whose rows
  /// are `length` long, in multiples of 4.
  static func blockLength(across length: Int) -> Int { max(4, 32_768 / max(1, length) / 4 * 4) }

  /// The calling thread's buffer for `count` partial sums (scratch slot 7): valid until the thread's next
  /// matrix–vector product; fill it from parallel chunks, then `addChunks`.
  static func partialSums(_ count: Int) -> UnsafeMutablePointer<Double> {
    guard let partial = mfld_scratch(7, count) else { fatalError("Dense: out of memory for \(count) partial sums") }
    return partial
  }

  /// y = α Σ_c partial_c + β y over `chunks` rows of `width` partial sums, added in chunk order
  /// (`mfld_sum_rows`: one pass, the sums in registers).
  static func addChunks(_ partial: UnsafeMutablePointer<Double>, chunks: Int, width: Int, alpha: Double, beta: Double,
                        into y: UnsafeMutablePointer<Double>, parallel: Parallel) {
    parallel.forEachChunk(width, grain: max(1024, width / 8)) { columns in
      mfld_sum_rows(partial + columns.lowerBound, chunks, width, columns.count, alpha, beta, y + columns.lowerBound)
    }
  }
}

extension Int {
  @inlinable func roundedUp(to multiple: Int) -> Int { (self + multiple - 1) / multiple * multiple }
}
