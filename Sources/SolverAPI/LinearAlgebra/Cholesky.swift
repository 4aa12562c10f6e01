import CKernels

extension Dense {
  /// Block columns of the factorization of an n × n matrix: 32 up to n = 512, else 96. The unblocked
  /// diagonal blocks run at about a tenth of the packed product's rate (measured on Zen 3: 56 µs for
  /// a 96 block), so a small matrix wants small ones; a large one wants deep trailing updates.
  static func choleskyBlock(_ n: Int) -> Int { n <= 512 ? 32 : 96 }

  /// In-place Cholesky factorization A = L Lᵀ of a symmetric positive-definite n × n row-major matrix
  /// (lower triangle used and overwritten by L; the upper triangle is left as scratch). Returns false
  /// when A is not positive definite.
  ///
  /// Right-looking and blocked: for each block column [j, j + b), factor the diagonal block
  /// L₁₁ L₁₁ᵀ = A₁₁, form the panel L₂₁ = A₂₁ L₁₁⁻ᵀ as a product with the explicit inverse of the small
  /// triangle, and update the trailing matrix A₂₂ ← A₂₂ − L₂₁ L₂₁ᵀ (lower triangle) with the packed
  /// product, which carries all but O(n² b) of the n³/3 flops.
  public static func choleskyFactor(_ a: UnsafeMutablePointer<Double>, n: Int, parallel: Parallel) -> Bool {
    let nb = choleskyBlock(n), parallel = factorParallel(n, parallel)
    guard let panel = mfld_scratch(2, max(1, n * nb)), let inverse = mfld_scratch(3, nb * nb) else {
      fatalError("Dense.choleskyFactor: out of memory for the \(n) × \(nb) panel")
    }
    for j in stride(from: 0, to: n, by: nb) {
      let b = min(nb, n - j), below = n - j - b
      let diagonal = a + j * n + j
      guard factorDiagonalBlock(diagonal, size: b, stride: n) else { return false }
      guard below > 0 else { break }
      invertLowerTriangle(diagonal, size: b, stride: n, into: inverse, ld: nb)
      // L₂₁ = A₂₁ L₁₁⁻ᵀ: copy A₂₁ out, multiply back into place.
      let a21 = a + (j + b) * n + j
      parallel.forEachChunk(below, grain: 256) { rows in
        for r in rows { (panel + r * b).update(from: a21 + r * n, count: b) }
      }
      product(m: below, n: b, k: b, panel, aRow: b, aColumn: 1, inverse, bRow: 1, bColumn: nb,
              into: a21, ldc: n, parallel: parallel)
      // A₂₂ ← A₂₂ − L₂₁ L₂₁ᵀ.
      product(m: below, n: below, k: b, alpha: -1, a21, aRow: n, aColumn: 1, a21, bRow: 1, bColumn: n,
              beta: 1, into: a + (j + b) * n + (j + b), ldc: n, lower: true, parallel: parallel)
    }
    return true
  }

  /// Factorizations and triangular inverses of order ≤ 256 run on the calling thread: their products
  /// are too small to split (measured: a Cholesky of order 200 takes 0.75× the time on one thread
  /// that it takes on two). The tiling never changes the bits.
  static func factorParallel(_ n: Int, _ parallel: Parallel) -> Parallel { n <= 256 ? .serial : parallel }

  /// Unblocked Cholesky of the size × size diagonal block (row stride `stride`): L in the lower
  /// triangle, Lᵀ above it (`mfld_cholesky_block`).
  static func factorDiagonalBlock(_ a: UnsafeMutablePointer<Double>, size: Int, stride: Int) -> Bool {
    mfld_cholesky_block(a, size, stride) == 0
  }

  /// X = L⁻¹ for the lower-triangular size × size L (row stride `stride`), into `x` (row stride `ld`,
  /// zero above the diagonal), by `mfld_invert_lower`: X[r] = (e_r − Σ_{t<r} L[r][t] X[t]) / L[r][r].
  static func invertLowerTriangle(_ l: UnsafePointer<Double>, size: Int, stride: Int, into x: UnsafeMutablePointer<Double>, ld: Int) {
    mfld_invert_lower(l, size, stride, x, ld)
  }

