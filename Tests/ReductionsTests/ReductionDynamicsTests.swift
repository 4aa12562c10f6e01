import Foundation
import Integrators
import Objectives
import Reductions
import SolverAPI
import Testing

/// What the reductions' dynamics must do (docs/math.md §2).
struct ReductionDynamicsTests {
  func run(_ reduction: any Reduction, _ net: TwoLayerNetwork, metric: ReducedProblem.MetricChoice = .wasserstein(ratio: 1),
           steps: Int, eta: Double, tau: Double, m: Int = 30, every: Int = 1) throws -> (TraceTable, RunOutcome) {
    let problem = try ReducedProblem.make(reduction, net, metric: metric)
    let positions = InnerSolveTests.cloud(m, seed: 12)
    let cloud = reduction.initialParticles(positions: positions, random: RandomStream(seed: 13))
    let plan = RunPlan(problem: problem, integrator: EulerMaruyama(stepSize: ConstantSchedule(eta), temperature: ConstantSchedule(tau)),
                       state: SolverState(cloud: cloud), lastStep: steps, recordEvery: every, noise: RandomStream(seed: 14), parallel: .automatic)
    let trace = TraceTable()
    let outcome = try Solver.run(plan, sink: trace)
    return (trace, outcome)
  }

  @Test("noiseless bilevel gradient descent decreases J_λ at every step")
  func bilevelDescent() throws {
    let (trace, _) = try run(BilevelReduction(solver: .auto), InnerSolveTests.network(samples: 40), steps: 100, eta: 0.05, tau: 0)
    let j = try trace.column("objective")
    for t in 1..<j.count { #expect(j[t] < j[t - 1], "J rose at step \(t): \(j[t - 1]) → \(j[t])") }
  }

  @Test("noiseless lifted gradient descent decreases F_lift at every step, for both metrics",
        arguments: [ReducedProblem.MetricChoice.wasserstein(ratio: 1), .conic(alpha: 1, mirror: true), .conic(alpha: 0.5, mirror: false)])
  func liftDescent(metric: ReducedProblem.MetricChoice) throws {
    let (trace, _) = try run(LiftReduction(initialWeight: 0.5), InnerSolveTests.network(samples: 40), metric: metric,
                             steps: 100, eta: 0.02, tau: 0)
    let f = try trace.column("objective")
    for t in 1..<f.count { #expect(f[t] < f[t - 1], "F rose at step \(t): \(f[t - 1]) → \(f[t])") }
  }

  @Test("the conic update keeps the sign of every weight, with noise too")
  func conicKeepsSigns() throws {
    let reduction = LiftReduction(initialWeight: 1)
    let net = InnerSolveTests.network(samples: 30)
    let start = reduction.initialParticles(positions: InnerSolveTests.cloud(30, seed: 12), random: RandomStream(seed: 13))
    let (_, outcome) = try run(reduction, net, metric: .conic(alpha: 1, mirror: true), steps: 300, eta: 0.2, tau: 1e-2)
    for i in 0..<30 { #expect(outcome.state.cloud[i, 0].sign == start[i, 0].sign && outcome.state.cloud[i, 0] != 0) }
  }

  @Test("a large λ drives ‖ν‖_TV to 0: the bilevel weights scale like 1/λ")
  func largeLambdaKillsMass() throws {
    let w = InnerSolveTests.cloud(20)
    var tv: [Double] = []
    for lambda in [1e-2, 1e2, 1e4] {
      let objective = BilevelObjective(InnerSolveTests.network(samples: 30, lambda: lambda))
      let (r, _) = try objective.signedMeasure(of: w, parallel: .serial)
      tv.append(r.reduce(0) { $0 + abs($1) } / 20)
    }
    #expect(tv[1] < 1e-3 * tv[0])
    #expect(abs(tv[2] / tv[1] - 1e-2) < 1e-3)  // in the 1/λ regime, 100× λ is 1/100 of the mass
    #expect(tv[2] < 1e-5)
  }

  @Test("reported quantities agree with G_λ, R + λTV, R and TV evaluated from scratch on the final particles",
        arguments: [ReducedProblem.MetricChoice.wasserstein(ratio: 1), .conic(alpha: 1, mirror: true)])
  func reportedQuantities(metric: ReducedProblem.MetricChoice) throws {
    let net = InnerSolveTests.network(samples: 30)
    let (trace, outcome) = try run(LiftReduction(initialWeight: 0.7), net, metric: metric, steps: 5, eta: 0.01, tau: 0)
    let row = trace.rows.last!, c = trace.columns
    let value = { (name: String) in row[c.firstIndex(of: name)!] }
    // The signed measure of the final particles (r, w): mass r (transport) or r|r| (conic), on W = S^3.
    let cloud = outcome.state.cloud, m = cloud.count, n = net.labels.count, d = net.data.dimension
    let conic: Bool = { if case .conic = metric { return true } else { return false } }()
    let mass = (0..<m).map { i in conic ? cloud[i, 0] * abs(cloud[i, 0]) : cloud[i, 0] }
    // f_k = (1/m) Σ_i mass_i tanh(⟨w_i, (x_k, 1)⟩), summed here directly, not by the library's kernels.
    var risk = 0.0
    for k in 0..<n {
      var f = 0.0
      for i in 0..<m {
        var t = cloud[i, 1 + d]  // the bias coordinate
        for j in 0..<d { t += cloud[i, 1 + j] * net.data.inputs[k * d + j] }
        f += mass[i] * tanh(t)
      }
      f /= Double(m)
      risk += 0.5 * (f - net.labels[k]) * (f - net.labels[k]) / Double(n)
    }
    let tv = mass.reduce(0) { $0 + abs($1) } / Double(m)
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }
    #expect(close(value("risk"), risk), "risk \(value("risk")) vs \(risk)")
    #expect(close(value("tv"), tv), "tv \(value("tv")) vs \(tv)")
    #expect(close(value("G_lambda"), risk + 0.5 * net.lambda * tv * tv))
    #expect(close(value("R_plus_lambda_TV"), risk + net.lambda * tv))
    // F_lift = R + (λ/2)∫ r² dμ ≥ G_λ (Cauchy–Schwarz: TV² ≤ ∫ r² dμ); the conic objective is G_λ itself.
    #expect(conic ? close(value("objective"), value("G_lambda")) : value("objective") >= value("G_lambda"))
  }
}
