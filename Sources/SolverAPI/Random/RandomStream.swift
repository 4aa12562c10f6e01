import CKernels

/// A named, splittable source of randomness derived from the run's seed.
///
/// Every consumer of randomness (initial particles, data generation, the Langevin noise,
/// minibatches) takes its own stream, `RandomStream(seed: s).split("noise")`, so adding a new
/// consumer never shifts the numbers of another. Draws are addressed by counters, not by a
/// position in a sequence: `normals(step:index:into:count:)` is a pure function of
/// (seed, stream, step, index).
public struct RandomStream: Sendable, Hashable {
  public let philox: Philox
  /// The 64-bit key, for checkpoints and for deriving child streams.
  public let key: UInt64

  public init(seed: UInt64) { self.init(key: mix64(seed ^ 0x6D66_6C64_6D66_6C64)) }
  /// The stream with this key (`key` of another stream: how a checkpoint or a plugin rebuilds it).
  public init(key: UInt64) { self.key = key; self.philox = Philox(key: key) }

  /// An independent child stream named `label`.
  public func split(_ label: String) -> RandomStream {
    var h = key
    for byte in label.utf8 { h = mix64(h ^ UInt64(byte)) }
    return RandomStream(key: mix64(h ^ 0xA5A5_A5A5_5A5A_5A5A))
  }

  /// An independent child stream numbered `index` (for repeats and variants).
  public func split(_ index: Int) -> RandomStream {
    RandomStream(key: mix64(key ^ mix64(UInt64(bitPattern: Int64(index)) &+ 0x1234_5678)))
  }

  /// Fills `count` standard normal deviates for (`step`, `index`) — e.g. the noise ξ of particle
  /// `index` at step `step`: Box–Muller on the Philox blocks (index, b, step), b = 0, 1, … (see
  /// `mfld_normals`). A pure function of (seed, stream, step, index, count): it does not depend on
  /// which thread asks or in which order, nor on the machine (no libm).
  @inlinable
  public func normals(step: Int, index: Int, into out: UnsafeMutablePointer<Double>, count: Int) {
    normals(step: step, indices: index ..< index + 1, into: out, count: count)
  }

  /// `normals(step:index:into:count:)` for each index of `indices`, `count` apiece, one after another
  /// in `out` (the noise of a chunk of particles in one call, four blocks at a time on AVX2).
  @inlinable
  public func normals(step: Int, indices: Range<Int>, into out: UnsafeMutablePointer<Double>, count: Int) {
    let s = UInt64(bitPattern: Int64(step))
    mfld_normals(philox.key.0, philox.key.1, UInt32(truncatingIfNeeded: indices.lowerBound), indices.count, count,
                 UInt32(truncatingIfNeeded: s), UInt32(truncatingIfNeeded: s >> 32), out)
  }

  /// A uniform deviate in [0, 1) addressed by (`step`, `index`, `lane`).
  @inlinable
  public func uniform(step: Int, index: Int, lane: Int = 0) -> Double {
    let s = UInt64(bitPattern: Int64(step))
    let (a, _) = philox.block(UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: lane) | 0x8000_0000,
                              UInt32(truncatingIfNeeded: s), UInt32(truncatingIfNeeded: s >> 32))
    return Double(a >> 11) * 0x1p-53
  }

  /// A sequential generator on this stream, for one-off sampling (initial clouds, data sets).
  public func generator() -> RandomSequence { RandomSequence(philox: philox) }
}

/// Box–Muller: two independent N(0, 1) deviates from two 64-bit words, as `normals` draws them
/// (`mfld_box_muller`: no libm, the same bits on every machine).
@inlinable
public func boxMuller(_ a: UInt64, _ b: UInt64) -> (Double, Double) {
  var z = (0.0, 0.0)
  withUnsafeMutablePointer(to: &z) { $0.withMemoryRebound(to: Double.self, capacity: 2) { mfld_box_muller(a, b, $0) } }
  return z
}
