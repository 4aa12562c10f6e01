import Foundation
import Integrators
import LinearAlgebra
import Objectives
import SolverAPI
import Testing

// The Fisher–Rao and Wasserstein–Fisher–Rao metrics against their exact laws (docs/math.md §5).
//
// How the tolerances are set. Each law is checked on K independent seeds: the figure (a particle variance)
// is computed per seed, and the mean over seeds is compared with the law,
//     |mean − law| ≤ 4 · sd/√K + (the O(η) allowance of the time discretization),
// with sd the spread of the K figures, measured in the test: 4 standard errors of the mean. The spread is
// of order 1/√m — for m i.i.d. points the sample variance has sd σ² sqrt(2/m); birth and death make copies,
// which raises it — and that too is checked (sd·√m/σ² ≤ 6). The power of each tolerance is shown on a
// wrong law: the same check rejects it.

/// The mean and the 4-standard-error tolerance of K per-seed figures.
private struct SeedMean {
  let mean: Double
  let sd: Double
  let count: Int
  init(_ values: [Double]) {
    let n = values.count, mean = values.reduce(0, +) / Double(values.count)
    (self.count, self.mean) = (n, mean)
    sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
  }
  var noise: Double { 4 * sd / Double(count).squareRoot() }
}

struct BirthDeathTests {
  /// F(μ) = ∫ a x²/2 dμ on ℝ¹ from N(0, 1), moved by `metric`; the variance recorded every `every` steps.
  static func variances(metric: (Euclidean) -> any Metric, a: Double = 1, eta: Double, temperature: Double, m: Int, steps: Int,
                        every: Int, seed: UInt64) throws -> [Double] {
    let domain = Euclidean(dimension: 1)
    let plan = RunPlan(problem: Problem(objective: PotentialEnergy(potential: QuadraticPotential(dimension: 1, a: a)), metric: metric(domain)),
                       integrator: EulerMaruyama(step: eta, temperature: temperature),
                       particles: try ParticleCloud(GaussianCloud(std: 1, on: domain), count: m, dimension: 1, seed: seed),
                       steps: steps, recordEvery: every, observers: [VarianceObserver()], seed: seed, parallel: .serial)
    let trace = TraceTable()
    let outcome = try Solver.run(plan, sink: trace)
    #expect(outcome.failure == nil && outcome.state.cloud.count == m)
    return try trace.column("variance")
  }

  @Test("fisher-rao on F = ∫x²/2 dμ from N(0, 1) at τ = 0 follows μ_t = N(0, 1/(1 + αt)) at t = 0.5, 1, 2; a rate of 2α is rejected")
  func fisherRaoExactLaw() throws {
    // V = x²/2 is fixed (F is linear), so the reaction gives μ_t ∝ e^{−αtV} μ_0 = N(0, 1/(1 + αt)).
    let alpha = 1.0, eta = 2e-3, m = 2000, seeds = 12
    let times = [0.5, 1, 2], every = 250  // records at steps 0, 250, …, 1000: t = 0, 0.5, 1, 1.5, 2
    func figures(rate: Double) throws -> [[Double]] {
      try (0..<seeds).map { s in
        let v = try Self.variances(metric: { FisherRaoMetric(geometry: $0, rate: rate, reference: .flat) }, eta: eta, temperature: 0,
                                   m: m, steps: 1000, every: every, seed: UInt64(900 + s))
        return times.map { v[Int(($0 / eta).rounded()) / every] }
      }
    }
    let right = try figures(rate: alpha), wrong = try figures(rate: 2 * alpha)
    for (k, t) in times.enumerated() {
      // The sample variance's factor (1 − 1/m), and an O(η) allowance: the scheme's births, 2 − e^{−|β|η} against
      // e^{|β|η}, differ at second order, |β|²η² a step, which over t/η steps moves the variance by about ηα²t of it.
      let law = (1 - 1 / Double(m)) / (1 + alpha * t)
      let allowance = eta * alpha * alpha * t * law
      let good = SeedMean(right.map { $0[k] }), bad = SeedMean(wrong.map { $0[k] })
      #expect(abs(good.mean - law) <= good.noise + allowance, "t = \(t): \(good.mean) against \(law) ± \(good.noise + allowance)")
      #expect(good.sd * Double(m).squareRoot() / law <= 6, "t = \(t): the spread \(good.sd) is not O(1/√m)")
      #expect(abs(bad.mean - law) > bad.noise + allowance, "t = \(t): the rate 2α passed: \(bad.mean) against \(law)")
    }
  }

