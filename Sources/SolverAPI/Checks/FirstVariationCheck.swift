import Foundation
import LinearAlgebra

/// Finite-difference checks that an objective's first variation is consistent with its value —
/// the law every `Objective` must satisfy, applied to built-in and plugin objectives alike (docs/math.md §0):
///
/// 1. Particle derivative: F as a function of the positions has ∂F(μ_m)/∂X^i · v = (1/m) ⟨∇V(X^i), v⟩.
/// 2. Gradient of V: ⟨∇V(y), v⟩ = d/dh V(y + h v) at arbitrary points y.
/// 3. Value of V: d/dε F((1−ε)μ + ε δ_y) = V(y) − ∫ V dμ, with the mixture realised exactly by
///    replicating the cloud K times and adding y once (ε = 1/(mK + 1)), extrapolated to ε = 0 through
///    three values of K (exact for objectives quadratic in μ, O(ε³) otherwise). The probes y are particles
///    of the cloud: more mass on a point μ already charges stays in the first-order range for feasible ε,
///    where a new point need not (the bilevel J_λ's curvature in ε at a new point grows like |Φ|²/(nλ));
///    V away from the cloud is tied to V on it by law 2.
/// 4. One computation: the values and gradients `evaluate` gives at the particles (for birth–death
///    metrics, docs/math.md §5) are the first variation's, V(X^i) and ∇V(X^i) of `firstVariation(of:at:)`.
///
/// Directions v are tangent to the geometry at the point (ambient for ℝ^d and the torus).
/// Central differences with step h have error O(h²) + O(ε_mach/h); the default h = 1e-5 and relative
/// tolerance 1e-5 leave two orders of margin for smooth objectives of unit scale.
public struct FirstVariationCheck {
  public struct Failure: CustomStringConvertible, Sendable {
    public var law: String
    public var expected: Double
    public var found: Double
    public var description: String { "\(law): finite difference \(expected), analytic \(found)" }
  }

  public var step: Double = 1e-5
  public var tolerance: Double = 1e-5
  /// Law 3 compares an extrapolated difference quotient: its tolerance is this factor times `tolerance`.
  public var mixtureFactor: Double = 1e3
  /// Law 4 compares two analytic computations: near rounding.
  public var identityTolerance: Double = 1e-9
  /// Also check the value of V (law 3). It costs O(K m) particles per evaluation.
  public var checksValue: Bool = true
  public var probes: Int = 6

  public init() {}

  /// Runs the laws on `cloud` (use a small cloud: m ≤ 8 keeps law 3 cheap). Returns the failing probes.
  public func check(_ objective: any Objective, on cloud: ParticleCloud, geometry: any Geometry,
                    random: RandomStream) throws -> [Failure] {
    try measure(objective, on: cloud, geometry: geometry, random: random).failures
  }

  /// Runs the laws on `cloud`: one result per law with its largest error over the probes.
  public func laws(_ objective: any Objective, on cloud: ParticleCloud, geometry: any Geometry,
                   random: RandomStream) throws -> [LawResult] {
    try measure(objective, on: cloud, geometry: geometry, random: random).laws
  }

