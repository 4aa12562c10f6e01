import LinearAlgebra

/// Everything a run needs, composed: the problem, the integrator, the starting state, how long to run
/// and what to record. The registry builds one from a config (`Composition`); code can build one
/// directly (README.md, "Library use"):
///
///     let plan = RunPlan(problem: Problem(objective: objective, domain: domain),
///                        integrator: EulerMaruyama(step: 0.005, temperature: 0.5),
///                        particles: try ParticleCloud(GaussianCloud(std: 1, on: domain), count: 2000, dimension: 2, seed: 7),
///                        steps: 2000, seed: 7)
///     let outcome = try Solver.run(plan, sink: TraceTable())
///
/// **A plan runs once.** Its parts keep state from step to step — a warm-started inner solve, dual
/// averaging's snapshots, an SVRG anchor, scratch sized for the cloud — so a second run of the same
/// parts would not repeat the first. `Solver.run` therefore refuses a plan whose integrator, objective
/// or metric has already driven a run (copies of a plan share their parts, and are refused too), with a
/// message saying to build the plan again; built again from fresh parts, with the same seed, it repeats
/// the run bit for bit.
public struct RunPlan {
  public var problem: Problem
  public var integrator: any Integrator
  public var state: SolverState
  /// The run stops at step `lastStep` (steps `state.step ..< lastStep` are taken).
  public var lastStep: Int
  /// Record a trace row every this many steps (step 0 included; the last step is always recorded).
  public var recordEvery: Int
  public var observers: [any Observer]
  /// The stream the dynamics' noise is drawn from.
  public var noise: RandomStream
  public var parallel: Parallel
  /// Hand the particles to the sink every this many steps (`record.particles_every`; nil: never).
  public var snapshotEvery: Int?
  /// About how long one step will take (the registry's `StepCost`; nil: unknown). A cancellable run guards
  /// its first step — keeps a copy of the particles so that a stop request can cut the step short —
  /// unless this says the step is short (under 0.1 s): a copy of a cloud of 10⁸ particles is not kept
  /// for a stop that would wait a fraction of a second anyway.
  public var expectedStepSeconds: Double?

  public init(problem: Problem, integrator: any Integrator, state: SolverState, lastStep: Int, recordEvery: Int,
              observers: [any Observer] = [], noise: RandomStream, parallel: Parallel) {
    self.problem = problem
    self.integrator = integrator
    self.state = state
    self.lastStep = lastStep
    self.recordEvery = recordEvery
    self.observers = observers
    self.noise = noise
    self.parallel = parallel
  }

  /// A plan from step 0 of `particles` for `steps` steps, with the noise stream a config with this
  /// seed uses — so the same parts, particles and seed give `mfld run`'s trace bit for bit.
  public init(problem: Problem, integrator: any Integrator, particles: ParticleCloud, steps: Int, recordEvery: Int = 10,
              observers: [any Observer] = [], seed: UInt64 = 0, parallel: Parallel = .automatic) {
    self.init(problem: problem, integrator: integrator, state: SolverState(cloud: particles), lastStep: steps,
              recordEvery: recordEvery, observers: observers, noise: RunPlan.randomRoot(seed: seed).split("noise"), parallel: parallel)
  }

  /// The root of every random stream of a run with this seed: a config's parts draw from
  /// `split("parts").split(keyPath)`, its initial particles from `split("particles.init")`, the dynamics'
  /// noise from `split("noise")`.
  public static func randomRoot(seed: UInt64) -> RandomStream { RandomStream(seed: seed) }

  /// The trace's columns: step, time (Σ η), temperature, step size, objective, then the objective's
  /// and the observers' own quantities.
  public var columns: [String] {
    ["step", "time", "temperature", "step_size", "objective"] + problem.objective.observableNames
      + observers.flatMap(\.names)
  }
}
