import DenseKernels

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
  /// value v = σ(t), so that a product with σ′(Z) needs only σ(Z) in memory (MATH.md §2, the ridge
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
  /// op(B)(p, j) = b[p·bRow + j·bColumn] (k × n), C row-major with leading dimension ldc. With `lower`,
  /// only elements with j ≤ i are guaranteed (tiles wholly above the diagonal are skipped).
  /// `finished(rows, columns)` is called once per tile of C (a few hundred KiB at most) as soon as its
  /// values are final, on the thread that computed it, so that a caller can transform the tile
  /// while it is still in cache (the ridge features apply σ there).
  public static func product(m: Int, n: Int, k: Int, alpha: Double = 1,
                             _ a: UnsafePointer<Double>, aRow: Int, aColumn: Int, map: EntryMap = .identity,
                             _ b: UnsafePointer<Double>, bRow: Int, bColumn: Int,
                             beta: Double = 0, into c: UnsafeMutablePointer<Double>, ldc: Int,
                             lower: Bool = false, parallel: Parallel,
                             finished: (_ rows: Range<Int>, _ columns: Range<Int>) -> Void = { _, _ in }) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      for i in 0..<m { for j in 0..<n where !lower || j <= i { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    let nr = Int(MFLD_NR), mr = Int(MFLD_MR)
    let panelCapacity = min(n, panelWidth).roundedUp(to: nr) * min(k, depthBlock)
    guard let packedB = mfld_scratch(1, panelCapacity) else { fatalError("Dense.product: out of memory for a \(panelCapacity)-double panel") }
    for jc in stride(from: 0, to: n, by: panelWidth) {
      let nc = min(panelWidth, n - jc)
      let slivers = (nc + nr - 1) / nr
      for pc in stride(from: 0, to: k, by: depthBlock) {
        let kc = min(depthBlock, k - pc)
        let bBlock = b + pc * bRow + jc * bColumn
        parallel.forEachChunk(slivers, grain: max(1, 32_768 / (kc * nr))) { range in
          mfld_pack_b(bBlock, bRow, bColumn, kc, nc, range.lowerBound, range.upperBound, packedB)
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
                                         blockBeta, c + i0 * ldc + jc + j0, ldc, lower ? 1 : 0, i0 - (jc + j0))
            if status != 0 { fatalError("Dense.product: out of memory for a packed block") }
            if pc + kc == k { finished(i0 ..< i0 + mc, jc + j0 ..< jc + j0 + ncTile) }
          }
        }
      }
    }
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

  /// C (m × n) = α map(A) B + β C, with A m × k and B k × n.
  public static func multiply(_ a: UnsafePointer<Double>, map: EntryMap = .identity, _ b: UnsafePointer<Double>,
                              into c: UnsafeMutablePointer<Double>,
                              m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    product(m: m, n: n, k: k, alpha: alpha, a, aRow: k, aColumn: 1, map: map, b, bRow: n, bColumn: 1, beta: beta,
            into: c, ldc: n, parallel: parallel)
  }

  /// C (n × n) = α Aᵀ A + β C for A m × n (the Gram matrix of A's columns): the lower triangle, mirrored.
  public static func gramOfColumns(_ a: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>, m: Int, n: Int,
                                   alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    product(m: n, n: n, k: m, alpha: alpha, a, aRow: 1, aColumn: n, a, bRow: n, bColumn: 1, beta: beta,
            into: c, ldc: n, lower: true, parallel: parallel)
    mirrorLower(c, n: n, parallel: parallel)
  }

  /// Copies the strict lower triangle of the n × n matrix c onto its upper triangle.
  static func mirrorLower(_ c: UnsafeMutablePointer<Double>, n: Int, parallel: Parallel) {
    parallel.forEachChunk(n, grain: max(1, 65_536 / max(1, n))) { rows in
      for i in rows { for j in (i + 1)..<max(i + 1, n) { c[i * n + j] = c[j * n + i] } }
    }
  }

  /// Rows per chunk of a matrix–vector product: at most 8 chunks, fixed by m alone. Both products
  /// split A by the same rows, and the pool gives chunk c to the same thread every time, so on two
  /// cores each keeps its half of A in its own cache across the iterations of a solver.
  public static func rowChunk(_ m: Int) -> Int { max(4, ((m + 7) / 8).roundedUp(to: 4)) }

  /// Matrix–vector products below 8192 elements run on the calling thread: a few µs of work.
  static func vectorParallel(_ m: Int, _ n: Int, _ parallel: Parallel) -> Parallel { m * n < 8192 ? .serial : parallel }

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

  /// The calling thread's buffer for `count` partial sums (scratch slot 7).
  static func partialSums(_ count: Int) -> UnsafeMutablePointer<Double> {
    guard let partial = mfld_scratch(7, count) else { fatalError("Dense: out of memory for \(count) partial sums") }
    return partial
  }

  /// y = α Σ_c partial_c + β y over `chunks` rows of `width` partial sums, added in chunk order
  /// (a row at a time, so the loops vectorize; row 0 is overwritten).
  static func addChunks(_ partial: UnsafeMutablePointer<Double>, chunks: Int, width: Int, alpha: Double, beta: Double,
                        into y: UnsafeMutablePointer<Double>, parallel: Parallel) {
    parallel.forEachChunk(width, grain: max(1024, width / 8)) { columns in
      let w = columns.count, sum = partial + columns.lowerBound
      for c in 1..<max(1, chunks) { mfld_axpy(1, partial + c * width + columns.lowerBound, sum, w) }
      for j in columns { y[j] = alpha * partial[j] + (beta == 0 ? 0 : beta * y[j]) }
    }
  }
}

extension Int {
  @inlinable func roundedUp(to multiple: Int) -> Int { (self + multiple - 1) / multiple * multiple }
}
