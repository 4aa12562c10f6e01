import LinearAlgebra
import SolverAPI

/// F(μ) = ½ ∫∫ W(x − y) dμ(x) dμ(y) with W even; δF/δμ(x) = ∫ W(x − y) dμ(y) (docs/math.md §1).
///
/// For the quadratic kernel W(z) = (b/2)|z|² on ℝ^d or the sphere the pairwise sums reduce to moments:
///     V_μ(x) = (b/2)(|x|² − 2⟨x, x̄⟩ + ∫|y|² dμ),   ∇V_μ(x) = b(x − x̄),   F = (b/2)(∫|y|² dμ − |x̄|²),
/// which costs O(m) per step instead of O(m²).
///
/// With `batches`, step evaluations are the random-batch estimates of `RandomBatches` (docs/math.md §6),
/// O(m p) for every kernel (the quadratic one included, for the exact variance law of the tests);
/// `firstVariation(of:at:)` and evaluations after `randomize(step: nil)` are exact.
public final class InteractionEnergy: StepRandomizedObjective {
  public let kernel: any ScalarField
  public let geometry: any Geometry
  public let batches: RandomBatches?
  /// b when the moment path applies.
  private let quadratic: Double?
  private var values: [Double] = []
  private var moments: [Double] = []

  public init(kernel: any ScalarField, geometry: any Geometry, batches: RandomBatches? = nil) {
    self.kernel = kernel
    self.geometry = geometry
    self.batches = batches
    self.quadratic = geometry is Torus ? nil : kernel.quadraticCoefficient
  }

  public var dimension: Int { geometry.dimension }
  public var isRandomized: Bool { batches != nil }
  public func randomize(step: Int?) { batches?.randomize(step: step) }

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values firstVariation: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    if let batches, batches.step != nil {
      let sum = batches.evaluate(kernel: kernel, geometry: geometry, cloud: cloud, values: firstVariation?.baseAddress,
                                 gradients: gradient?.baseAddress, parallel: parallel)
      return 0.5 * sum / Double(cloud.count)
    }
    if let b = quadratic {
      let (mean, secondMoment) = meanAndSecondMoment(cloud, parallel: parallel)
      let d = cloud.dimension
      if let g = gradient {
        cloud.coordinates.withUnsafeBufferPointer { x in
          for i in 0..<cloud.count { for k in 0..<d { g[i * d + k] = b * (x[i * d + k] - mean[k]) } }
        }
      }
      if let v = firstVariation { quadraticValues(cloud, mean: mean, secondMoment: secondMoment, b: b, into: v) }
      return 0.5 * b * (secondMoment - mean.reduce(0) { $0 + $1 * $1 })
    }
    if values.count != cloud.count { values = [Double](repeating: 0, count: cloud.count) }
    for i in values.indices { values[i] = 0 }
    if let g = gradient { g.initialize(repeating: 0) }
    values.withUnsafeMutableBufferPointer { v in
      PairwiseSum.accumulate(kernel: kernel, geometry: geometry, points: cloud, sources: cloud, weight: 1,
                             values: v.baseAddress!, gradients: gradient?.baseAddress, parallel: parallel)
    }
    return finish(firstVariation)
  }

  /// F = (1/2m) Σ_i V(X^i) from the values just formed, copied out when asked.
  private func finish(_ firstVariation: UnsafeMutableBufferPointer<Double>?) -> Double {
    values.withUnsafeBufferPointer { v in
      var s = 0.0
      for x in v { s += x }
      if let firstVariation { _ = firstVariation.initialize(from: v) }
      return 0.5 * s / Double(v.count)
    }
  }

  /// V_μ(y) = (b/2)(|y|² − 2⟨y, x̄⟩ + ∫|x|² dμ) at every point of `points`.
  private func quadraticValues(_ points: ParticleCloud, mean: [Double], secondMoment: Double, b: Double,
                               into values: UnsafeMutableBufferPointer<Double>) {
    let d = points.dimension
    for p in 0..<points.count {
      var y2 = 0.0, ym = 0.0
      for k in 0..<d {
        let y = points[p, k]
        y2 += y * y
        ym += y * mean[k]
      }
      values[p] = 0.5 * b * (y2 - 2 * ym + secondMoment)
    }
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    let d = points.dimension
    if let b = quadratic {
      let (mean, secondMoment) = meanAndSecondMoment(cloud, parallel: parallel)
      if let gradients { for p in 0..<points.count { for k in 0..<d { gradients[p * d + k] = b * (points[p, k] - mean[k]) } } }
      quadraticValues(points, mean: mean, secondMoment: secondMoment, b: b, into: values)
      return
    }
    values.initialize(repeating: 0)
    gradients?.initialize(repeating: 0)
    PairwiseSum.accumulate(kernel: kernel, geometry: geometry, points: points, sources: cloud, weight: 1,
                           values: values.baseAddress!, gradients: gradients?.baseAddress, parallel: parallel)
  }

  /// x̄ and ∫|y|² dμ, summed in fixed chunks (thread-count independent).
  private func meanAndSecondMoment(_ cloud: ParticleCloud, parallel: Parallel) -> ([Double], Double) {
    let d = cloud.dimension
    if moments.count != d + 1 { moments = [Double](repeating: 0, count: d + 1) }
    cloud.coordinates.withUnsafeBufferPointer { xp in
      moments.withUnsafeMutableBufferPointer { acc in
        parallel.sum(cloud.count, grain: 1024, width: d + 1, into: acc.baseAddress!) { range, out in
          for i in range {
            for k in 0..<d {
              let x = xp[i * d + k]
              out[k] += x
              out[d] += x * x
            }
          }
        }
      }
    }
    let m = Double(cloud.count)
    return (moments[0..<d].map { $0 / m }, moments[d] / m)
  }
}
