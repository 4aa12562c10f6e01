import Foundation
import LinearAlgebra
import Objectives
import SolverAPI
import Testing

/// Random-batch interactions (docs/math.md §6) as an option of the interaction objective.
struct RandomBatchTests {
  let domain = Euclidean(dimension: 2)
  let kernel = GaussianKernel(dimension: 2, strength: 1.5, bandwidth: 0.8)

  func cloud(_ m: Int, seed: UInt64 = 1) -> ParticleCloud {
    var c = ParticleCloud(count: m, dimension: 2)
    var rng = RandomStream(seed: seed).generator()
    for k in 0..<c.coordinates.count { c.coordinates[k] = rng.normal() }
    return c
  }

  func batched(_ p: Int) -> InteractionEnergy {
    InteractionEnergy(kernel: kernel, geometry: domain, batches: RandomBatches(size: p, random: RandomStream(seed: 2)))
  }

  @Test("after randomize(step: nil) the objective is the exact one, bit for bit")
  func exactMode() throws {
    let x = cloud(50), objective = batched(4)
    objective.randomize(step: nil)
    let (f, g) = try objective.valueAndGradient(x)
    let (f0, g0) = try InteractionEnergy(kernel: kernel, geometry: domain).valueAndGradient(x)
    #expect(f == f0 && g.coordinates == g0.coordinates)
  }

  @Test("a batch holding every particle (p ≥ m) is the exact sum, to rounding")
  func oneBatchIsExact() throws {
    let x = cloud(9), objective = batched(16)
    objective.randomize(step: 3)
    let (f, g) = try objective.valueAndGradient(x)
    let (f0, g0) = try InteractionEnergy(kernel: kernel, geometry: domain).valueAndGradient(x)
    #expect(abs(f - f0) < 1e-14)
    #expect(zip(g.coordinates, g0.coordinates).allSatisfy { abs($0 - $1) < 1e-14 })
  }

  @Test("the check's laws pass: one draw is consistent, and the draws are unbiased (batches of 2 and 3 among 7)",
        arguments: [2, 3])
  func lawsPass(p: Int) throws {
    let laws = try RandomizedObjectiveCheck().laws(batched(p), on: cloud(7), geometry: domain, random: RandomStream(seed: 4))
    #expect(laws.count == 2 && laws.allSatisfy(\.passed), "\(laws)")
  }

  /// An estimate scaled by 1.2: consistent as an objective of its own, but biased.
  final class Biased: StepRandomizedObjective {
    let inner: InteractionEnergy
    init(_ inner: InteractionEnergy) { self.inner = inner }
    var dimension: Int { inner.dimension }
    var isRandomized: Bool { true }
    var exact = false
    func randomize(step: Int?) { exact = step == nil; inner.randomize(step: step) }
    func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                  parallel: Parallel) throws -> Double {
      let f = try inner.evaluate(cloud, gradient: gradient, values: values, parallel: parallel)
      if exact { return f }
      if let gradient { for k in gradient.indices { gradient[k] *= 1.2 } }
      return 1.2 * f
    }
    func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                        gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
      try inner.firstVariation(of: cloud, at: points, values: values, gradients: gradients, parallel: parallel)
    }
  }

  @Test("a biased estimate fails the unbiasedness law, though each draw is consistent")
  func biasedFails() throws {
    let laws = try RandomizedObjectiveCheck().laws(Biased(batched(2)), on: cloud(7), geometry: domain, random: RandomStream(seed: 4))
    #expect(laws[0].passed, "\(laws[0])")
    #expect(!laws[1].passed, "\(laws[1])")
  }

  @Test("one step's draw is kept for all of its evaluations and changes with the step")
  func drawPerStep() throws {
    let x = cloud(64), objective = batched(4)
    objective.randomize(step: 5)
    let a = try objective.value(x), b = try objective.value(x)
    objective.randomize(step: 6)
    let c = try objective.value(x)
    #expect(a == b && a != c)
  }

  /// From half a million particles the partition is drawn a sixteenth at a time (half a byte and a quarter a
  /// particle instead of four); the chunks of batches are summed in the same order whatever the grouping.
  @Test("drawn in groups, the partition gives the same F, values and gradients, bit for bit, on 1 and 2 threads")
  func groupsChangeNothing() throws {
    let m = 100_000, x = cloud(m)
    func evaluate(groups: Int, threads: Int) throws -> (Double, [Double], [Double]) {
      let objective = InteractionEnergy(kernel: kernel, geometry: domain,
                                        batches: RandomBatches(size: 3, random: RandomStream(seed: 2), groups: groups))
      objective.randomize(step: 11)
      var g = [Double](repeating: .nan, count: 2 * m), v = [Double](repeating: .nan, count: m)
      let f = try g.withUnsafeMutableBufferPointer { gp in
        try v.withUnsafeMutableBufferPointer { try objective.evaluate(x, gradient: gp, values: $0, parallel: Parallel(threads: threads)) }
      }
      return (f, g, v)
    }
    let whole = try evaluate(groups: 1, threads: 1)
    #expect(whole.1.allSatisfy(\.isFinite) && whole.2.allSatisfy(\.isFinite))
    for (groups, threads) in [(4, 1), (16, 2), (1, 2)] {
      let pieces = try evaluate(groups: groups, threads: threads)
      #expect(pieces.0 == whole.0 && pieces.1 == whole.1 && pieces.2 == whole.2, "\(groups) groups, \(threads) thread(s)")
    }
  }
}
