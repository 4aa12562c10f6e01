import Foundation
import LinearAlgebra
import Objectives
import SolverAPI
import Testing

// The Kozachenko–Leonenko estimator against closed forms (docs/math.md §4).
//
// How the tolerances are set. Every statistical check draws the same law from 20 independent fixed seeds at
// m = 1000 particles, and compares the *mean* of the 20 estimates with the exact value:
//     |mean − H| ≤ 4 · sd/√20,
// with sd the empirical standard deviation of the 20 estimates, measured in the test itself: 4 standard errors of
// the mean, whatever the variance is. No allowance is added for the estimator's bias, because in the dimensions
// tested it is far below that noise:
//   - uniform laws on T^d and S^n: none. With exact ball volumes, vol B(X_i, ε_i)/vol(Ω) ~ Beta(k, m − k), whose
//     log has mean ψ(k) − ψ(m), so ψ(m) − ψ(k) + mean log vol B is exactly unbiased (on T^d up to the event that a
//     nearest-neighbour ball wraps around, ε > ½, of probability ≈ (1 − V_d/2^d)^{m−1} ≈ 0).
//   - smooth laws in n ≤ 3 dimensions: the k-NN bias is O(m^{−2/n}) times the curvature of log p; measured at
//     m = 1000 (100 seeds) it is +0.002 ± 0.005 on ℝ^1 and −0.002 ± 0.006 on ℝ^2, against a tolerance of ≈ 0.045.
//   In ℝ^5 it is not: −0.059 ± 0.007 at m = 1000 (−0.050 at 2000, −0.038 at 4000), larger than the noise, so ℝ^5
//   is not among the closed-form checks; the estimator is used on the low-dimensional domains of the examples.
// Every tolerance is also shown to have power: the same check rejects a law whose entropy differs by ~0.1
// (`expectRejects`). Separately the spread itself is checked to be of order 1/√m: sd·√m ≤ 4 (expected ≈ 1.4–2.2,
// see below; a 20-sample sd can be ~60% high at 4 of its own standard errors).
//
// Figures measured once with 100 seeds per point (release build, m = 250, 500, 1000, 2000, 4000):
//   N(0, σ²I) on ℝ^1: sd·√m ≈ 1.5–1.8;  ℝ^2: sd·√m ≈ 1.75–1.8;  ℝ^5: sd·√m ≈ 2.1–2.3;
//   uniform T^1, T^2, S^1, S^2: sd·√m ≈ 1.3–1.65, no significant bias at any m (all within ±0.013, ≤ 1.4 s.e.).
//   (N(0.5, 0.05²) wrapped on T^d gives the ℝ^d figures: the estimator is scale-equivariant.)
//   k = 4 on uniform T^2 (20 seeds): sd·√m ≈ 0.8.
// So for k = 1, Var Ĥ ≈ (Var log p(X) + c)/m with Var log p = d/2 for a Gaussian, 0 for a uniform law, and
// c ≈ 2.2 ± 0.5 — above π²/6 ≈ 1.64 = Var log Exp(1) (the excess comes from correlations between neighbouring
// particles' distances). It does not grow like n²: the n in (n/m) Σ log ε_i is absorbed by ε_i^n ~ Exp(1)/(m p V_n).

private let seeds = 20
private let particles = 1000

/// A cloud of m points drawn by `draw` (one point per call) from the stream of `seed`.
private func sample(_ m: Int, dimension: Int, seed: UInt64,
                    _ draw: (inout RandomSequence, UnsafeMutablePointer<Double>) -> Void) -> ParticleCloud {
  var random = RandomStream(seed: seed).generator()
  var cloud = ParticleCloud(count: m, dimension: dimension)
  cloud.coordinates.withUnsafeMutableBufferPointer { x in
    for i in 0..<m { draw(&random, x.baseAddress! + i * dimension) }
  }
  return cloud
}

