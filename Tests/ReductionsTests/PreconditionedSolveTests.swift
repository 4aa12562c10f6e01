import Foundation
import Integrators
import LinearAlgebra
import Objectives
import Reductions
import SolverAPI
import Testing

/// The square-loss inner solve by warm-started conjugate gradients on an earlier step's Cholesky
/// factor (`method: pcg`, docs/math.md §2): as exact as a fresh factorization, rarely refactoring, and
/// invisible to the dynamics — observation, thread count, minibatches and resumes change nothing.
struct PreconditionedSolveTests {
  /// The two systems: n ≤ m solves the n × n kernel system, m < n the m × m Woodbury one. The
  /// Woodbury case, at the smaller λ, is the harder one. At these small sizes a factorization costs
  /// only a few iterations (`refactorCost`), so the rent-or-buy policy refactors every few steps: both
  /// cases exercise it.
  static let systems: [Size] = [Size(n: 30, m: 45, lambda: 1e-2), Size(n: 45, m: 20, lambda: 1e-3)]
  struct Size: CustomTestStringConvertible, Sendable {
    var n: Int, m: Int, lambda: Double
    var testDescription: String { "n = \(n), m = \(m), λ = \(lambda)" }
  }

  static func problem(_ size: Size, method: BilevelObjective.InnerMethod, tolerance: Double = 1e-12) throws -> (Problem, BilevelObjective) {
    let problem = try ReducedProblem.make(BilevelReduction(solver: .auto, method: method, tolerance: tolerance),
                                          InnerSolveTests.network(samples: size.n, lambda: size.lambda))
    return (problem, problem.objective as! BilevelObjective)
  }

  static func plan(_ problem: Problem, m: Int, steps: Int, every: Int = 1, eta: Double = 0.2,
                   integrator: (any Integrator)? = nil, parallel: Parallel = .automatic) -> RunPlan {
    RunPlan(problem: problem, integrator: integrator ?? EulerMaruyama(stepSize: ConstantSchedule(eta), temperature: ConstantSchedule(1e-3)),
            state: SolverState(cloud: InnerSolveTests.cloud(m, seed: 12)), lastStep: steps, recordEvery: every,
            noise: RandomStream(seed: 14), parallel: parallel)
  }

  static func run(_ plan: RunPlan) throws -> (TraceTable, RunOutcome) {
    let trace = TraceTable()
    let outcome = try Solver.run(plan, sink: trace)
    return (trace, outcome)
  }

  @Test("along a trajectory, pcg gives the weights and J_λ of a fresh Cholesky solve to 1e-9", arguments: systems)
  func agreesWithCholesky(size: Size) throws {
    // Both solves reach relative residual 1e-12 on (K + nλI)a = y. A priori that bounds their
    // difference in a by κ · 2e-12 with κ ≤ 1 + ‖K‖/(nλ) ≤ 1 + 1/λ (|Φ| ≤ 1 for tanh), 2e-9 at
    // λ = 1e-3; measured, it is below 1e-12, so 1e-9 keeps three orders of margin over what
    // happens while still catching a solve that stops early. J_λ = (λ/2)yᵀa and r = F a inherit it.
    let (problem, cholesky) = try Self.problem(size, method: .cholesky)
    let (_, pcg) = try Self.problem(size, method: .pcg)
    var state = SolverState(cloud: InnerSolveTests.cloud(size.m, seed: 12))
    let integrator = EulerMaruyama(stepSize: ConstantSchedule(0.2), temperature: ConstantSchedule(1e-3))
    var iterations = 0
    for _ in 0..<40 {
      let (r1, _) = try cholesky.signedMeasure(of: state.cloud, parallel: .serial)
      let (r2, _) = try pcg.signedMeasure(of: state.cloud, parallel: .serial)
      iterations += pcg.lastIterations
      #expect(InnerSolveTests.relativeError(r2, r1) < 1e-9, "step \(state.step)")
      let (j1, j2) = (try cholesky.value(state.cloud), try pcg.value(state.cloud))
      #expect(abs(j2 - j1) <= 1e-9 * abs(j1), "step \(state.step)")
      _ = try integrator.step(&state, problem: problem, noise: RandomStream(seed: 14), parallel: .serial)
    }
    // PCG did the work: conjugate-gradient steps on every solve after the first, few factorizations.
    #expect(cholesky.factorizations == 40)
    #expect(pcg.factorizations <= 20 && iterations >= 20 * 4)
  }

  @Test("the recorded inner_residual meets the tolerance at every step", arguments: [1e-12, 1e-10])
  func residualAtEveryStep(tolerance: Double) throws {
    for size in Self.systems {
      let (problem, _) = try Self.problem(size, method: .pcg, tolerance: tolerance)
      let (trace, _) = try Self.run(Self.plan(problem, m: size.m, steps: 40))
      let residuals = try trace.column("inner_residual"), iterations = try trace.column("inner_iterations")
      #expect(residuals.count == 41 && residuals.allSatisfy { $0 <= tolerance }, "\(size.testDescription): \(residuals.max()!)")
      #expect(iterations.filter { $0 > 0 }.count >= 20, "most solves are iterative")
    }
  }

