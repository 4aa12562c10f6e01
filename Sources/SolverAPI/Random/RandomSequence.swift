
/// A sequential generator (Swift's `RandomNumberGenerator`) over a Philox stream.
public struct RandomSequence: RandomNumberGenerator, Sendable {
  let philox: Philox
  /// Number of 128-bit blocks consumed so far: the whole state, with the stream's key.
  public private(set) var position: UInt64 = 0
  private var spare: UInt64? = nil
  private var spareNormal: Double? = nil

  init(philox: Philox) { self.philox = philox }

  public mutating func next() -> UInt64 {
    if let s = spare { spare = nil; return s }
    let (a, b) = nextBlock()
    spare = b
    return a
  }

  private mutating func nextBlock() -> (UInt64, UInt64) {
    let p = position
    position &+= 1
    return philox.block(UInt32(truncatingIfNeeded: p), UInt32(truncatingIfNeeded: p >> 32), 0x5EED_5EED, 0x0F0F_0F0F)
  }

  /// Uniform in [0, 1).
  public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Standard normal.
  public mutating func normal() -> Double {
    if let z = spareNormal { spareNormal = nil; return z }
    let (a, b) = nextBlock()
    let (z0, z1) = boxMuller(a, b)
    spareNormal = z1
    return z0
  }

  /// Uniform integer in 0..<n.
  public mutating func index(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }
}

extension RandomSequence {
  /// The whole state in five words — the stream's key, the position, the spare word, the spare normal's
  /// bits, and which spares are present — so that a sequence can cross the plugin boundary and come back
  /// exactly where it was.
  public var words: [UInt64] {
    [UInt64(philox.key.0) | UInt64(philox.key.1) << 32, position, spare ?? 0, spareNormal?.bitPattern ?? 0,
     (spare == nil ? 0 : 1) | (spareNormal == nil ? 0 : 2)]
  }

  /// The sequence whose state `words` gave.
  public init(words w: [UInt64]) {
    precondition(w.count == 5, "a random sequence's state is five words")
    self.init(philox: Philox(key: w[0]))
    position = w[1]
    spare = w[4] & 1 != 0 ? w[2] : nil
    spareNormal = w[4] & 2 != 0 ? Double(bitPattern: w[3]) : nil
  }
}