  /// Solves L Lᵀ x = b in place (b ← x) with the factor from `choleskyFactor`: forward substitution by
  /// rows (dot products), back substitution by rows of L (axpy), both reading L row by row.
  public static func choleskySolve(_ l: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
    for i in 0..<n {
      let li = l + i * n
      b[i] = (b[i] - mfld_dot(li, b, i)) / li[i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      let li = l + i * n
      b[i] /= li[i]
      mfld_axpy(-b[i], li, b, i)
    }
  }
}

extension Dense {
  /// The inverse (LLᵀ)⁻¹ of the matrix whose Cholesky factor L `choleskyFactor` left in `l` (n × n,
  /// lower triangle, not modified), into `inverse` (n × n, symmetric), with `work` (n × n) for L⁻¹:
  ///     L⁻¹ by blocks, [[A, 0], [B, C]]⁻¹ = [[A⁻¹, 0], [−C⁻¹ B A⁻¹, C⁻¹]], then (LLᵀ)⁻¹ = L⁻ᵀ L⁻¹.
  /// About 4n³/3 flops, all but O(n² b) of them (b = `choleskyBlock(n)`) in the packed product.
  /// Applying the inverse is then one matrix–vector product — split over threads, unlike the two
  /// sequential triangular solves — which is what an iterative method that applies it many times per
  /// factorization wants.
  public static func choleskyInverse(_ l: UnsafePointer<Double>, n: Int, work: UnsafeMutablePointer<Double>,
                                     into inverse: UnsafeMutablePointer<Double>, parallel: Parallel) {
    for i in 0..<n {
      (work + i * n).update(from: l + i * n, count: i + 1)
      (work + i * n + i + 1).update(repeating: 0, count: n - i - 1)
    }
    invertLower(work, n: n, ld: n, parallel: parallel)
    gramOfColumns(work, into: inverse, m: n, n: n, parallel: parallel)
  }

  /// L ← L⁻¹ in place for the lower-triangular n × n L (row stride ld, zero above the diagonal).
  /// The two diagonal halves are independent: up to order 256, where the products inside them are too
  /// small to split (`factorParallel`), the halves are inverted side by side, one per thread.
  static func invertLower(_ l: UnsafeMutablePointer<Double>, n: Int, ld: Int, parallel: Parallel) {
    if n <= choleskyBlock(n) {
      guard let x = mfld_scratch(3, n * n) else { fatalError("Dense.invertLower: out of memory") }
      invertLowerTriangle(l, size: n, stride: ld, into: x, ld: n)
      for r in 0..<n { (l + r * ld).update(from: x + r * n, count: r + 1) }
      return
    }
    let h = (n / 2).roundedUp(to: 8), rest = n - h
    let l11 = l, l21 = l + h * ld, l22 = l + h * ld + h
    if factorParallel(n, parallel).threads == 1, parallel.threads > 1 {
      // Side by side, each half serial (with its own thread's `mfld_scratch` buffers).
      parallel.forEachChunk(2, grain: 1) { half in
        if half.lowerBound == 0 { invertLower(l11, n: h, ld: ld, parallel: .serial) } else { invertLower(l22, n: rest, ld: ld, parallel: .serial) }
      }
    } else {
      invertLower(l11, n: h, ld: ld, parallel: parallel)
      invertLower(l22, n: rest, ld: ld, parallel: parallel)
    }
    // L21 ← −L22⁻¹ (L21 L11⁻¹), through T = L21 L11⁻¹ (rest × h).
    guard let t = mfld_scratch(2, rest * h) else { fatalError("Dense.invertLower: out of memory") }
    product(m: rest, n: h, k: h, l21, aRow: ld, aColumn: 1, l11, bRow: ld, bColumn: 1, into: t, ldc: h, parallel: parallel)
    product(m: rest, n: h, k: rest, alpha: -1, l22, aRow: ld, aColumn: 1, t, bRow: h, bColumn: 1, into: l21, ldc: ld, parallel: parallel)
  }
}