  @Test("pcg refactors by rent-or-buy: a 60-step run needs at most a third of Cholesky's 61 factorizations", arguments: systems)
  func refactorsRarely(size: Size) throws {
    let (problem, objective) = try Self.problem(size, method: .pcg)
    _ = try Self.run(Self.plan(problem, m: size.m, steps: 60, every: 10))
    let (reference, fresh) = try Self.problem(size, method: .cholesky)
    _ = try Self.run(Self.plan(reference, m: size.m, steps: 60, every: 10))
    #expect(fresh.factorizations == 61)  // one per distinct cloud: steps 0…60
    #expect(objective.factorizations <= 20)
  }

  @Test("observing does not change the trajectory: recording every step or every 7th ends on the same bits", arguments: systems)
  func observationIsInvisible(size: Size) throws {
    let (p1, o1) = try Self.problem(size, method: .pcg), (p7, o7) = try Self.problem(size, method: .pcg)
    let (_, every1) = try Self.run(Self.plan(p1, m: size.m, steps: 30, every: 1))
    let (_, every7) = try Self.run(Self.plan(p7, m: size.m, steps: 30, every: 7))
    #expect(every1.state.cloud == every7.state.cloud)
    #expect(o1.factorizations == o7.factorizations)
  }

  @Test("results do not depend on the thread count", arguments: systems)
  func threadCountInvariant(size: Size) throws {
    let (p1, _) = try Self.problem(size, method: .pcg), (p3, _) = try Self.problem(size, method: .pcg)
    let (t1, serial) = try Self.run(Self.plan(p1, m: size.m, steps: 20, parallel: .serial))
    let (t3, threaded) = try Self.run(Self.plan(p3, m: size.m, steps: 20, parallel: Parallel(threads: 3)))
    #expect(serial.state.cloud == threaded.state.cloud && t1.rows == t3.rows)
  }

  @Test("on minibatches every system is new: pcg refactors each step and runs bit for bit as cholesky", arguments: systems)
  func minibatches(size: Size) throws {
    func sgd() -> any Integrator {
      EulerMaruyama(step: 0.2, temperature: 1e-3, estimator: MinibatchGradient(batchSize: 16, random: RandomStream(seed: 8)))
    }
    let (pcgProblem, pcg) = try Self.problem(size, method: .pcg), (choleskyProblem, cholesky) = try Self.problem(size, method: .cholesky)
    let (t1, o1) = try Self.run(Self.plan(pcgProblem, m: size.m, steps: 20, every: 3, integrator: sgd()))
    let (t2, o2) = try Self.run(Self.plan(choleskyProblem, m: size.m, steps: 20, every: 3, integrator: sgd()))
    #expect(t1.rows == t2.rows && o1.state.cloud == o2.state.cloud)
    #expect(pcg.factorizations == cholesky.factorizations)
    #expect(try t1.column("inner_residual").allSatisfy { $0 <= 1e-12 })
  }

  @Test("a run checkpointed mid-way and resumed in a fresh objective continues bit for bit", arguments: systems)
  func checkpointResume(size: Size) throws {
    // The uninterrupted run, with the objective's state captured after every step.
    let (problem, objective) = try Self.problem(size, method: .pcg)
    var checkpoints: [(state: SolverState, parts: [String: [Double]])] = []
    let whole = TraceTable()
    let outcome = try Solver.run(Self.plan(problem, m: size.m, steps: 40, every: 3), sink: whole, checkpointEvery: 1) { state in
      checkpoints.append((state, objective.checkpointState()))
    }
    // Resume from step 20, and (where the run has one) from a step whose next solve must refactor.
    var starts = [checkpoints[19]]
    if let flagged = checkpoints.first(where: { $0.parts["pcg_refactor"]?.first == 1 }) { starts.append(flagged) }
    #expect(starts.count == 2 || size.n <= size.m, "the Woodbury case refactors within 40 steps")
    for checkpoint in starts {
      #expect(checkpoint.parts["pcg_factor_positions"]?.count == size.m * 4, "the factor travels as the positions it was computed at")
      let (fresh, restored) = try Self.problem(size, method: .pcg)
      try restored.restoreCheckpoint(checkpoint.parts)
      var plan = Self.plan(fresh, m: size.m, steps: 40, every: 3)
      plan.state = checkpoint.state
      let (resumed, resumedOutcome) = try Self.run(plan)
      let t = Double(checkpoint.state.step)
      #expect(resumed.rows.filter { $0[0] > t } == whole.rows.filter { $0[0] > t }, "resumed at step \(checkpoint.state.step)")
      #expect(resumedOutcome.state.cloud == outcome.state.cloud, "resumed at step \(checkpoint.state.step)")
    }
  }

  @Test("restoring a checkpoint and checkpointing again, before any solve, gives back the same state")
  func checkpointRoundTrip() throws {
    let size = Self.systems[1]
    let (problem, objective) = try Self.problem(size, method: .pcg)
    _ = try Self.run(Self.plan(problem, m: size.m, steps: 5))
    let state = objective.checkpointState()
    #expect(state["pcg_start"]?.count == size.n && state["pcg_factor_positions"]?.count == size.m * 4)
    let (_, restored) = try Self.problem(size, method: .pcg)
    try restored.restoreCheckpoint(state)
    #expect(restored.checkpointState() == state)
  }
}
