/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy as
/// 1, 2, 3" (SC 2011). A block of 128 random bits is a pure function of a 64-bit key and a 128-bit
/// counter, so any particle's noise at any step can be drawn in any order, on any thread, and the
/// numbers never depend on how the work was split. That is what makes `mfld` runs reproducible
/// whatever the thread count, and resumable from a step number alone.
@frozen
public struct Philox: Sendable, Hashable {
  public var key: (UInt32, UInt32)

  @inlinable public init(key: UInt64) {
    self.key = (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
  }

  @inlinable public static func == (a: Philox, b: Philox) -> Bool { a.key == b.key }
  @inlinable public func hash(into h: inout Hasher) { h.combine(key.0); h.combine(key.1) }

  /// The 128-bit block for `counter`, as two 64-bit words.
  @inlinable @inline(__always)
  public func block(_ c0: UInt32, _ c1: UInt32, _ c2: UInt32, _ c3: UInt32) -> (UInt64, UInt64) {
    var (x0, x1, x2, x3) = (c0, c1, c2, c3)
    var (k0, k1) = key
    for _ in 0..<10 {
      let p0 = UInt64(0xD251_1F53) &* UInt64(x0)
      let p1 = UInt64(0xCD9E_8D57) &* UInt64(x2)
      let (hi0, lo0) = (UInt32(truncatingIfNeeded: p0 >> 32), UInt32(truncatingIfNeeded: p0))
      let (hi1, lo1) = (UInt32(truncatingIfNeeded: p1 >> 32), UInt32(truncatingIfNeeded: p1))
      (x0, x1, x2, x3) = (hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0)
      k0 = k0 &+ 0x9E37_79B9
      k1 = k1 &+ 0xBB67_AE85
    }
    return (UInt64(x0) | UInt64(x1) << 32, UInt64(x2) | UInt64(x3) << 32)
  }
}

/// SplitMix64's finalizer: a bijective 64-bit mixer used to derive keys for independent streams.
@inlinable
public func mix64(_ z: UInt64) -> UInt64 {
  var z = z &+ 0x9E37_79B9_7F4A_7C15
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}
