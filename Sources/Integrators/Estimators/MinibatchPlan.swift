import SolverAPI

/// Minibatches drawn without replacement within each epoch: epoch e is a permutation of the n samples
/// (a pure function of the stream and e), cut into consecutive batches of size b; step t uses batch
/// t mod ⌈n/b⌉ of epoch ⌊t/⌈n/b⌉⌋. So a run resumed at any step draws the same batches.
public struct MinibatchPlan: Sendable {
  public let sampleCount: Int
  public let batchSize: Int
  public let random: RandomStream

  public init(sampleCount: Int, batchSize: Int, random: RandomStream) {
    self.sampleCount = sampleCount
    self.batchSize = batchSize
    self.random = random
  }

  public var batchesPerEpoch: Int { (sampleCount + batchSize - 1) / batchSize }

  /// The permutation of epoch e (`RandomStream.permutation`: Fisher–Yates on counter-based uniforms).
  public func permutation(epoch e: Int) -> [Int] { random.permutation(step: e, count: sampleCount) }

  /// The samples of step t.
  public func batch(at t: Int, cache: inout (epoch: Int, permutation: [Int])?) -> [Int] {
    let e = t / batchesPerEpoch, j = t % batchesPerEpoch
    if cache?.epoch != e { cache = (e, permutation(epoch: e)) }
    let p = cache!.permutation
    return Array(p[(j * batchSize)..<min(sampleCount, (j + 1) * batchSize)])
  }
}
