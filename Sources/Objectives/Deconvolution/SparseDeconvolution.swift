import Foundation
import LinearAlgebra
import SolverAPI

/// Sparse deconvolution on the torus T^p (docs/math.md §2): recover a few spikes ν* = Σ_s a_s δ_{θ_s} from
/// their blurred samples on a grid,
///
///     y_k = Σ_s a_s ψ(x_k − θ_s) + noise · ξ_k,      ξ_k ~ N(0, 1) i.i.d.,
///
/// by minimizing over signed measures ν on W = T^p
///
///     G_λ(ν) = (1/2n) Σ_k (f_ν(x_k) − y_k)² + (λ/2) ‖ν‖²_TV,      f_ν(x_k) = ∫ ψ(x_k − w) dν(w),
///
/// with Φ = `TranslationFeatures` and the square loss.
///
/// Reported: the matched spikes (`matchedSpikes`) and, as observables, `spike_error` (the largest distance
/// between a recovered and a true position) and `mass_error` (the largest error of a recovered mass).
public final class SparseDeconvolution: SignedObjective {
  public let kernel: PeriodicKernel
  public let spikes: [[Double]]
  public let masses: [Double]
  public let noise: Double
  public let lambda: Double
  public let labels: [Double]
  public let translationFeatures: TranslationFeatures
  public let torus: Torus

  /// - Parameters:
  ///   - spikes: the true positions θ_s, p coordinates each, in [0, 1).
  ///   - masses: the true masses a_s (nonzero), one per spike.
  ///   - gridSize: g, sample points per axis (n = g^p).
  ///   - noise: the label-noise level; ξ is drawn from `random` (sample k takes the k-th normal of
  ///     `random.generator()`). No draws are made when it is 0.
  public init(kernel: PeriodicKernel, gridSize: Int, spikes: [[Double]], masses: [Double], noise: Double = 0,
              lambda: Double, random: RandomStream) {
    let p = kernel.dimension
    precondition(spikes.count == masses.count, "one mass per spike")
    precondition(spikes.allSatisfy { $0.count == p }, "every spike needs \(p) coordinates")
    precondition(masses.allSatisfy { $0 != 0 && $0.isFinite }, "masses must be finite and nonzero")
    precondition(lambda > 0 && noise >= 0, "λ must be > 0 and the noise ≥ 0")
    self.kernel = kernel
    self.spikes = spikes
    self.masses = masses
    self.noise = noise
    self.lambda = lambda
    self.torus = Torus(dimension: p)
    let features = TranslationFeatures(kernel: kernel, gridSize: gridSize)
    self.translationFeatures = features
    var y = SparseDeconvolution.cleanLabels(features: features, spikes: spikes, masses: masses)
    if noise > 0 {
      var rng = random.generator()
      for k in y.indices { y[k] += noise * rng.normal() }
    }
    self.labels = y
  }

  /// Σ_s a_s ψ(x_k − θ_s) for every sample k, summed over s in order, with x_k − θ_s the periodic difference.
  public static func cleanLabels(features: TranslationFeatures, spikes: [[Double]], masses: [Double]) -> [Double] {
    let p = features.dimension
    var y = [Double](repeating: 0, count: features.sampleCount)
    var t = [Double](repeating: 0, count: p)
    for k in y.indices {
      let x = features.samplePoint(k)
      var s = 0.0
      for (theta, a) in zip(spikes, masses) {
        for c in 0..<p { t[c] = Torus.difference(x[c], theta[c]) }
        s += a * features.kernel.value(at: t)
      }
      y[k] = s
    }
    return y
  }

  public var domain: any Geometry { torus }
  public var features: any FeatureMap { translationFeatures }
  public var loss: any Loss { SquareLoss() }

  // MARK: - Matched spikes

  /// What the particles recovered of one true spike.
  public struct MatchedSpike: Sendable, Equatable, CustomStringConvertible {
    /// The true position θ_s and mass a_s.
    public var truePosition: [Double]
    public var trueMass: Double
    /// The |r_i|-weighted periodic mean of the matched particles (nil when none matched).
    public var position: [Double]?
    /// (1/m) Σ r_i over the matched particles (0 when none matched).
    public var mass: Double
    /// How many particles matched.
    public var count: Int
    /// The periodic distance from `position` to θ_s; 1 when no particle matched (more than any periodic
    /// distance on T^1, T^2, T^3).
    public var distance: Double

