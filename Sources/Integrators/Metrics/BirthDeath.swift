import Foundation
import SolverAPI

/// The particle birth–death step of the Fisher–Rao flow ∂_t μ = −α (V_μ − ∫V_μ dμ) μ (docs/math.md §5;
/// Rotskoff, Jelassi, Bruna, Vanden-Eijnden 2019; Lu, Lu, Nolen 2019, Algorithm 1), with m held fixed
/// and equal weights 1/m:
///
///     β_i = α (V_i − (1/m) Σ_j V_j)
///     with probability 1 − exp(−|β_i| η):
///         β_i > 0: particle i dies, replaced by a copy of a particle j ≠ i drawn uniformly;
///         β_i < 0: particle i is duplicated, its copy replacing a particle j ≠ i drawn uniformly.
///
/// To first order in η the expected empirical measure follows the reaction equation: the deaths remove
/// αη(V − ⟨V⟩)⁺ μ and their replacements add back its mass spread as μ; the births add αη(V − ⟨V⟩)⁻ μ and
/// remove as much uniformly; the balance is −αη(V − ⟨V⟩) μ. The reaction is driven by the first variation
/// V_μ of F alone — not by V + τ log(μ/ρ), which a particle system can only estimate — so with transport
/// and noise it sharpens the Gibbs law rather than keeping it (docs/math.md §5.3 gives the law it keeps).
///
/// Every decision and partner is a pure function of (stream, step, particle): lane 0 of
/// `random.uniform(step: t, index: i)` decides the event, lane 1 draws the partner. The events are applied
/// in index order, reading the positions from before the step, so the result does not depend on threads.
struct BirthDeath {
  /// α, the reaction rate.
  let rate: Double
  /// The positions before the step (kept between steps: no allocation once warm).
  private var previous: [Double] = []

  init(rate: Double) { self.rate = rate }

  /// One birth–death step of length η on `cloud`, with `values[i]` = V_{μ_m}(X^i) of the cloud the values
  /// were computed for (a transport step may have moved the particles since: copies take the current
  /// positions, the rates the values given).
  mutating func apply(_ cloud: inout ParticleCloud, values: UnsafeBufferPointer<Double>, stepSize eta: Double,
                      random: RandomStream, step: Int) {
    let m = cloud.count, d = cloud.dimension
    guard m > 1 else { return }
    var mean = 0.0
    for i in 0..<m { mean += values[i] }
    mean /= Double(m)
    if previous.count != m * d { previous = [Double](repeating: 0, count: m * d) }
    cloud.coordinates.withUnsafeBufferPointer { x in previous.withUnsafeMutableBufferPointer { p in _ = p.update(fromContentsOf: x) } }
    cloud.coordinates.withUnsafeMutableBufferPointer { x in
      previous.withUnsafeBufferPointer { old in
        for i in 0..<m {
          let beta = rate * (values[i] - mean)
          guard beta.isFinite, beta != 0 else { continue }
          let probability = -expm1(-abs(beta) * eta)
          guard random.uniform(step: step, index: i, lane: 0) < probability else { continue }
          var j = Int(random.uniform(step: step, index: i, lane: 1) * Double(m - 1))
          j = min(j, m - 2)
          if j >= i { j += 1 }
          let (from, to) = beta > 0 ? (j, i) : (i, j)
          for k in 0..<d { x[to * d + k] = old[from * d + k] }
        }
      }
    }
  }
}
