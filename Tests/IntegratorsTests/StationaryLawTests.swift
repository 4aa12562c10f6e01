import Foundation
import Integrators
import Objectives
import SolverAPI
import Testing

/// The stationary laws of docs/math.md §1, checked with tolerances derived from the Monte Carlo variance.
///
/// For a mode relaxing at rate c under Euler–Maruyama, X ← X − ηcX + sqrt(2ητ)ξ, the stationary
/// variance is exactly τ / (c(1 − ηc/2)). The recorded `variance` is the spread about the cloud's own
/// mean, (1/(md)) Σ|X^i − X̄|², whose expectation carries the factor (1 − 1/m): for independent
/// particles (Langevin) by the usual sample-variance bias, and for the quadratic McKean–Vlasov system
/// because the deviations X^i − X̄ see the noise ξ_i − ξ̄ of variance (1 − 1/m).
/// One snapshot of it has standard deviation ≈ σ² sqrt(2/(md)); snapshots Δ steps apart are
/// correlated by ρ = (1 − ηc)^{2Δ}, so the average of K snapshots has variance
/// (2σ⁴/(md)) (1 + ρ) / (K (1 − ρ)). The tests allow 4 standard deviations.
struct StationaryLawTests {
  struct Law {
    var a: Double, b: Double, tau: Double, eta: Double, m: Int, d: Int
    /// Random batches of p for the interaction (docs/math.md §6); 0: the exact sum.
    var batch = 0
    var c: Double { a + b }
    /// E[(1/(md)) Σ|X^i − X̄|²] in stationarity, exactly, for the discrete chain.
    var expectedSpread: Double { batch > 0 ? RandomBatchLaw(self).spread : (1 - 1 / Double(m)) * tau / (c * (1 - eta * c / 2)) }
  }

  /// The stationary second moments under random batches of p (p divides m), per coordinate: with
  /// s = E[x_i²], r = E[x_i x_j] (i ≠ j), c = (m − 1)/(m(p − 1)), α = 1 − ηa − ηcb(p − 1), β = ηcb, σ² = 2ητ,
  /// one step is x_i ← α x_i + β Σ_{j ∈ B(i), j ≠ i} x_j + σ ξ_i with a partition independent of the state, so
  ///     s' = α²s + 2αβ(p − 1)r + β²[(p − 1)s + (p − 1)(p − 2)r] + σ²,
  ///     r' = q [α²r + 2αβ(s + (p − 2)r) + β²((p − 2)s + (p² − 3p + 3)r)] + (1 − q)(α + β(p − 1))² r,
  /// q = (p − 1)/(m − 1) the chance that j shares i's batch. Its fixed point gives E[spread] = (m − 1)/m (s − r).
  /// p = m is the exact interaction (one batch): the law above, τ/(c(1 − ηc/2)) (1 − 1/m).
  struct RandomBatchLaw {
    /// E[x_i²], E[x_i x_j] and E[(1/(md)) Σ|X^i − X̄|²] in stationarity.
    var s: Double, r: Double, spread: Double

    init(_ law: Law) {
      let (m, p) = (Double(law.m), Double(law.batch))
      let cb = (m - 1) / (m * (p - 1))
      let alpha = 1 - law.eta * law.a - law.eta * cb * law.b * (p - 1), beta = law.eta * cb * law.b
      let sigma2 = 2 * law.eta * law.tau, q = (p - 1) / (m - 1)
      // [s', r'] = A [s, r] + [σ², 0]; the fixed point solves (I − A) [s, r] = [σ², 0].
      let a11 = alpha * alpha + beta * beta * (p - 1)
      let a12 = 2 * alpha * beta * (p - 1) + beta * beta * (p - 1) * (p - 2)
      let a21 = q * (2 * alpha * beta + beta * beta * (p - 2))
      let a22 = q * (alpha * alpha + 2 * alpha * beta * (p - 2) + beta * beta * (p * p - 3 * p + 3))
        + (1 - q) * pow(alpha + beta * (p - 1), 2)
      let det = (1 - a11) * (1 - a22) - a12 * a21
      s = (1 - a22) * sigma2 / det
      r = a21 * sigma2 / det
      spread = (m - 1) / m * (s - r)
    }
  }