    public var description: String {
      let pos = position.map { "(" + $0.map { String(format: "%.6f", $0) }.joined(separator: ", ") + ")" } ?? "none"
      let truth = "(" + truePosition.map { String(format: "%.6f", $0) }.joined(separator: ", ") + ")"
      return "spike at \(truth), mass \(trueMass): recovered \(pos), mass \(String(format: "%.6f", mass)), "
        + "\(count) particles, distance \(String(format: "%.3g", distance))"
    }
  }

  /// Matches the signed measure ν = (1/m) Σ_i r_i δ_{w_i} to the true spikes.
  ///
  /// Each particle is assigned to its nearest true spike (periodic distance; ties go to the first spike).
  /// For spike s, the matched particles are those assigned to it whose weight has the sign of a_s (r_i = 0
  /// never matches). Its recovered mass is (1/m) Σ r_i over them, and its recovered position the |r_i|-weighted
  /// periodic mean, computed by unwrapping around θ_s: θ_s + Σ |r_i| (w_i − θ_s) / Σ |r_i| with the periodic
  /// differences w_i − θ_s ∈ [−½, ½)^p, wrapped back into [0, 1)^p.
  public func matchedSpikes(weights r: [Double], positions w: ParticleCloud) -> [MatchedSpike] {
    precondition(r.count == w.count, "one weight per particle")
    precondition(w.dimension == torus.dimension, "particles on T^\(w.dimension), spikes on T^\(torus.dimension)")
    let p = torus.dimension, m = w.count, count = spikes.count
    var massSum = [Double](repeating: 0, count: count)
    var weightSum = [Double](repeating: 0, count: count)
    var offset = [Double](repeating: 0, count: count * p)
    var matched = [Int](repeating: 0, count: count)
    for i in 0..<m {
      var nearest = 0, best = Double.infinity
      for s in 0..<count {
        var d2 = 0.0
        for c in 0..<p { let t = Torus.difference(w[i, c], spikes[s][c]); d2 += t * t }
        if d2 < best { best = d2; nearest = s }
      }
      let s = nearest
      guard r[i] != 0, (r[i] > 0) == (masses[s] > 0) else { continue }
      matched[s] += 1
      massSum[s] += r[i]
      weightSum[s] += abs(r[i])
      for c in 0..<p { offset[s * p + c] += abs(r[i]) * Torus.difference(w[i, c], spikes[s][c]) }
    }
    return (0..<count).map { s in
      var spike = MatchedSpike(truePosition: spikes[s], trueMass: masses[s], position: nil,
                               mass: m > 0 ? massSum[s] / Double(m) : 0, count: matched[s], distance: 1)
      if matched[s] > 0 && weightSum[s] > 0 {
        var x = [Double](repeating: 0, count: p)
        var d2 = 0.0
        for c in 0..<p {
          x[c] = Torus.wrap(spikes[s][c] + offset[s * p + c] / weightSum[s])
          let t = Torus.difference(x[c], spikes[s][c])
          d2 += t * t
        }
        spike.position = x
        spike.distance = d2.squareRoot()
      }
      return spike
    }
  }

  public var observableNames: [String] { ["spike_error", "mass_error"] }

  /// spike_error = max_s distance(recovered θ_s, θ_s) (1 for a spike no particle matched);
  /// mass_error = max_s |recovered a_s − a_s|.
  public func observe(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) throws -> [Double] {
    guard r.count == w.count, w.dimension == torus.dimension else {
      throw RunError(.numerical, "sparse-deconvolution: \(r.count) weights for \(w.count) particles on T^\(w.dimension) (expected T^\(torus.dimension))")
    }
    let spikes = matchedSpikes(weights: r, positions: w)
    let spikeError = spikes.map(\.distance).max() ?? 0
    let massError = spikes.map { abs($0.mass - $0.trueMass) }.max() ?? 0
    return [spikeError, massError]
  }
}