  private func measure(_ objective: any Objective, on cloud: ParticleCloud, geometry: any Geometry,
                       random: RandomStream) throws -> (laws: [LawResult], failures: [Failure]) {
    var failures: [Failure] = []
    var worst: [String: Double] = [:], order: [(name: String, tolerance: Double)] = []
    func record(_ law: String, tolerance: Double, error: Double, failure: @autoclosure () -> Failure) {
      if worst[law] == nil { order.append((law, tolerance)) }
      let e = error.isNaN ? Double.infinity : error
      worst[law] = max(worst[law] ?? 0, e)
      if !(e <= tolerance) { failures.append(failure()) }
    }
    var rng = random.generator()
    let m = cloud.count, d = cloud.dimension
    func relativeError(_ a: Double, _ b: Double, scale: Double) -> Double {
      abs(a - b) / max(abs(a), abs(b), scale, 1e-12)
    }
    func tangent(at x: [Double]) -> [Double] {
      var v = (0..<d).map { _ in rng.normal() }
      v.withUnsafeMutableBufferPointer { vp in
        x.withUnsafeBufferPointer { geometry.projectToTangent(vp.baseAddress!, at: $0.baseAddress!) }
      }
      let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return v.map { $0 / max(n, 1e-300) }
    }

    // Law 1: particle derivatives.
    let law1 = "∂F/∂X^i·v = (1/m)∇V(X^i)·v"
    let (_, gradient) = try objective.valueAndGradient(cloud)
    let gradientScale = gradient.coordinates.map(abs).max() ?? 0
    for probe in 0..<probes {
      let i = probe % m
      let v = tangent(at: cloud.particle(i))
      var plus = cloud, minus = cloud
      for k in 0..<d { plus[i, k] += step * v[k]; minus[i, k] -= step * v[k] }
      let fd = (try objective.value(plus) - objective.value(minus)) / (2 * step)
      let an = (0..<d).reduce(0) { $0 + gradient[i, $1] * v[$1] } / Double(m)
      record(law1, tolerance: tolerance, error: relativeError(fd, an, scale: 1e-3 * gradientScale / Double(m)),
             failure: Failure(law: "∂F/∂X^\(i)·v = (1/m)∇V(X^\(i))·v", expected: fd, found: an))
    }

    // Law 4: evaluate's values and gradients are firstVariation's at the particles.
    let law4 = "evaluate's V(X^i), ∇V(X^i) = firstVariation's"
    var values = [Double](repeating: .nan, count: m)
    var together = ParticleField(count: m, dimension: d)
    let value = try values.withUnsafeMutableBufferPointer { v in
      try together.coordinates.withUnsafeMutableBufferPointer { g in try objective.evaluate(cloud, gradient: g, values: v, parallel: .serial) }
    }
    let (valuesAtParticles, gradientsAtParticles) = try objective.firstVariation(of: cloud, at: cloud)
    let valueScale = max(valuesAtParticles.map(abs).max() ?? 0, 1e-3)
    for i in 0..<m {
      record(law4, tolerance: identityTolerance, error: relativeError(values[i], valuesAtParticles[i], scale: valueScale),
             failure: Failure(law: "evaluate's V(X^\(i)) = firstVariation's", expected: valuesAtParticles[i], found: values[i]))
    }
    for k in 0..<(m * d) {
      record(law4, tolerance: identityTolerance,
             error: relativeError(together.coordinates[k], gradientsAtParticles.coordinates[k], scale: max(gradientScale, 1e-3)),
             failure: Failure(law: "evaluate's ∇V(X^\(k / d)) with values = firstVariation's", expected: gradientsAtParticles.coordinates[k],
                              found: together.coordinates[k]))
    }
    let plain = try objective.value(cloud)
    record(law4, tolerance: identityTolerance, error: relativeError(value, plain, scale: 1e-12),
           failure: Failure(law: "F(μ_m) with values asked = F(μ_m)", expected: plain, found: value))

    // Law 2: ∇V at points off the cloud.
    let law2 = "∇V(y)·v = d/dh V(y + hv)"
    var points = ParticleCloud(count: probes, dimension: d)
    for p in 0..<probes {
      var x = cloud.particle(p % m)
      for k in 0..<d { x[k] += 0.3 * rng.normal() }
      x.withUnsafeMutableBufferPointer { _ = geometry.canonicalize($0.baseAddress!) }
      for k in 0..<d { points[p, k] = x[k] }
    }
    let (_, gradients) = try objective.firstVariation(of: cloud, at: points)
    for p in 0..<probes {
      let y = points.particle(p)
      let v = tangent(at: y)
      var shifted = ParticleCloud(count: 2, dimension: d)
      for k in 0..<d { shifted[0, k] = y[k] + step * v[k]; shifted[1, k] = y[k] - step * v[k] }
      let (vals, _) = try objective.firstVariation(of: cloud, at: shifted)
      let fd = (vals[0] - vals[1]) / (2 * step)
      let an = (0..<d).reduce(0) { $0 + gradients[p, $1] * v[$1] }
      record(law2, tolerance: tolerance, error: relativeError(fd, an, scale: 1e-3 * gradientScale),
             failure: Failure(law: "∇V(y)·v = d/dh V(y + hv) at point \(p)", expected: fd, found: an))
    }

    // Law 3: the value of V, by an exact mixture.
    if checksValue {
      let law3 = "d/dε F((1−ε)μ + εδ_y) = V(y) − ∫V dμ"
      let meanV = valuesAtParticles.reduce(0, +) / Double(m)
      for p in 0..<min(2, probes) {
        func slope(replicas k: Int) throws -> (Double, Double) {
          var big = ParticleCloud(count: m * k, dimension: d)
          for r in 0..<k { for i in 0..<m { for c in 0..<d { big[r * m + i, c] = cloud[i, c] } } }
          let f0 = try objective.value(big)
          var withY = ParticleCloud(count: m * k + 1, dimension: d)
          withY.coordinates.replaceSubrange(0 ..< m * k * d, with: big.coordinates)
          for c in 0..<d { withY[m * k, c] = cloud[p % m, c] }
          let eps = 1 / Double(m * k + 1)
          return ((try objective.value(withY) - f0) / eps, eps)
        }
        // Lagrange extrapolation of slope(ε) to ε = 0 through three points: exact up to O(ε³).
        func extrapolate(_ replicas: [Int]) throws -> Double {
          let samples = try replicas.map { try slope(replicas: $0) }
          var sum = 0.0
          for (j, (s, e)) in samples.enumerated() {
            var weight = 1.0
            for (k, (_, f)) in samples.enumerated() where k != j { weight *= f / (f - e) }
            sum += weight * s
          }
          return sum
        }
        let an = valuesAtParticles[p % m] - meanV
        let extrapolated = try extrapolate([20, 40, 80])
        record(law3, tolerance: mixtureFactor * tolerance, error: relativeError(extrapolated, an, scale: valueScale),
               failure: Failure(law: "d/dε F((1−ε)μ + εδ_y) = V(y) − ∫V dμ at particle \(p % m)", expected: extrapolated, found: an))
      }
    }
    let laws = order.map { LawResult(law: $0.name, error: worst[$0.name]!, tolerance: $0.tolerance) }
    return (laws, failures)
  }
}
