import Foundation
import Integrators
import Objectives
import SolverAPI
import Testing

/// The integrators of docs/math.md §3 against known answers.
struct IntegratorFamilyTests {
  /// Runs `integrator` on the McKean–Vlasov problem (b = 0: plain Langevin) and returns the trace.
  func run(_ integrator: any Integrator, a: Double, b: Double, m: Int, d: Int, steps: Int, every: Int, seed: UInt64) throws -> TraceTable {
    let domain = Euclidean(dimension: d)
    var terms: [any Objective] = [PotentialEnergy(potential: QuadraticPotential(dimension: d, a: a))]
    if b > 0 { terms.append(InteractionEnergy(kernel: QuadraticKernel(dimension: d, b: b), geometry: domain)) }
    let objective = SumObjective(terms: terms, names: terms.map { _ in "term" })
    var rng = RandomStream(seed: seed).generator()
    let cloud = ParticleCloud(count: m, dimension: d, coordinates: (0..<(m * d)).map { _ in rng.normal() })
    let plan = RunPlan(problem: Problem(objective: objective, metric: makeWassersteinMetric(geometry: domain, reference: .flat)),
                       integrator: integrator, state: SolverState(cloud: cloud), lastStep: steps, recordEvery: every,
                       observers: [VarianceObserver()], noise: RandomStream(seed: seed).split("noise"), parallel: .automatic)
    let trace = TraceTable()
    let outcome = try Solver.run(plan, sink: trace)
    #expect(outcome.failure == nil)
    return trace
  }

  /// Mean of the recorded spread from step `from` on.
  func meanSpread(_ t: TraceTable, from: Int) throws -> (mean: Double, count: Int) {
    let v = zip(try t.column("step"), try t.column("variance")).filter { $0.0 >= Double(from) }.map(\.1)
    return (v.reduce(0, +) / Double(v.count), v.count)
  }

  @Test("Euler–Maruyama has weak order 1: the stationary-variance error τη/(2 − η) grows linearly in η (fitted log-log slope)")
  func weakOrderOne() throws {
    // OU dX = −X dt + sqrt(2) dB (a = 1, τ = 1): exact variance 1, the chain's 1/(1 − η/2).
    // Snapshots every 2/η steps (2 time units: correlation e^{−4} ≈ 0.02 between them), 40 of them,
    // m = 2000 independent particles: the relative sd of the averaged spread is sqrt(2/(40 m)) ≈ 0.005,
    // i.e. 0.005/(η/2) relative error on the measured bias — 20% at η = 0.05, 2.5% at η = 0.4. The exact
    // local slope of log(η/(2 − η)) is 1 + η/(2 − η) ∈ [1.03, 1.25] over this range, so the fit is ≈ 1.1;
    // with the measurement noise its sd is ≈ 0.12, and the test allows [0.7, 1.5].
    let etas = [0.05, 0.1, 0.2, 0.4]
    var logEta: [Double] = [], logError: [Double] = []
    for (i, eta) in etas.enumerated() {
      let spacing = Int(2 / eta), burn = Int(6 / eta)
      let t = try run(EulerMaruyama(stepSize: ConstantSchedule(eta), temperature: ConstantSchedule(1)), a: 1, b: 0, m: 2000, d: 1,
                      steps: burn + 40 * spacing, every: spacing, seed: UInt64(20 + i))
      let (spread, _) = try meanSpread(t, from: burn)
      let measured = spread / (1 - 1.0 / 2000) - 1
      let exact = eta / (2 - eta)
      #expect(abs(measured - exact) < 4 * 0.005 * 1.05, "η = \(eta): bias \(measured), exact \(exact)")
      logEta.append(log(eta))
      logError.append(log(max(measured, 1e-6)))
    }
    let mx = logEta.reduce(0, +) / 4, my = logError.reduce(0, +) / 4
    let slope = zip(logEta, logError).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / logEta.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    #expect(slope > 0.7 && slope < 1.5, "fitted slope \(slope)")
  }

  /// Expected spread for the EM chain of rate c (see StationaryLawTests), allowing 4 sd of the
  /// average of K snapshots whose correlation is at most rho.
  func expectLaw(_ measured: Double, count k: Int, tau: Double, c: Double, eta: Double, m: Int, d: Int, rho: Double, label: String) {
    let sigma2 = (1 - 1 / Double(m)) * tau / (c * (1 - eta * c / 2))
    let sd = (2 / Double(m * d) * (1 + rho) / (Double(k) * (1 - rho))).squareRoot() * sigma2
    #expect(abs(measured - sigma2) < 4 * sd, "\(label): measured \(measured), expected \(sigma2) ± \(4 * sd)")
  }

  @Test("dual averaging reaches the Gibbs measure (τ/a) and the McKean–Vlasov answer (τ/(a + b))", arguments: [0.0, 2.0])
  func dualAveraging(b: Double) throws {
    let (a, tau, eta, m, d) = (1.0, 0.5, 0.01, 400, 2)
    let c = a + b, spacing = 50
    let t = try run(EulerMaruyama(step: eta, temperature: tau, estimator: DualAveragedGradient(innerSteps: 250)),
                    a: a, b: b, m: m, d: d, steps: 1000 + 30 * spacing, every: spacing, seed: 31)
    let (mean, k) = try meanSpread(t, from: 1000)
    expectLaw(mean, count: k, tau: tau, c: c, eta: eta, m: m, d: d, rho: pow(1 - eta * c, 2 * Double(spacing)), label: "dual averaging b = \(b)")
  }

  @Test("best response reaches the Gibbs measure (τ/a) and the McKean–Vlasov answer (τ/(a + b))", arguments: [0.0, 2.0])
  func bestResponse(b: Double) throws {
    let (a, tau, eta, m, d) = (1.0, 0.5, 0.01, 400, 2)
    let c = a + b, inner = 100
    // Recorded at outer boundaries; consecutive records share a fraction 1 − α = 1/2 of their particles.
    let t = try run(BestResponse(stepSize: ConstantSchedule(eta), temperature: ConstantSchedule(tau), innerSteps: inner, fraction: 0.5,
                                 random: RandomStream(seed: 40)),
                    a: a, b: b, m: m, d: d, steps: 2000 + 30 * inner, every: inner, seed: 41)
    let (mean, k) = try meanSpread(t, from: 2000)
    expectLaw(mean, count: k, tau: tau, c: c, eta: eta, m: m, d: d, rho: 0.5, label: "best response b = \(b)")
  }
}
