import Foundation

/// Finite-difference checks that an objective's first variation is consistent with its value —
/// the law every `Objective` must satisfy, applied to built-in and plugin objectives alike.
///
/// 1. Particle derivative: F as a function of the positions has ∂F(μ_m)/∂X^i · v = (1/m) ⟨∇V(X^i), v⟩.
/// 2. Gradient of V: ⟨∇V(y), v⟩ = d/dh V(y + h v) at arbitrary points y.
/// 3. Value of V: d/dε F((1−ε)μ + ε δ_y) = V(y) − ∫ V dμ, with the mixture realised exactly by
///    replicating the cloud K times and adding y once (ε = 1/(mK + 1)), extrapolated to ε = 0 through
///    three values of K (exact for objectives quadratic in μ, O(ε³) otherwise).
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
  /// Also check the value of V (law 3). It costs O(K m) particles per evaluation.
  public var checksValue: Bool = true
  public var probes: Int = 6

  public init() {}

  /// Runs the three laws on `cloud` (use a small cloud: m ≤ 8 keeps law 3 cheap). Returns the failures.
  public func check(_ objective: any Objective, on cloud: ParticleCloud, geometry: any Geometry,
                    random: RandomStream) throws -> [Failure] {
    var failures: [Failure] = []
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
    let (_, gradient) = try objective.valueAndGradient(cloud)
    let gradientScale = gradient.coordinates.map(abs).max() ?? 0
    for probe in 0..<probes {
      let i = probe % m
      let v = tangent(at: cloud.particle(i))
      var plus = cloud, minus = cloud
      for k in 0..<d { plus[i, k] += step * v[k]; minus[i, k] -= step * v[k] }
      let fd = (try objective.value(plus) - objective.value(minus)) / (2 * step)
      let an = (0..<d).reduce(0) { $0 + gradient[i, $1] * v[$1] } / Double(m)
      if relativeError(fd, an, scale: 1e-3 * gradientScale / Double(m)) > tolerance {
        failures.append(Failure(law: "∂F/∂X^\(i)·v = (1/m)∇V(X^\(i))·v", expected: fd, found: an))
      }
    }

    // Law 4: evaluate's values and gradients are firstVariation's at the particles.
    var values = [Double](repeating: .nan, count: m)
    var together = ParticleField(count: m, dimension: d)
    let value = try values.withUnsafeMutableBufferPointer { v in
      try together.coordinates.withUnsafeMutableBufferPointer { g in try objective.evaluate(cloud, gradient: g, values: v, parallel: .serial) }
    }
    let (valuesAtParticles, gradientsAtParticles) = try objective.firstVariation(of: cloud, at: cloud)
    let valueScale = max(valuesAtParticles.map(abs).max() ?? 0, 1e-3)
    for i in 0..<m where !(relativeError(values[i], valuesAtParticles[i], scale: valueScale) <= 1e-9) {
      failures.append(Failure(law: "evaluate's V(X^\(i)) = firstVariation's", expected: valuesAtParticles[i], found: values[i]))
      break
    }
    for k in 0..<(m * d) where !(relativeError(together.coordinates[k], gradientsAtParticles.coordinates[k], scale: max(gradientScale, 1e-3)) <= 1e-9) {
      failures.append(Failure(law: "evaluate's ∇V(X^\(k / d)) with values = firstVariation's", expected: gradientsAtParticles.coordinates[k],
                              found: together.coordinates[k]))
      break
    }
    if !(relativeError(value, try objective.value(cloud), scale: 1e-12) <= 1e-12) {
      failures.append(Failure(law: "F(μ_m) with values asked = F(μ_m)", expected: try objective.value(cloud), found: value))
    }

    // Law 2: ∇V at points off the cloud.
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
      if relativeError(fd, an, scale: 1e-3 * gradientScale) > tolerance {
        failures.append(Failure(law: "∇V(y)·v = d/dh V(y + hv) at point \(p)", expected: fd, found: an))
      }
    }

    // Law 3: the value of V, by an exact mixture.
    if checksValue {
      let (valuesOnCloud, _) = try objective.firstVariation(of: cloud, at: cloud)
      let meanV = valuesOnCloud.reduce(0, +) / Double(m)
      let (valuesAtPoints, _) = try objective.firstVariation(of: cloud, at: points)
      let scale = max(valuesOnCloud.map(abs).max() ?? 0, 1e-3)
      for p in 0..<min(2, probes) {
        func slope(replicas k: Int) throws -> (Double, Double) {
          var big = ParticleCloud(count: m * k, dimension: d)
          for r in 0..<k { for i in 0..<m { for c in 0..<d { big[r * m + i, c] = cloud[i, c] } } }
          let f0 = try objective.value(big)
          var withY = ParticleCloud(count: m * k + 1, dimension: d)
          withY.coordinates.replaceSubrange(0 ..< m * k * d, with: big.coordinates)
          for c in 0..<d { withY[m * k, c] = points[p, c] }
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
        let an = valuesAtPoints[p] - meanV
        let extrapolated = try extrapolate([20, 40, 80])
        if relativeError(extrapolated, an, scale: scale) > 1e3 * tolerance {
          failures.append(Failure(law: "d/dε F((1−ε)μ + εδ_y) = V(y) − ∫V dμ at point \(p)", expected: extrapolated, found: an))
        }
      }
    }
    return failures
  }
}