  /// Runs the chain, averages the spread over K snapshots after burn-in; returns (mean, 4 sd).
  func measure(_ law: Law, snapshots k: Int, spacing: Int, seed: UInt64) throws -> (Double, Double) {
    let domain = Euclidean(dimension: law.d)
    var terms: [any Objective] = [PotentialEnergy(potential: QuadraticPotential(dimension: law.d, a: law.a))]
    if law.b > 0 {
      terms.append(InteractionEnergy(kernel: QuadraticKernel(dimension: law.d, b: law.b), geometry: domain,
                                     batches: law.batch > 0 ? RandomBatches(size: law.batch, random: RandomStream(seed: seed).split("batches")) : nil))
    }
    let objective = SumObjective(terms: terms, names: terms.map { _ in "term" })
    let problem = Problem(objective: objective, metric: makeWassersteinMetric(geometry: domain, reference: .flat))
    let random = RandomStream(seed: seed)
    var cloud = ParticleCloud(count: law.m, dimension: law.d)
    var rng = random.split("init").generator()
    for i in 0..<cloud.coordinates.count { cloud.coordinates[i] = rng.normal() }
    let sigma2 = law.expectedSpread
    // Burn-in: the initial spread (≈ 1) relaxes like (1 − ηc)^{2t}; make its bias < 1e-3 σ².
    let burnIn = Int((log(1e-3 * sigma2 / abs(1 - sigma2)) / (2 * log(1 - law.eta * law.c))).rounded(.up))
    let plan = RunPlan(problem: problem, integrator: EulerMaruyama(stepSize: ConstantSchedule(law.eta), temperature: ConstantSchedule(law.tau)),
                       state: SolverState(cloud: cloud), lastStep: burnIn + k * spacing, recordEvery: spacing,
                       observers: [VarianceObserver()], noise: random.split("noise"), parallel: .automatic)
    let trace = TraceTable()
    let outcome = try Solver.run(plan, sink: trace, progress: nil)
    #expect(outcome.failure == nil)
    let steps = try trace.column("step"), spread = try trace.column("variance")
    let samples = zip(steps, spread).filter { $0.0 >= Double(burnIn) }.map(\.1)
    let mean = samples.reduce(0, +) / Double(samples.count)
    let rho = pow(1 - law.eta * law.c, 2 * Double(spacing))
    let variance = 2 * sigma2 * sigma2 / Double(law.m * law.d) * (1 + rho) / (Double(samples.count) * (1 - rho))
    return (mean, 4 * variance.squareRoot())
  }

  @Test("Langevin on V = a|x|²/2 reaches variance τ/(a(1 − ηa/2)) per coordinate")
  func langevinGibbsVariance() throws {
    let law = Law(a: 1, b: 0, tau: 0.5, eta: 0.01, m: 1000, d: 2)
    let (measured, tolerance) = try measure(law, snapshots: 30, spacing: 100, seed: 11)
    #expect(abs(measured - law.expectedSpread) < tolerance, "measured \(measured), expected \(law.expectedSpread) ± \(tolerance)")
  }

  @Test("McKean–Vlasov with W = b|z|²/2 reaches variance τ/((a + b)(1 − η(a+b)/2))")
  func mcKeanVlasovVariance() throws {
    let law = Law(a: 1, b: 2, tau: 0.5, eta: 0.005, m: 1000, d: 2)
    let (measured, tolerance) = try measure(law, snapshots: 30, spacing: 50, seed: 12)
    #expect(abs(measured - law.expectedSpread) < tolerance, "measured \(measured), expected \(law.expectedSpread) ± \(tolerance)")
    // The mean-field answer τ/(a + b) is within the O(η) + O(1/m) bias of the measurement.
    #expect(abs(measured - law.tau / law.c) < tolerance + law.tau / law.c * (law.eta * law.c / 2 + 1 / Double(law.m)) * 1.5)
  }

  @Test("the measurement distinguishes a wrong law: b = 2 is not b = 1.8")
  func testHasPower() throws {
    let law = Law(a: 1, b: 2, tau: 0.5, eta: 0.005, m: 1000, d: 2)
    let wrong = Law(a: 1, b: 1.8, tau: 0.5, eta: 0.005, m: 1000, d: 2)
    let (measured, tolerance) = try measure(law, snapshots: 30, spacing: 50, seed: 12)
    #expect(abs(measured - wrong.expectedSpread) > tolerance)
  }

