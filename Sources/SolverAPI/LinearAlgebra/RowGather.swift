import CKernels

extension Dense {
  /// out[r] = x[index[r]] for the n rows of width d that `index` names — random reads, prefetched a few rows
  /// ahead so that their cache misses overlap (`mfld_gather_rows`).
  @inlinable
  public static func gatherRows(_ x: UnsafePointer<Double>, width d: Int, index: UnsafePointer<Int32>, count n: Int,
                                into out: UnsafeMutablePointer<Double>) {
    mfld_gather_rows(x, d, index, n, out)
  }

  /// y[index[r]] = rows[r]: the inverse of `gatherRows`.
  @inlinable
  public static func scatterRows(_ rows: UnsafePointer<Double>, width d: Int, index: UnsafePointer<Int32>, count n: Int,
                                 into y: UnsafeMutablePointer<Double>) {
    mfld_scatter_rows(rows, d, index, n, y)
  }
}
