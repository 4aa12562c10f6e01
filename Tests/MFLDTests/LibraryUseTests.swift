import Foundation
import MFLD
import Testing

/// `mfld` as a library: a run built and executed in code with `import MFLD` alone (README.md, "Library
/// use", shows the same lines), and what happens when a plan is run twice.
struct LibraryUseTests {
  /// The README's example: the McKean–Vlasov problem of examples/mckean-vlasov.json, in code.
  static func mcKeanVlasovInCode() throws -> (TraceTable, RunOutcome) {
    // F(μ) = ∫ a|x|²/2 dμ + ½∬ b|x − y|²/2 dμ dμ on ℝ², a = 1, b = 2: at τ = 0.5 the minimizer of F + τH is N(0, τ/(a + b) I).
    let domain = Euclidean(dimension: 2)
    let objective = SumObjective(terms: [PotentialEnergy(potential: QuadraticPotential(dimension: 2, a: 1)),
                                         InteractionEnergy(kernel: QuadraticKernel(dimension: 2, b: 2), geometry: domain)],
                                 names: ["potential", "interaction"])
    let plan = RunPlan(problem: Problem(objective: objective, domain: domain),
                       integrator: EulerMaruyama(step: 0.005, temperature: 0.5),
                       particles: try ParticleCloud(GaussianCloud(std: 1, on: domain), count: 2000, dimension: 2, seed: 7),
                       steps: 2000, recordEvery: 20, observers: [VarianceObserver()], seed: 7)
    let trace = TraceTable()
    let outcome = try Solver.run(plan, sink: trace)
    return (trace, outcome)
  }

  static let exampleFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/mckean-vlasov.json").path

  @Test("a run built in code is the shipped config's run, bit for bit")
  func codeMatchesConfig() throws {
    let (trace, outcome) = try Self.mcKeanVlasovInCode()
    let composed = try Composition.load(file: Self.exampleFile)
    let reference = TraceTable()
    let expected = try Solver.run(composed.plan, sink: reference)
    #expect(trace.columns == reference.columns)
    #expect(trace.rows == reference.rows)
    #expect(outcome.state.cloud == expected.state.cloud)
    // And it is the answer: the late variance is the Euler–Maruyama chain's τ/(c(1 − ηc/2)), c = a + b,
    // times the finite-particle factor (1 − 1/m). Averaged over the last K = 50 records (from t = 5, where
    // the start has decayed by e^{−2ct} = e^{−30}), m d = 4000 coordinates whose records 20 steps apart
    // correlate by ρ = (1 − ηc)^40, its standard deviation is σ² sqrt(2/(md) · (1 + ρ)/(K(1 − ρ))).
    let late = try trace.column("variance").suffix(50)
    let mean = late.reduce(0, +) / Double(late.count)
    let law = (1 - 1.0 / 2000) * 0.5 / (3 * (1 - 0.005 * 3 / 2))
    let rho = pow(1 - 0.005 * 3, 40.0)
    let sd = law * (2.0 / 4000 * (1 + rho) / (50 * (1 - rho))).squareRoot()
    #expect(abs(mean - law) < 4 * sd, "late variance \(mean), law \(law) ± \(4 * sd)")
  }

  @Test("a plan runs once: a second run of its parts is refused, a plan built again repeats the run")
  func planRunsOnce() throws {
    let composed = try Composition.load(file: Self.exampleFile, overrides: ["steps=30"])
    let first = TraceTable()
    _ = try Solver.run(composed.plan, sink: first)
    let copy = composed.plan
    do {
      _ = try Solver.run(copy, sink: TraceTable())
      Issue.record("a plan ran twice")
    } catch let e as RunError {
      #expect(e.kind == .reused && e.description.contains("a plan runs once") && e.description.contains("compose the config again"))
    }
    let again = TraceTable()
    _ = try Solver.run(try Composition.compose(composed.config).plan, sink: again)
    #expect(again.rows == first.rows)
  }

  /// Where the cloud's coordinates live, at every recorded step.
  final class BufferWitness: Observer {
    var addresses: [Int] = []
    var names: [String] { [] }
    func observe(_ state: SolverState, problem: Problem, temperature: Double, parallel: Parallel) throws -> [Double] {
      addresses.append(state.cloud.coordinates.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) })
      return []
    }
  }

  /// An integrator that does not commit before moving (a plugin's, by default): Euler–Maruyama's steps, but a
  /// guarded step must keep a copy of the particles to restore.
  final class Uncommitted: Integrator {
    let inner: EulerMaruyama
    init(_ inner: EulerMaruyama) { self.inner = inner }
    var temperature: any Schedule { inner.temperature }
    var stepSize: any Schedule { inner.stepSize }
    func step(_ state: inout SolverState, problem: Problem, noise: RandomStream, parallel: Parallel) throws -> Double {
      try inner.step(&state, problem: problem, noise: noise, parallel: parallel)
    }
  }

  @Test("a run moves its particles in place: the experiment keeps no copy of the start, a step estimated short is not guarded, and a guarded Euler–Maruyama step keeps no copy either",
        arguments: [("estimated", true), ("unknown", true), ("unknown, uncommitted", false)])
  func particlesMoveInPlace(estimate: String, inPlace: Bool) throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-inplace-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    var experiment = try Experiment.load(file: Self.exampleFile, overrides: ["steps=4", "record.every=1"])
    if estimate == "estimated" {
      // Composed, the plan carries the step's estimate (StepCost): 2000 particles in 2-D, well under 0.1 s.
      #expect((experiment.plan.expectedStepSeconds ?? .infinity) < 0.1)
    } else {
      // Unknown, the first step of a cancellable run is guarded. Euler–Maruyama commits before it moves the
      // particles, so the guard keeps none; an integrator that does not makes the guard keep them, and the
      // step moves a copy beside the kept start.
      experiment.plan.expectedStepSeconds = nil
      if !inPlace { experiment.plan.integrator = Uncommitted(try #require(experiment.plan.integrator as? EulerMaruyama)) }
    }
    let witness = BufferWitness()
    experiment.plan.observers.append(witness)
    let result = try (consume experiment).run(outputPath: out.path, cancellable: true)
    #expect(result.outcome.failure == nil && witness.addresses.count == 5)  // steps 0–3 and the final record
    #expect((witness.addresses[1] == witness.addresses[0]) == inPlace, "\(witness.addresses)")
    // After it, steps are short: none is guarded, every one moves the particles in place.
    #expect(Set(witness.addresses.dropFirst()).count == 1, "\(witness.addresses)")
  }
}
