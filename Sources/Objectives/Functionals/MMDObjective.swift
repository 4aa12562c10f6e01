import LinearAlgebra
import SolverAPI

/// Squared maximum mean discrepancy to a target π with kernel k (docs/math.md §1):
///     F(μ) = ½ ∫∫ k dμ dμ − ∫∫ k dμ dπ + ½ ∫∫ k dπ dπ = ½ MMD²(μ, π),
///     δF/δμ(x) = ∫ k(x, y) dμ(y) − ∫ k(x, y) dπ(y).
/// k(x, y) = K(x − y) for a translation-invariant kernel K. The constant ½∫∫k dπ dπ is computed once.
/// Records `mmd` = sqrt(2F).
///
/// With `batches`, the particles' own term ½∫∫k dμ dμ is the random-batch estimate of `RandomBatches`
/// (docs/math.md §6) during steps; the term against the target stays exact, O(m n).
public final class MMDObjective: StepRandomizedObjective {
  public let kernel: any ScalarField
  public let target: ParticleCloud
  public let geometry: any Geometry
  public let batches: RandomBatches?
  private let targetEnergy: Double
  private var values: [Double] = []

  public init(kernel: any ScalarField, target: ParticleCloud, geometry: any Geometry, batches: RandomBatches? = nil,
              parallel: Parallel = .automatic) {
    self.kernel = kernel
    self.batches = batches
    self.target = target
    self.geometry = geometry
    var v = [Double](repeating: 0, count: target.count)
    v.withUnsafeMutableBufferPointer { vp in
      PairwiseSum.accumulate(kernel: kernel, geometry: geometry, points: target, sources: target, weight: 1,
                             values: vp.baseAddress!, gradients: nil, parallel: parallel)
    }
    targetEnergy = 0.5 * v.reduce(0, +) / Double(target.count)
  }

  public var dimension: Int { geometry.dimension }
  public var observableNames: [String] { ["mmd"] }
  public var isRandomized: Bool { batches != nil }
  public func randomize(step: Int?) { batches?.randomize(step: step) }

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values firstVariation: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    if values.count != 2 * cloud.count { values = [Double](repeating: 0, count: 2 * cloud.count) }
    let m = cloud.count
    let batched = batches.map { $0.step != nil } ?? false
    var own = 0.0
    values.withUnsafeMutableBufferPointer { v in
      v.initialize(repeating: 0)
      let selfSum = v.baseAddress!, crossSum = selfSum + m
      if let batches, batched {
        // Overwrites the gradient: the target's term adds to it below.
        own = batches.evaluate(kernel: kernel, geometry: geometry, cloud: cloud, values: firstVariation == nil ? nil : selfSum,
                               gradients: gradient?.baseAddress, parallel: parallel)
      } else {
        gradient?.initialize(repeating: 0)
        PairwiseSum.accumulate(kernel: kernel, geometry: geometry, points: cloud, sources: cloud, weight: 1,
                               values: selfSum, gradients: gradient?.baseAddress, parallel: parallel)
      }
      PairwiseSum.accumulate(kernel: kernel, geometry: geometry, points: cloud, sources: target, weight: -1,
                             values: crossSum, gradients: gradient?.baseAddress, parallel: parallel)
    }
    var f = 0.0
    if batched {
      f = 0.5 * own
      for i in 0..<m { f += values[m + i] }
    } else {
      for i in 0..<m { f += 0.5 * values[i] + values[m + i] }
    }
    // V_μ(X^i) = (1/m) Σ_j k(X^i, X^j) − (1/n) Σ_l k(X^i, Y^l): the two sums just formed.
    if let firstVariation { for i in 0..<m { firstVariation[i] = values[i] + values[m + i] } }
    return f / Double(m) + targetEnergy
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    values.initialize(repeating: 0)
    gradients?.initialize(repeating: 0)
    PairwiseSum.accumulate(kernel: kernel, geometry: geometry, points: points, sources: cloud, weight: 1,
                           values: values.baseAddress!, gradients: gradients?.baseAddress, parallel: parallel)
    PairwiseSum.accumulate(kernel: kernel, geometry: geometry, points: points, sources: target, weight: -1,
                           values: values.baseAddress!, gradients: gradients?.baseAddress, parallel: parallel)
  }

  public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    [(2 * max(0, try evaluate(cloud, gradient: nil, parallel: parallel))).squareRoot()]
  }
}
