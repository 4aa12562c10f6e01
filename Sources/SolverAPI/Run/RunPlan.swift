/// Everything a run needs, composed: the problem, the integrator, the starting state, how long to run
/// and what to record. The registry builds one from a config; code can build one directly.
public struct RunPlan {
  public var problem: Problem
  public var integrator: any Integrator
  public var state: SolverState
  /// Steps to run from `state.step` on (the run stops at step `state.step + steps`... see `lastStep`).
  public var lastStep: Int
  /// Record a trace row every this many steps (step 0 included; the last step is always recorded).
  public var recordEvery: Int
  public var observers: [any Observer]
  /// The stream the dynamics' noise is drawn from.
  public var noise: RandomStream
  public var parallel: Parallel

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

  /// The trace's columns: step, time (Σ η), temperature, step size, objective, then the objective's
  /// and the observers' own quantities.
  public var columns: [String] {
    ["step", "time", "temperature", "step_size", "objective"] + problem.objective.observableNames
      + observers.flatMap(\.names)
  }
}
