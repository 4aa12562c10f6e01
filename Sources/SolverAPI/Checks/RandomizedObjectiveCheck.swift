import LinearAlgebra

/// The laws of an objective whose step evaluations are random estimates — random-batch interactions
/// (docs/math.md §6) — beside the exact laws `FirstVariationCheck` runs on it after `randomize(step: nil)`:
///
/// 1. One draw is an objective of its own: for step t's draw, ∂F_B(μ_m)/∂X^i · v = (1/m) ⟨∇V_B(X^i), v⟩
///    (central differences as in `FirstVariationCheck`; the draw is fixed within a step).
/// 2. Unbiased: over `draws` steps, the mean of ∇V_B(X^i) is the exact ∇V(X^i). The error is the largest
///    |mean − exact| over the coordinates in standard errors of the mean, s/√K with s the draws' own standard
///    deviation; 5 of them fail (a false alarm has probability below 10⁻⁵ per coordinate for a sum of
///    K = 2000 bounded draws). When every draw is the same (a batch holding every particle) the mean must
///    equal the exact gradient to rounding.
public struct RandomizedObjectiveCheck {
  public var draws = 2000
  public var step = 1e-5
  public var tolerance = 1e-5
  public var standardErrors = 5.0
  public var probes = 6

  public init() {}

  public func laws(_ objective: any StepRandomizedObjective, on cloud: ParticleCloud, geometry: any Geometry,
                   random: RandomStream) throws -> [LawResult] {
    defer { objective.randomize(step: 0) }
    let m = cloud.count, d = cloud.dimension
    var rng = random.generator()
    objective.randomize(step: nil)
    let (_, exact) = try objective.valueAndGradient(cloud)
    let scale = max(exact.coordinates.map(abs).max() ?? 0, 1e-3)

    // Law 1, on the draws of the first `probes` steps.
    var worst1 = 0.0
    for t in 0..<probes {
      objective.randomize(step: t)
      let (_, gradient) = try objective.valueAndGradient(cloud)
      let i = t % m
      var v = (0..<d).map { _ in rng.normal() }
      v.withUnsafeMutableBufferPointer { vp in
        cloud.particle(i).withUnsafeBufferPointer { geometry.projectToTangent(vp.baseAddress!, at: $0.baseAddress!) }
      }
      let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-300)
      var plus = cloud, minus = cloud
      for k in 0..<d { plus[i, k] += step * v[k] / norm; minus[i, k] -= step * v[k] / norm }
      let fd = (try objective.value(plus) - objective.value(minus)) / (2 * step)
      let an = (0..<d).reduce(0) { $0 + gradient[i, $1] * v[$1] / norm } / Double(m)
      let e = abs(fd - an) / max(abs(fd), abs(an), 1e-3 * scale / Double(m))
      worst1 = max(worst1, e.isNaN ? .infinity : e)
    }

    // Law 2: the mean over draws is the exact gradient.
    var sum = [Double](repeating: 0, count: m * d), sumSquares = sum
    for t in 0..<draws {
      objective.randomize(step: t)
      let (_, g) = try objective.valueAndGradient(cloud)
      for k in 0..<(m * d) { sum[k] += g.coordinates[k]; sumSquares[k] += g.coordinates[k] * g.coordinates[k] }
    }
    var worst2 = 0.0
    let k = Double(draws)
    for c in 0..<(m * d) {
      let mean = sum[c] / k
      let sd = max(0, (sumSquares[c] - k * mean * mean) / (k - 1)).squareRoot()
      let e = abs(mean - exact.coordinates[c]) / max(sd / k.squareRoot(), 1e-9 * scale)
      worst2 = max(worst2, e.isNaN ? .infinity : e)
    }
    return [
      LawResult(law: "one draw: ∂F_B/∂X^i·v = (1/m)∇V_B(X^i)·v", error: worst1, tolerance: tolerance),
      LawResult(law: "unbiased: mean of ∇V_B over \(draws) draws = ∇V (error in standard errors)", error: worst2, tolerance: standardErrors),
    ]
  }
}