  @Test("random batches of p = 2 on W = b|z|²/2 reach the exact stationary variance of their linear recursion (docs/math.md §6)")
  func randomBatchVariance() throws {
    // η = 0.05 makes the batch effect (+3.7% over the exact interaction's variance) many tolerances wide.
    let law = Law(a: 1, b: 2, tau: 0.5, eta: 0.05, m: 5000, d: 2, batch: 2)
    var exact = law
    exact.batch = 0
    #expect(abs(RandomBatchLaw(Law(a: 1, b: 2, tau: 0.5, eta: 0.05, m: 100, d: 2, batch: 100)).spread
                - Law(a: 1, b: 2, tau: 0.5, eta: 0.05, m: 100, d: 2).expectedSpread) < 1e-14, "p = m is the exact interaction")
    let (measured, tolerance) = try measure(law, snapshots: 200, spacing: 10, seed: 21)
    #expect(abs(measured - law.expectedSpread) < tolerance, "measured \(measured), expected \(law.expectedSpread) ± \(tolerance)")
    // The test has power: the exact interaction's law is excluded.
    #expect(abs(measured - exact.expectedSpread) > 3 * tolerance, "measured \(measured), exact interaction \(exact.expectedSpread) ± \(tolerance)")
  }

  @Test("the recursion agrees with docs/math.md §6.2's, derived apart: D = 0.22614 at m = 8, p = 2, against 0.22176 for p = m")
  func recursionMatchesMathDoc() {
    let law = Law(a: 1, b: 2, tau: 0.5, eta: 0.05, m: 8, d: 1, batch: 2)
    #expect(abs(RandomBatchLaw(law).s - 0.22614) < 5e-6)
    var full = law
    full.batch = 8
    #expect(abs(RandomBatchLaw(full).s - 0.22176) < 5e-6)
  }

  @Test("random batches of p = 4: the recursion's variance, between p = 2's and the exact one's")
  func randomBatchVarianceP4() throws {
    let law = Law(a: 1, b: 2, tau: 0.5, eta: 0.05, m: 5000, d: 2, batch: 4)
    let (measured, tolerance) = try measure(law, snapshots: 200, spacing: 10, seed: 22)
    #expect(abs(measured - law.expectedSpread) < tolerance, "measured \(measured), expected \(law.expectedSpread) ± \(tolerance)")
  }

  @Test("noiseless gradient descent on a convex objective decreases it at every step")
  func gradientDescentIsMonotone() throws {
    let d = 3
    let domain = Euclidean(dimension: d)
    let objective = SumObjective(terms: [
      PotentialEnergy(potential: QuadraticPotential(dimension: d, a: 0.7, center: [1, -2, 0.5])),
      InteractionEnergy(kernel: QuadraticKernel(dimension: d, b: 1.5), geometry: domain),
    ], names: ["potential", "interaction"])
    var rng = RandomStream(seed: 5).generator()
    let cloud = ParticleCloud(count: 200, dimension: d, coordinates: (0..<600).map { _ in 3 * rng.normal() })
    let plan = RunPlan(problem: Problem(objective: objective, metric: makeWassersteinMetric(geometry: domain, reference: .flat)),
                       integrator: EulerMaruyama(stepSize: ConstantSchedule(0.01), temperature: ConstantSchedule(0)),
                       state: SolverState(cloud: cloud), lastStep: 300, recordEvery: 1, noise: RandomStream(seed: 5), parallel: .serial)
    let trace = TraceTable()
    _ = try Solver.run(plan, sink: trace)
    let f = try trace.column("objective")
    #expect(f.count == 301)
    for t in 1..<f.count { #expect(f[t] < f[t - 1], "F rose at step \(t): \(f[t - 1]) → \(f[t])") }
  }

  @Test("temperature 0 draws no noise: two different noise streams give the same trajectory")
  func zeroTemperatureIsDeterministic() throws {
    let domain = Euclidean(dimension: 2)
    func finalCloud(noiseSeed: UInt64) throws -> ParticleCloud {
      let plan = RunPlan(problem: Problem(objective: PotentialEnergy(potential: DoubleWellPotential(dimension: 2, height: 1, separation: 1, a: 1)),
                                          metric: makeWassersteinMetric(geometry: domain, reference: .flat)),
                         integrator: EulerMaruyama(stepSize: ConstantSchedule(0.01), temperature: ConstantSchedule(0)),
                         state: SolverState(cloud: ParticleCloud(count: 3, dimension: 2, coordinates: [0.5, 1, -0.2, 0, 2, -1])),
                         lastStep: 50, recordEvery: 10, noise: RandomStream(seed: noiseSeed), parallel: .serial)
      return try Solver.run(plan, sink: TraceTable()).state.cloud
    }
    #expect(try finalCloud(noiseSeed: 1) == finalCloud(noiseSeed: 2))
  }
}
