import Formats
import LinearAlgebra
import Foundation

/// The run loop: evaluate, record with a stride, move, check — until the last step.
public enum Solver {
  /// Runs `plan`, streaming trace rows to `sink`. A step that leaves a non-finite coordinate (or
  /// objective) ends the run there with a `.diverged` failure in the outcome, a part that throws during a
  /// step with its error (a `.numerical` failure unless it threw a `RunError`); the trace so far is
  /// kept. Errors of the sink (I/O) are thrown. `progress` is called about every `progressInterval` seconds.
  /// `checkpoint` is called with the state every `checkpointEvery` steps (after the step, once its trace
  /// row is out) and when the run is stopped by `shouldStop`.
  ///
  /// A plan runs once: a plan whose integrator, objective or metric has driven a run before is refused
  /// with a `.reused` error before anything happens (RunPlan explains why).
  ///
  /// `cancellable` (one run per process: `Cancellation` is process-wide): a step that may take long — the
  /// first, and any while steps typically take more than 0.1 s (a moving average), or after one of more than
  /// 0.5 s — is guarded; steps shorter than that finish before a stop request is seen. The particles and the parts' checkpoint
  /// state are kept from before it, and `Cancellation` is armed, so that a stop request (a signal calling
  /// `Cancellation.request()`) cuts the step short. The run then ends as interrupted at the last completed
  /// step, with that step's state restored and checkpointed: resuming repeats the cut step exactly.
  public static func run(_ plan: RunPlan, sink: TraceSink, progressInterval: Double = 0.25,
                         progress: ((RunProgress) -> Void)? = nil, shouldStop: (() -> Bool)? = nil,
                         checkpointEvery: Int? = nil, cancellable: Bool = false,
                         checkpoint: ((SolverState) throws -> Void)? = nil) throws -> RunOutcome {
    try RunOnce.claim([("integrator", plan.integrator as AnyObject), ("objective", plan.problem.objective as AnyObject),
                       ("metric", plan.problem.metric as AnyObject)])
    var plan = plan
    try sink.begin(columns: plan.columns)
    let clock = ContinuousClock()
    let start = clock.now
    func seconds() -> Double {
      let d = clock.now - start
      return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    var lastProgress = 0.0
    var lastObjective = Double.nan
    let firstStep = plan.state.step

    func observables(_ state: SolverState) throws -> [Double] {
      var row = try plan.problem.objective.observe(state.cloud, parallel: plan.parallel)
      let tau = plan.integrator.temperature.value(at: state.step)
      for o in plan.observers { row += try o.observe(state, problem: plan.problem, temperature: tau, parallel: plan.parallel) }
      return row
    }

    func interrupted() throws -> RunOutcome {
      try checkpoint?(plan.state)
      return RunOutcome(state: plan.state, stepsTaken: plan.state.step - firstStep, finalObjective: lastObjective,
                        finalRow: [], wallSeconds: seconds(),
                        failure: RunError(.interrupted, "interrupted at step \(plan.state.step)", step: plan.state.step))
    }
    // Step times: the last, and a moving average that a scheduler's hiccup does not move much.
    var lastStepSeconds = Double.infinity, typicalStepSeconds = Double.infinity
    let randomized = (plan.problem.objective as? any StepRandomizedObjective).flatMap { $0.isRandomized ? $0 : nil }
    while plan.state.step < plan.lastStep {
      if shouldStop?() == true { return try interrupted() }
      let t = plan.state.step
      randomized?.randomize(step: t)
      // A step that may be long is guarded: its starting point is kept, and a stop request may cut it short.
      let guarded = cancellable && (typicalStepSeconds > 0.1 || lastStepSeconds > 0.5) ? StepGuard(plan) : nil
      if guarded != nil { Cancellation.arm(true) }
      let stepStart = seconds()
      let recording = t % plan.recordEvery == 0
      let tau = plan.integrator.temperature.value(at: t)
      let eta = plan.integrator.stepSize.value(at: t)
      let before: (time: Double, extra: [Double]), exact: Double?, f: Double
      do {
        before = (plan.state.time, recording ? try observables(plan.state) : [])
        if let every = plan.snapshotEvery, t % every == 0 { try sink.snapshot(step: t, cloud: plan.state.cloud) }
        exact = recording && !plan.integrator.reportsExactObjective
          ? try plan.problem.objective.evaluate(plan.state.cloud, gradient: nil, parallel: plan.parallel) : nil
        f = try plan.integrator.step(&plan.state, problem: plan.problem, noise: plan.noise, parallel: plan.parallel)
      } catch {
        if let guarded, Cancellation.requested { try guarded.discard(&plan); return try interrupted() }
        Cancellation.arm(false)
        return RunOutcome(state: plan.state, stepsTaken: t - firstStep, finalObjective: lastObjective, finalRow: [],
                          wallSeconds: seconds(), failure: partFailure(error, step: t))
      }
      if let guarded {
        if Cancellation.requested { try guarded.discard(&plan); return try interrupted() }
        Cancellation.arm(false)
      }
      lastStepSeconds = seconds() - stepStart
      typicalStepSeconds = typicalStepSeconds.isFinite ? 0.8 * typicalStepSeconds + 0.2 * lastStepSeconds : lastStepSeconds
      lastObjective = exact ?? f
      if recording {
        try sink.record([Double(t), before.time, tau, eta, exact ?? f] + before.extra, wallSeconds: seconds())
      }
      if let failure = divergence(plan.state, objective: f, step: t, stepSize: eta) {
        return RunOutcome(state: plan.state, stepsTaken: t + 1 - firstStep, finalObjective: f, finalRow: [],
                          wallSeconds: seconds(), failure: failure)
      }
      if let every = checkpointEvery, plan.state.step % every == 0, plan.state.step < plan.lastStep { try checkpoint?(plan.state) }
      if let progress {
        let now = seconds()
        if now - lastProgress >= progressInterval {
          lastProgress = now
          progress(RunProgress(step: plan.state.step, lastStep: plan.lastStep, objective: f, elapsed: now))
        }
      }
    }
    // The final state is always recorded.
    let t = plan.state.step
    randomized?.randomize(step: t)
    let f: Double, row: [Double]
    do {
      f = try plan.problem.objective.evaluate(plan.state.cloud, gradient: nil, parallel: plan.parallel)
      row = [Double(t), plan.state.time, plan.integrator.temperature.value(at: t),
             plan.integrator.stepSize.value(at: t), f] + (try observables(plan.state))
    } catch {
      return RunOutcome(state: plan.state, stepsTaken: t - firstStep, finalObjective: lastObjective, finalRow: [],
                        wallSeconds: seconds(), failure: partFailure(error, step: t))
    }
    try sink.record(row, wallSeconds: seconds())
    if let every = plan.snapshotEvery, t % every == 0 { try sink.snapshot(step: t, cloud: plan.state.cloud) }
    progress?(RunProgress(step: t, lastStep: plan.lastStep, objective: f, elapsed: seconds()))
    return RunOutcome(state: plan.state, stepsTaken: t - firstStep, finalObjective: f, finalRow: row,
                      wallSeconds: seconds(), failure: nil)
  }

  /// The starting point of a guarded step: the particles and the parts' checkpoint state.
  struct StepGuard {
    let state: SolverState
    let parts: [(part: any Checkpointable, state: [String: [Double]])]

    init(_ plan: RunPlan) {
      state = plan.state
      parts = [plan.integrator as AnyObject, plan.problem.objective as AnyObject].compactMap { $0 as? any Checkpointable }
        .map { ($0, $0.checkpointState()) }
    }

    /// The step was cut short: back to where it started (the request cleared, so that writing the outputs
    /// runs its loops in full).
    func discard(_ plan: inout RunPlan) throws {
      Cancellation.arm(false)
      Cancellation.reset()
      plan.state = state
      for (part, saved) in parts { try part.restoreCheckpoint(saved) }
    }
  }

  /// What an error thrown by a part during step `step` (a failed inner solve, a plugin's exception) ends
  /// the run with: a failure in the outcome, so that the trace so far, the summary and the particles are
  /// still written. A run error keeps its kind; anything else is a numerical failure naming the part's error.
  private static func partFailure(_ error: Error, step: Int) -> RunError {
    if var r = error as? RunError {
      r.step = r.step ?? step
      return r
    }
    return RunError(.numerical, "failed at step \(step): \(error)", step: step)
  }

  private static func divergence(_ state: SolverState, objective: Double, step: Int, stepSize: Double) -> RunError? {
    // The hint is built only on failure: this runs every step, which must not allocate.
    var hint: String { "try a smaller step size (integrator.step, now \(CSVFormat.number(stepSize)))" }
    if !objective.isFinite && step == 0 {
      // No particle has moved yet: not a step-size problem.
      return RunError(.numerical, "the objective is \(objective.isNaN ? "nan" : "\(objective)") at the initial particles, before any move: a part returns "
                        + "a non-finite value there (a formula undefined there, a wrong plugin); `mfld check CONFIG` tests each part", step: step)
    }
    if !objective.isFinite {
      // F is evaluated before the move, at particles the previous step found finite: a part returned a non-finite
      // value there, or the particles have run so far out that F overflows.
      return RunError(.diverged, "diverged at step \(step): the objective became \(objective.isNaN ? "nan" : "\(objective)") at finite particles — a part returned a "
                        + "non-finite value (`mfld check` tests each part), or the particles ran far out: \(hint)", step: step)
    }
    if let (i, k) = state.cloud.firstNonFinite() {
      let v = state.cloud[i, k]
      return RunError(.diverged, "diverged at step \(step): particle \(i) coordinate \(k + 1) became \(v); \(hint)", step: step)
    }
    return nil
  }
}