/// Mean and standard deviation of an estimate over `seeds` independent clouds.
private struct Spread {
  let mean: Double
  let sd: Double

  /// `seedBase` keeps checks that draw the same law independent of each other.
  init(seedBase: UInt64 = 7000, _ estimate: (UInt64) -> Double) {
    let values = (0..<UInt64(seeds)).map { estimate(seedBase + $0) }
    mean = values.reduce(0, +) / Double(values.count)
    var squares = 0.0
    for v in values { squares += (v - mean) * (v - mean) }
    sd = (squares / Double(values.count - 1)).squareRoot()
  }

  /// 4 standard errors of the mean of the 20 estimates.
  var noise: Double { 4 * sd / Double(seeds).squareRoot() }
}

/// Checks the 20-seed mean against `exact` (4 standard errors) and the spread against 4/√m.
private func expectEstimates(_ spread: Spread, near exact: Double, m: Int = particles,
                             sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(abs(spread.mean - exact) <= spread.noise,
          "mean \(spread.mean) vs exact \(exact): sd \(spread.sd), allowed \(spread.noise)",
          sourceLocation: sourceLocation)
  #expect(spread.sd * Double(m).squareRoot() <= 4, "sd \(spread.sd) is not O(1/√m)", sourceLocation: sourceLocation)
}

/// The power of `expectEstimates`: estimates of a law other than the one `exact` belongs to are rejected.
private func expectRejects(_ spread: Spread, near exact: Double, sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(abs(spread.mean - exact) > spread.noise,
          "a wrong law passed: mean \(spread.mean) vs exact \(exact), allowed \(spread.noise)", sourceLocation: sourceLocation)
}

/// Ĥ straight from the definition, for k = 1, 2, …: all m − 1 distances with `Geometry.distance`, sorted, the k-th
/// positive one.
private func bruteForceEntropies(_ cloud: ParticleCloud, geometry: any Geometry, ks: [Int]) -> [Double] {
  let m = cloud.count, d = cloud.dimension
  var totals = [Double](repeating: 0, count: ks.count)
  cloud.coordinates.withUnsafeBufferPointer { xs in
    let x = xs.baseAddress!
    for i in 0..<m {
      var distances: [Double] = []
      for j in 0..<m where j != i {
        let r = geometry.distance(x + i * d, x + j * d)
        if r > 0 { distances.append(r) }
      }
      distances.sort()
      for (slot, k) in ks.enumerated() {
        let epsilon = distances[k - 1]
        if let sphere = geometry as? Sphere {
          totals[slot] += KozachenkoLeonenko.logGeodesicBallVolume(radius: epsilon, sphereDimension: sphere.intrinsicDimension)
        } else {
          let n = geometry.dimension
          let logBall = KozachenkoLeonenko.logUnitBallVolume(n) + Double(n) * log(epsilon)
          totals[slot] += geometry is Torus ? min(0, logBall) : logBall  // capped at vol(T^n) = 1
        }
      }
    }
  }
  return zip(ks, totals).map { k, total in
    KozachenkoLeonenko.digamma(m) - KozachenkoLeonenko.digamma(k) + total / Double(m)
  }
}

private let parallel = Parallel(threads: 2)

/// U(x) = |x|²/2: the potential of the standard Gaussian reference, log Z = (d/2) log 2π.
private struct HalfSquaredNorm: ScalarField {
  let dimension: Int
  func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    var s = 0.0
    for k in 0..<dimension { s += x[k] * x[k]; gradient?[k] = x[k] }
    return s / 2
  }
}

struct EntropyTests {
  // MARK: - Special functions

