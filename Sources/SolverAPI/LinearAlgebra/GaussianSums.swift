import CKernels

extension Dense {
  /// Gaussian sums of points against sources on ℝ^d, with a SIMD exp (about one ulp):
  ///     sums[p] = Σ_j e_pj,   moments[p·d + k] = Σ_j e_pj (y_pk − x_jk),   e_pj = exp(−c |y_p − x_j|²),
  /// for the `count` points at `points` (row-major) and the sources given transposed
  /// (sourcesTransposed[k·n + j] = x_jk), each sum over j in order. `moments` may be nil.
  public static func gaussianSums(points: UnsafePointer<Double>, count: Int, dimension d: Int,
                                  sourcesTransposed: UnsafePointer<Double>, sourceCount n: Int, c: Double,
                                  sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>?) {
    mfld_gaussian_sums(points, 0, count, d, sourcesTransposed, n, c, sums, moments)
  }

  /// A buffer of at least `count` doubles owned by the calling thread and reused by later calls on it
  /// (no allocation in steady state). One buffer per thread: a second call overwrites the first's.
  public static func threadScratch(_ count: Int) -> UnsafeMutablePointer<Double> {
    guard let p = mfld_scratch(4, max(1, count)) else { fatalError("out of memory for a \(count)-double scratch buffer") }
    return p
  }
}
