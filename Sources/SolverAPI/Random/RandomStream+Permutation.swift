extension RandomStream {
  /// A uniformly random permutation of 0..<p.count written into `p`, a pure function of (seed, stream, `step`,
  /// p.count): Fisher–Yates on the counter-based uniforms, for i = n − 1, …, 1 swap p[i] and p[j] with
  /// j = ⌊u_i (i + 1)⌋, u_i = `uniform(step:index: i)`. Minibatch epochs and random-batch partitions
  /// (docs/math.md §3, §6) draw theirs here, so a resumed run draws the same ones.
  @inlinable
  public func permutation<T: FixedWidthInteger>(step: Int, into p: UnsafeMutableBufferPointer<T>) {
    for i in p.indices { p[i] = T(truncatingIfNeeded: i) }
    for i in stride(from: p.count - 1, to: 0, by: -1) {
      let j = Int(uniform(step: step, index: i) * Double(i + 1))
      p.swapAt(i, min(j, i))
    }
  }

  /// `permutation(step:into:)` as an array.
  public func permutation(step: Int, count: Int) -> [Int] {
    var p = [Int](repeating: 0, count: count)
    p.withUnsafeMutableBufferPointer { permutation(step: step, into: $0) }
    return p
  }
}