  @Test("ψ at integers: ψ(1) = −γ, ψ(m + 1) = ψ(m) + 1/m, ψ(m) ~ log m − 1/2m − 1/12m²")
  func digamma() {
    let gamma = 0.5772156649015329
    #expect(KozachenkoLeonenko.digamma(1) == -gamma)
    #expect(abs(KozachenkoLeonenko.digamma(2) - (1 - gamma)) < 1e-15)
    #expect(abs(KozachenkoLeonenko.digamma(4) - (1 + 1.0 / 2 + 1.0 / 3 - gamma)) < 1e-15)
    let m = 1000.0
    #expect(abs(KozachenkoLeonenko.digamma(1000) - (log(m) - 1 / (2 * m) - 1 / (12 * m * m))) < 1e-12)
  }

  @Test("log-volumes of the unit ball in ℝ^n and of the unit sphere S^n")
  func volumes() {
    let ball: [(Int, Double)] = [(0, 1), (1, 2), (2, .pi), (3, 4 * .pi / 3), (4, .pi * .pi / 2), (5, 8 * .pi * .pi / 15)]
    for (n, v) in ball { #expect(abs(KozachenkoLeonenko.logUnitBallVolume(n) - log(v)) < 1e-14, "V_\(n)") }
    let sphere: [(Int, Double)] = [(0, 2), (1, 2 * .pi), (2, 4 * .pi), (3, 2 * .pi * .pi), (4, 8 * .pi * .pi / 3)]
    for (n, v) in sphere { #expect(abs(KozachenkoLeonenko.logSphereVolume(n) - log(v)) < 1e-14, "vol S^\(n)") }
  }

  @Test("geodesic balls on S^n: 2ε on S^1, 2π(1 − cos ε) on S^2, 2π(ε − sin ε cos ε) on S^3, the whole sphere at ε = π")
  func geodesicBalls() {
    for eps in [1e-9, 1e-4, 0.1, 1, 2, 3, Double.pi] {
      let s1 = KozachenkoLeonenko.logGeodesicBallVolume(radius: eps, sphereDimension: 1)
      let s2 = KozachenkoLeonenko.logGeodesicBallVolume(radius: eps, sphereDimension: 2)
      let s3 = KozachenkoLeonenko.logGeodesicBallVolume(radius: eps, sphereDimension: 3)
      #expect(abs(s1 - log(2 * eps)) < 1e-14)
      #expect(abs(s2 - log(4 * .pi * pow(sin(eps / 2), 2))) < 1e-13)  // 2π(1 − cos ε) without cancellation
      if eps >= 0.1 { #expect(abs(s3 - log(2 * .pi * (eps - sin(eps) * cos(eps)))) < 1e-12) }
    }
    for n in [1, 2, 3, 4, 7, 20, 60] {
      // The ball of radius π is the sphere; a small ball is a Euclidean ball (relative error ~ ε²).
      let whole = KozachenkoLeonenko.logGeodesicBallVolume(radius: .pi, sphereDimension: n)
      #expect(abs(whole - KozachenkoLeonenko.logSphereVolume(n)) < 1e-12, "S^\(n)")
      let small = KozachenkoLeonenko.logGeodesicBallVolume(radius: 1e-6, sphereDimension: n)
      #expect(abs(small - (KozachenkoLeonenko.logUnitBallVolume(n) + Double(n) * log(1e-6))) < 1e-10, "S^\(n)")
      // A hemisphere is half the sphere.
      let half = KozachenkoLeonenko.logGeodesicBallVolume(radius: .pi / 2, sphereDimension: n)
      #expect(abs(half - (KozachenkoLeonenko.logSphereVolume(n) - log(2.0))) < 1e-12, "S^\(n)")
    }
    #expect(KozachenkoLeonenko.logGeodesicBallVolume(radius: 0, sphereDimension: 2) == -.infinity)
  }

  // MARK: - Differential entropy against closed forms

  @Test("N(0, σ²I) on ℝ^d has entropy (d/2) log(2πeσ²); σ 10% larger is rejected", arguments: [1, 2, 3])
  func gaussian(d: Int) {
    let sigma = 1.5
    let exact = Double(d) / 2 * log(2 * .pi * M_E * sigma * sigma)
    func spread(_ s: Double) -> Spread {
      Spread { seed in
        let cloud = sample(particles, dimension: d, seed: seed) { r, x in for k in 0..<d { x[k] = s * r.normal() } }
        return KozachenkoLeonenko.entropy(cloud, geometry: Euclidean(dimension: d), parallel: parallel)
      }
    }
    expectEstimates(spread(sigma), near: exact)
    expectRejects(spread(1.1 * sigma), near: exact)  // its entropy is d log 1.1 ≈ 0.095 d higher
  }

  @Test("the uniform law on T^d has entropy log vol(T^d) = 0", arguments: [1, 2])
  func uniformTorus(d: Int) {
    let spread = Spread { seed in
      let cloud = sample(particles, dimension: d, seed: seed) { r, x in for k in 0..<d { x[k] = r.uniform() } }
      return KozachenkoLeonenko.entropy(cloud, geometry: Torus(dimension: d), parallel: parallel)
    }
    expectEstimates(spread, near: 0)
  }

  @Test("the uniform law on S^n has entropy log vol(S^n)", arguments: [1, 2])
  func uniformSphere(n: Int) {
    let sphere = Sphere(intrinsicDimension: n)
    let spread = Spread { seed in
      let cloud = sample(particles, dimension: n + 1, seed: seed) { r, x in sphere.sampleUniform(into: x, using: &r) }
      return KozachenkoLeonenko.entropy(cloud, geometry: sphere, parallel: parallel)
    }
    expectEstimates(spread, near: KozachenkoLeonenko.logSphereVolume(n))
  }

  @Test("k > 1 is unbiased on the uniform law too (k = 4 on T^2)")
  func moreNeighbours() {
    let spread = Spread { seed in
      let cloud = sample(particles, dimension: 2, seed: seed) { r, x in x[0] = r.uniform(); x[1] = r.uniform() }
      return KozachenkoLeonenko.entropy(cloud, geometry: Torus(dimension: 2), k: 4, parallel: parallel)
    }
    expectEstimates(spread, near: 0)
  }

  // MARK: - Relative entropy

  @Test("a uniform cloud on T^d has relative entropy ≈ 0 to the uniform reference", arguments: [1, 2])
  func uniformTorusRelative(d: Int) {
    let spread = Spread(seedBase: 8000) { seed in
      let cloud = sample(particles, dimension: d, seed: seed) { r, x in for k in 0..<d { x[k] = r.uniform() } }
      return KozachenkoLeonenko.relativeEntropy(cloud, geometry: Torus(dimension: d), potential: nil, logNormalizer: 0,
                                                parallel: parallel)
    }
    expectEstimates(spread, near: 0)
  }

  @Test("a cloud concentrated as N(0.5, 0.05²) wrapped on T^d has relative entropy −(d/2) log(2πe·0.05²) to uniform",
        arguments: [1, 2])
  func concentratedTorusRelative(d: Int) {
    let s = 0.05
    let exact = -Double(d) / 2 * log(2 * .pi * M_E * s * s)  // 1.57 on T^1, 3.15 on T^2; wrapping is 10 sd away
    let spread = Spread(seedBase: 8000) { seed in
      let cloud = sample(particles, dimension: d, seed: seed) { r, x in
        for k in 0..<d { x[k] = Torus.wrap(0.5 + s * r.normal()) }
      }
      return KozachenkoLeonenko.relativeEntropy(cloud, geometry: Torus(dimension: d), potential: nil, logNormalizer: 0,
                                                parallel: parallel)
    }
    #expect(spread.mean > 1.5)
    expectEstimates(spread, near: exact)
  }

  @Test("a uniform cloud on S^2 has relative entropy ≈ 0 with log Z = log vol(S^2)")
  func uniformSphereRelative() {
    let sphere = Sphere(intrinsicDimension: 2)
    let spread = Spread(seedBase: 8000) { seed in
      let cloud = sample(particles, dimension: 3, seed: seed) { r, x in sphere.sampleUniform(into: x, using: &r) }
      return KozachenkoLeonenko.relativeEntropy(cloud, geometry: sphere, potential: nil,
                                                logNormalizer: KozachenkoLeonenko.logSphereVolume(2), parallel: parallel)
    }
    expectEstimates(spread, near: 0)
  }

  @Test("with a potential: H(N(0, σ²I) | N(0, I)) = (d/2)(σ² − 1 − log σ²) on ℝ^2")
  func gaussianReference() {
    let d = 2, sigma = 0.5
    let exact = Double(d) / 2 * (sigma * sigma - 1 - log(sigma * sigma))  // 0.636
    let spread = Spread { seed in
      let cloud = sample(particles, dimension: d, seed: seed) { r, x in for k in 0..<d { x[k] = sigma * r.normal() } }
      return KozachenkoLeonenko.relativeEntropy(cloud, geometry: Euclidean(dimension: d),
                                                potential: HalfSquaredNorm(dimension: d),
                                                logNormalizer: Double(d) / 2 * log(2 * .pi), parallel: parallel)
    }
    expectEstimates(spread, near: exact)
  }

  @Test("with a potential and a shifted mean: H(N(μ, σ²) | N(0, 1)) = ½(σ² + μ² − 1 − log σ²) on ℝ^1; μ off by 0.3 is rejected")
  func shiftedGaussianReference() {
    let sigma = 0.8, mu = 0.6
    let exact = 0.5 * (sigma * sigma + mu * mu - 1 - log(sigma * sigma))  // 0.223
    func spread(_ shift: Double) -> Spread {
      Spread(seedBase: 9000) { seed in
        let cloud = sample(particles, dimension: 1, seed: seed) { r, x in x[0] = shift + sigma * r.normal() }
        return KozachenkoLeonenko.relativeEntropy(cloud, geometry: Euclidean(dimension: 1), potential: HalfSquaredNorm(dimension: 1),
                                                  logNormalizer: 0.5 * log(2 * .pi), parallel: parallel)
      }
    }
    expectEstimates(spread(mu), near: exact)
    expectRejects(spread(mu + 0.3), near: exact)  // ½((μ + 0.3)² − μ²) = 0.225 higher
  }

  // MARK: - Structure

  @Test("the pruned neighbour search finds exactly the k-th nearest neighbours of the definition")
  func matchesBruteForce() {
    let sphere = Sphere(intrinsicDimension: 2)
    let cases: [(String, ParticleCloud, any Geometry)] = [
      ("ℝ^1", sample(200, dimension: 1, seed: 21) { r, x in x[0] = r.normal() }, Euclidean(dimension: 1)),
      ("ℝ^3", sample(200, dimension: 3, seed: 22) { r, x in for c in 0..<3 { x[c] = r.normal() } }, Euclidean(dimension: 3)),
      ("T^1", sample(200, dimension: 1, seed: 23) { r, x in x[0] = r.uniform() }, Torus(dimension: 1)),
      ("T^2 seam", sample(200, dimension: 2, seed: 24) { r, x in for c in 0..<2 { x[c] = Torus.wrap(0.05 * r.normal()) } },
       Torus(dimension: 2)),
      ("T^2 raw", sample(200, dimension: 2, seed: 25) { r, x in for c in 0..<2 { x[c] = 3 * r.normal() } }, Torus(dimension: 2)),
      ("T^2 sparse", sample(7, dimension: 2, seed: 26) { r, x in for c in 0..<2 { x[c] = r.uniform() } }, Torus(dimension: 2)),
      ("S^2", sample(200, dimension: 3, seed: 27) { r, x in sphere.sampleUniform(into: x, using: &r) }, sphere),
      ("S^1 sparse", sample(6, dimension: 2, seed: 28) { r, x in Sphere(intrinsicDimension: 1).sampleUniform(into: x, using: &r) },
       Sphere(intrinsicDimension: 1)),
    ]
    let ks = [1, 2, 5]
    for (name, cloud, geometry) in cases {
      let expected = bruteForceEntropies(cloud, geometry: geometry, ks: ks)
      for (k, exact) in zip(ks, expected) {
        let estimate = KozachenkoLeonenko.entropy(cloud, geometry: geometry, k: k, parallel: parallel)
        #expect(abs(estimate - exact) < 1e-12, "\(name), k = \(k)")
      }
    }
  }

  @Test("scaling a cloud on ℝ^d by a adds d log a; translating it changes nothing")
  func scaleAndTranslation() {
    let d = 3
    let cloud = sample(400, dimension: d, seed: 5) { r, x in for k in 0..<d { x[k] = r.normal() } }
    var scaled = cloud, moved = cloud
    for j in 0..<cloud.coordinates.count { scaled.coordinates[j] *= 4; moved.coordinates[j] += 0.5 }
    let h = KozachenkoLeonenko.entropy(cloud, geometry: Euclidean(dimension: d), parallel: .serial)
    let hs = KozachenkoLeonenko.entropy(scaled, geometry: Euclidean(dimension: d), parallel: .serial)
    let ht = KozachenkoLeonenko.entropy(moved, geometry: Euclidean(dimension: d), parallel: .serial)
    #expect(abs(hs - (h + Double(d) * log(4.0))) < 1e-12)
    #expect(abs(ht - h) < 1e-12)
  }

  @Test("distances on T^d are periodic: a cloud straddling the seam has the entropy of the same cloud shifted inside")
  func torusIsPeriodic() {
    let inside = sample(500, dimension: 2, seed: 8) { r, x in for k in 0..<2 { x[k] = 0.5 + 0.1 * r.normal() } }
    var seam = inside
    for j in 0..<seam.coordinates.count { seam.coordinates[j] = Torus.wrap(seam.coordinates[j] + 0.5) }
    let a = KozachenkoLeonenko.entropy(inside, geometry: Torus(dimension: 2), parallel: .serial)
    let b = KozachenkoLeonenko.entropy(seam, geometry: Torus(dimension: 2), parallel: .serial)
    #expect(abs(a - b) < 1e-9)
    // Two points 0.02 apart across the seam of T^1 (0.98 apart on ℝ): Ĥ = ψ(2) − ψ(1) + log(2ε) = 1 + log 0.04.
    let pair = ParticleCloud(count: 2, dimension: 1, coordinates: [0.01, 0.99])
    #expect(abs(KozachenkoLeonenko.entropy(pair, geometry: Torus(dimension: 1), parallel: .serial) - (1 + log(0.04))) < 1e-12)
    #expect(abs(KozachenkoLeonenko.entropy(pair, geometry: Euclidean(dimension: 1), parallel: .serial) - (1 + log(1.96))) < 1e-12)
  }

  @Test("exact copies of a point are not its neighbours: with k = 1, doubling every point shifts Ĥ by ψ(2m) − ψ(m)")
  func duplicates() {
    let m = 200
    let cloud = sample(m, dimension: 2, seed: 3) { r, x in x[0] = r.normal(); x[1] = r.normal() }
    let doubled = ParticleCloud(count: 2 * m, dimension: 2, coordinates: cloud.coordinates + cloud.coordinates)
    let h = KozachenkoLeonenko.entropy(cloud, geometry: Euclidean(dimension: 2), parallel: .serial)
    let h2 = KozachenkoLeonenko.entropy(doubled, geometry: Euclidean(dimension: 2), parallel: .serial)
    let shift = KozachenkoLeonenko.digamma(2 * m) - KozachenkoLeonenko.digamma(m)
    #expect(h2.isFinite)
    #expect(abs(h2 - (h + shift)) < 1e-12)
  }

  @Test("a collapsed cloud (an atom) has entropy −∞ and relative entropy +∞; NaN coordinates give NaN")
  func degenerateClouds() {
    let atom = ParticleCloud(count: 10, dimension: 2, repeating: 0.25)
    #expect(KozachenkoLeonenko.entropy(atom, geometry: Torus(dimension: 2), parallel: .serial) == -.infinity)
    #expect(KozachenkoLeonenko.relativeEntropy(atom, geometry: Torus(dimension: 2), potential: nil, logNormalizer: 0,
                                               parallel: .serial) == .infinity)
    // Three copies of 0 and one 1: every particle has a neighbour at positive distance (k = 1 is finite), but
    // the copies of 0 have only one (k = 2 is −∞).
    let lopsided = ParticleCloud(count: 4, dimension: 1, coordinates: [0, 0, 0, 1])
    #expect(KozachenkoLeonenko.entropy(lopsided, geometry: Euclidean(dimension: 1), k: 1, parallel: .serial).isFinite)
    #expect(KozachenkoLeonenko.entropy(lopsided, geometry: Euclidean(dimension: 1), k: 2, parallel: .serial) == -.infinity)
    var broken = sample(50, dimension: 3, seed: 2) { r, x in for k in 0..<3 { x[k] = r.normal() } }
    broken[17, 1] = .nan
    #expect(KozachenkoLeonenko.entropy(broken, geometry: Euclidean(dimension: 3), parallel: .serial).isNaN)
    broken[17, 1] = .infinity
    #expect(KozachenkoLeonenko.entropy(broken, geometry: Euclidean(dimension: 3), parallel: .serial).isNaN)
  }

  @Test("two distinct points on T^1 at distance ½: each ball is the whole circle, Ĥ = ψ(2) − ψ(1) + log 1 = 1")
  func smallestTorusCloud() {
    let pair = ParticleCloud(count: 2, dimension: 1, coordinates: [0.1, 0.6])
    #expect(abs(KozachenkoLeonenko.entropy(pair, geometry: Torus(dimension: 1), parallel: .serial) - 1) < 1e-15)
  }

  @Test("results are bitwise identical on 1 and 2 threads", arguments: [1, 3])
  func threadCountIndependence(k: Int) {
    let m = 333  // not a multiple of the chunk size
    let sphere = Sphere(intrinsicDimension: 2)
    let cases: [(ParticleCloud, any Geometry)] = [
      (sample(m, dimension: 4, seed: 1) { r, x in for c in 0..<4 { x[c] = r.normal() } }, Euclidean(dimension: 4)),
      (sample(m, dimension: 2, seed: 2) { r, x in for c in 0..<2 { x[c] = r.uniform() } }, Torus(dimension: 2)),
      (sample(m, dimension: 3, seed: 3) { r, x in sphere.sampleUniform(into: x, using: &r) }, sphere),
    ]
    for (cloud, geometry) in cases {
      let one = KozachenkoLeonenko.entropy(cloud, geometry: geometry, k: k, parallel: Parallel(threads: 1))
      let two = KozachenkoLeonenko.entropy(cloud, geometry: geometry, k: k, parallel: Parallel(threads: 2))
      #expect(one.bitPattern == two.bitPattern, "\(geometry.name)")
      let u = geometry is Euclidean ? HalfSquaredNorm(dimension: geometry.dimension) : nil
      let r1 = KozachenkoLeonenko.relativeEntropy(cloud, geometry: geometry, potential: u, logNormalizer: 1, k: k,
                                                  parallel: Parallel(threads: 1))
      let r2 = KozachenkoLeonenko.relativeEntropy(cloud, geometry: geometry, potential: u, logNormalizer: 1, k: k,
                                                  parallel: Parallel(threads: 2))
      #expect(r1.bitPattern == r2.bitPattern, "\(geometry.name)")
    }
  }
}
