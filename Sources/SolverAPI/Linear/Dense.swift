/// Dense row-major kernels for the signed-measure objectives (products of the m × n feature matrix,
/// Gram matrices, Cholesky solves). Each output row is computed by one thread with a fixed summation
/// order, so results do not depend on the thread count.
public enum Dense {
  /// C (m × n) = α A Bᵀ + β C, with A m × k and B n × k (rows against rows).
  public static func multiplyTransposed(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>,
                                        m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    parallel.forEachChunk(m, grain: max(1, 16_384 / max(1, n * k / 64 + 1))) { rows in
      for i in rows {
        let ai = a + i * k, ci = c + i * n
        for j in 0..<n {
          let bj = b + j * k
          var s = 0.0
          for t in 0..<k { s += ai[t] * bj[t] }
          ci[j] = alpha * s + (beta == 0 ? 0 : beta * ci[j])
        }
      }
    }
  }

  /// C (m × n) = α A B + β C, with A m × k and B k × n.
  public static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>,
                              m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    parallel.forEachChunk(m, grain: 8) { rows in
      for i in rows {
        let ci = c + i * n, ai = a + i * k
        if beta == 0 { ci.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { ci[j] *= beta } }
        for t in 0..<k {
          let s = alpha * ai[t]
          if s == 0 { continue }
          let bt = b + t * n
          for j in 0..<n { ci[j] += s * bt[j] }
        }
      }
    }
  }

  /// C (n × n) = α Aᵀ A + β C for A m × n (the Gram matrix of A's columns). Only needs A's rows.
  public static func gramOfColumns(_ a: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>, m: Int, n: Int,
                                   alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    parallel.forEachChunk(n, grain: 16) { rows in
      for p in rows {
        let cp = c + p * n
        if beta == 0 { cp.update(repeating: 0, count: n) } else if beta != 1 { for q in 0..<n { cp[q] *= beta } }
      }
      for i in 0..<m {
        let ai = a + i * n
        for p in rows {
          let s = alpha * ai[p]
          if s == 0 { continue }
          let cp = c + p * n
          for q in 0..<n { cp[q] += s * ai[q] }
        }
      }
    }
  }

  /// y (m) = α A x + β y for A m × n.
  public static func multiply(_ a: UnsafePointer<Double>, vector x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                              m: Int, n: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    parallel.forEachChunk(m, grain: max(1, 65_536 / max(1, n))) { rows in
      for i in rows {
        let ai = a + i * n
        var s = 0.0
        for j in 0..<n { s += ai[j] * x[j] }
        y[i] = alpha * s + (beta == 0 ? 0 : beta * y[i])
      }
    }
  }

  /// y (n) = α Aᵀ x + β y for A m × n (accumulated over A's rows in order).
  public static func multiplyTransposed(_ a: UnsafePointer<Double>, vector x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>,
                                        m: Int, n: Int, alpha: Double = 1, beta: Double = 0, parallel: Parallel) {
    parallel.forEachChunk(n, grain: 512) { cols in
      for j in cols { y[j] = beta == 0 ? 0 : beta * y[j] }
      for i in 0..<m {
        let s = alpha * x[i]
        let ai = a + i * n
        for j in cols { y[j] += s * ai[j] }
      }
    }
  }

  /// In-place Cholesky factorization A = L Lᵀ of a symmetric positive-definite n × n matrix (lower
  /// triangle used and overwritten by L). Returns false when A is not positive definite.
  public static func choleskyFactor(_ a: UnsafeMutablePointer<Double>, n: Int, parallel: Parallel) -> Bool {
    for j in 0..<n {
      let aj = a + j * n
      var d = aj[j]
      for t in 0..<j { d -= aj[t] * aj[t] }
      guard d > 0, d.isFinite else { return false }
      let l = d.squareRoot()
      aj[j] = l
      let inv = 1 / l
      parallel.forEachChunk(n - j - 1, grain: max(8, 32_768 / max(1, j + 1))) { range in
        for r in range {
          let i = j + 1 + r
          let ai = a + i * n
          var s = ai[j]
          for t in 0..<j { s -= ai[t] * aj[t] }
          ai[j] = s * inv
        }
      }
    }
    return true
  }

  /// Solves L Lᵀ x = b in place (b ← x) with the factor from `choleskyFactor`.
  public static func choleskySolve(_ l: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
    for i in 0..<n {
      let li = l + i * n
      var s = b[i]
      for t in 0..<i { s -= li[t] * b[t] }
      b[i] = s / li[i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      var s = b[i]
      for t in (i + 1)..<max(i + 1, n) { s -= l[t * n + i] * b[t] }
      b[i] = s / l[i * n + i]
    }
  }
}