  /// The stationary variance of the splitting EM step + exact reweighting by e^{−αηV}, for V = a x²/2:
  /// s'² = (1 − ηa)² q + 2ητ (the Langevin move), then 1/q = 1/s'² + αηa (the reaction), at the fixed point
  ///     c A q² + (1 + cB − A) q − B = 0,   A = (1 − ηa)², B = 2ητ, c = αηa.
  /// As η → 0 it tends to 2τ/(a + sqrt(a² + 2αaτ)), the law of the continuous flow (docs/math.md §5.3).
  static func splittingVariance(a: Double, tau: Double, alpha: Double, eta: Double) -> Double {
    let A = (1 - eta * a) * (1 - eta * a), B = 2 * eta * tau, c = alpha * eta * a
    let b = 1 + c * B - A
    return (-b + (b * b + 4 * c * A * B).squareRoot()) / (2 * c * A)
  }

  @Test("wasserstein-fisher-rao keeps N(0, 2τ/(a + sqrt(a² + 2αaτ))) stationary for V = a x²/2, not the Gibbs law N(0, τ/a)")
  func wassersteinFisherRaoStationaryLaw() throws {
    let (a, tau, alpha, eta, m, seeds) = (1.0, 0.5, 1.0, 5e-3, 1000, 10)
    let continuous = 2 * tau / (a + (a * a + 2 * alpha * a * tau).squareRoot())  // 0.4142
    let discrete = Self.splittingVariance(a: a, tau: tau, alpha: alpha, eta: eta)
    // Burn-in to t = 5 (the slowest rate is 2a: e^{−10} left), then 20 records 0.5 apart; each seed's figure is
    // its time average (correlated within a seed, independent across seeds: the spread across seeds is honest).
    let figures = try (0..<seeds).map { s -> Double in
      let v = try Self.variances(metric: { WassersteinFisherRaoMetric(transport: WassersteinMetric(geometry: $0, reference: .flat), rate: alpha) },
                                 a: a, eta: eta, temperature: tau, m: m, steps: 3000, every: 100, seed: UInt64(300 + s))
      let late = v[10...]  // t ≥ 5
      return late.reduce(0, +) / Double(late.count)
    }
    let spread = SeedMean(figures)
    let law = (1 - 1 / Double(m)) * discrete
    // The particle reaction matches e^{−αηV} to first order only: allow the splitting's own O(η) size again.
    let allowance = abs(discrete - continuous)
    #expect(abs(spread.mean - law) <= spread.noise + allowance, "\(spread.mean) against \(law) ± \(spread.noise + allowance)")
    let gibbs = (1 - 1 / Double(m)) * tau / (a * (1 - eta * a / 2))
    #expect(abs(spread.mean - gibbs) > spread.noise + allowance, "the Gibbs law \(gibbs) passed: \(spread.mean)")
  }

  @Test("birth and death keep the particle count, never move a particle off the positions there were, and do nothing when V is constant")
  func birthDeathStructure() throws {
    let domain = Euclidean(dimension: 2)
    var cloud = try ParticleCloud(GaussianCloud(std: 1, on: domain), count: 64, dimension: 2, seed: 5)
    let start = Set((0..<64).map { cloud.particle($0) })
    let metric = FisherRaoMetric(geometry: domain, rate: 50, reference: .flat)
    var gradient = [Double](repeating: 0, count: 128)
    var values = (0..<64).map { i in cloud[i, 0] * cloud[i, 0] }  // high V dies, low V multiplies
    for t in 0..<20 {
      gradient.withUnsafeMutableBufferPointer { g in
        values.withUnsafeMutableBufferPointer { v in
          metric.move(&cloud, gradient: g, values: v, stepSize: 0.05, temperature: 0, noise: RandomStream(seed: 6), step: t, parallel: .serial)
        }
      }
      values = (0..<64).map { i in cloud[i, 0] * cloud[i, 0] }
    }
    #expect(cloud.count == 64)
    #expect((0..<64).allSatisfy { start.contains(cloud.particle($0)) }, "a particle left the initial positions")
    #expect(Set((0..<64).map { cloud.particle($0) }).count < 64, "nothing was duplicated at rate 50")
    let spreadAfter: Double = (0..<64).map { (i: Int) -> Double in abs(cloud[i, 0]) }.reduce(0, +)
    let spreadBefore: Double = start.map { (p: [Double]) -> Double in abs(p[0]) }.reduce(0, +)
    #expect(spreadAfter < spreadBefore, "high V did not die")
    // Constant V: β = 0 for every particle, no event.
    let before = cloud
    var constant = [Double](repeating: 3, count: 64)
    gradient.withUnsafeMutableBufferPointer { g in
      constant.withUnsafeMutableBufferPointer { v in
        metric.move(&cloud, gradient: g, values: v, stepSize: 0.05, temperature: 0, noise: RandomStream(seed: 6), step: 99, parallel: .serial)
      }
    }
    #expect(cloud == before)
  }
}
