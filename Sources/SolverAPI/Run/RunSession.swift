import Formats
import LinearAlgebra
import Foundation

/// A run in progress: `Solver.run`'s loop, resumable between steps. `advance(by:)` takes up to k steps
/// and returns; the next call carries on exactly where it stopped, so k steps at a time give the trace
/// rows and the particles of one uninterrupted run, bit for bit — every row is recorded by the same
/// code at the same step, whatever the pauses in between (`Solver.run` is this session driven to the end;
/// the Python interface drives it from its `step(k)`).
///
///     let session = try RunSession(plan, sink: table)
///     while try session.advance(by: 100) == nil { inspect(session.plan.state.cloud) }
///
/// A session claims its plan's parts at creation (a plan runs once, `RunPlan`), calls `sink.begin`, and
/// ends when the plan reaches `lastStep` (the final state is recorded) or a step fails (diverged, a part
/// threw, interrupted); then `outcome` is set and further calls return it unchanged.
public final class RunSession {
  /// The plan, with its state as of the last completed step.
  public private(set) var plan: RunPlan
  /// Where the run is. Between steps it may be replaced (new particles, from the Python interface): the
  /// next step starts from it.
  public var state: SolverState {
    get { plan.state }
    set { plan.state = newValue }
  }
  /// Set once the run has ended: completed, diverged, failed or interrupted.
  public private(set) var outcome: RunOutcome?

  let sink: TraceSink
  let progressInterval: Double
  let progress: ((RunProgress) -> Void)?
  let shouldStop: (() -> Bool)?
  let checkpointEvery: Int?
  let cancellable: Bool
  let checkpoint: ((SolverState) throws -> Void)?
  /// The objective when its step evaluations are random estimates (random batches): it draws each step's.
  let randomized: (any StepRandomizedObjective)?

  let clock = ContinuousClock()
  let start: ContinuousClock.Instant
  let firstStep: Int
  var lastProgress = 0.0
  var lastObjective = Double.nan
  // Step times: the last, and a moving average that a scheduler's hiccup does not move much (∞: not known yet).
  var lastStepSeconds = Double.infinity, typicalStepSeconds = Double.infinity

  /// Claims the plan's parts and begins the trace; the arguments are `Solver.run`'s.
  ///
  /// The plan is taken, not copied: pass it with `consume` (as `Solver.run` does) and the particles are
  /// moved in place from the first step, where a plan still held by the caller would make the first
  /// step copy them (copy on write) and the caller keep the starting cloud beside the run's.
  public init(_ plan: consuming RunPlan, sink: TraceSink, progressInterval: Double = 0.25,
              progress: ((RunProgress) -> Void)? = nil, shouldStop: (() -> Bool)? = nil,
              checkpointEvery: Int? = nil, cancellable: Bool = false,
              checkpoint: ((SolverState) throws -> Void)? = nil) throws {
    try RunOnce.claim([("integrator", plan.integrator as AnyObject), ("objective", plan.problem.objective as AnyObject),
                       ("metric", plan.problem.metric as AnyObject)])
    self.plan = consume plan
    self.sink = sink
    self.progressInterval = progressInterval
    self.progress = progress
    self.shouldStop = shouldStop
    self.checkpointEvery = checkpointEvery
    self.cancellable = cancellable
    self.checkpoint = checkpoint
    firstStep = self.plan.state.step
    // The estimate, when the plan has one, stands for the steps not yet timed, and starts the moving average:
    // a first step slowed by one-time costs (page faults, scratch) does not get the next one guarded.
    if let expected = self.plan.expectedStepSeconds { (lastStepSeconds, typicalStepSeconds) = (expected, expected) }
    randomized = (self.plan.problem.objective as? any StepRandomizedObjective).flatMap { $0.isRandomized ? $0 : nil }
    _ = PartFailures.take()  // a report left by an earlier run or a check is not this run's
    try sink.begin(columns: self.plan.columns)
    start = clock.now
  }

  /// Seconds since the session began.
  public func seconds() -> Double {
    let d = clock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  /// Runs the plan to its last step (what `Solver.run` does).
  public func finish() throws -> RunOutcome {
    try advance(by: plan.lastStep - plan.state.step)!
  }

  /// Takes up to `k` steps (never past `lastStep`). Returns the outcome when the run has ended — it reached
  /// `lastStep` (the final state recorded) or a step failed — and nil while steps remain. Errors of the
  /// sink (I/O) are thrown.
  @discardableResult
  public func advance(by k: Int) throws -> RunOutcome? {
    if let outcome { return outcome }
    let stop = min(plan.lastStep, plan.state.step + max(k, 0))
    while plan.state.step < stop {
      if let ended = try step() {
        outcome = ended
        return ended
      }
    }
    guard plan.state.step == plan.lastStep else { return nil }
    let ended = try recordFinal()
    outcome = ended
    return ended
  }

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

  /// One step of the loop; the outcome when it ended the run.
  func step() throws -> RunOutcome? {
    if shouldStop?() == true { return try interrupted() }
    let t = plan.state.step
    randomized?.randomize(step: t)
    // A step that may be long is guarded: its starting point is kept, and a stop request may cut it short.
    let guarded = cancellable && (typicalStepSeconds > 0.1 || lastStepSeconds > 0.5) ? Solver.StepGuard(plan) : nil
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
      // A part that cannot throw (a field across the plugin boundary) left its error here.
      if let reported = PartFailures.take() { throw reported }
    } catch {
      if let guarded, Cancellation.requested { try guarded.discard(&plan); return try interrupted() }
      Cancellation.arm(false)
      return RunOutcome(state: plan.state, stepsTaken: t - firstStep, finalObjective: lastObjective, finalRow: [],
                        wallSeconds: seconds(), failure: Solver.partFailure(error, step: t))
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
    if let failure = Solver.divergence(plan.state, objective: f, step: t, stepSize: eta) {
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
    return nil
  }

  /// The final state, always recorded.
  func recordFinal() throws -> RunOutcome {
    let t = plan.state.step
    randomized?.randomize(step: t)
    let f: Double, row: [Double]
    do {
      f = try plan.problem.objective.evaluate(plan.state.cloud, gradient: nil, parallel: plan.parallel)
      row = [Double(t), plan.state.time, plan.integrator.temperature.value(at: t),
             plan.integrator.stepSize.value(at: t), f] + (try observables(plan.state))
      if let reported = PartFailures.take() { throw reported }
    } catch {
      return RunOutcome(state: plan.state, stepsTaken: t - firstStep, finalObjective: lastObjective, finalRow: [],
                        wallSeconds: seconds(), failure: Solver.partFailure(error, step: t))
    }
    try sink.record(row, wallSeconds: seconds())
    if let every = plan.snapshotEvery, t % every == 0 { try sink.snapshot(step: t, cloud: plan.state.cloud) }
    progress?(RunProgress(step: t, lastStep: plan.lastStep, objective: f, elapsed: seconds()))
    return RunOutcome(state: plan.state, stepsTaken: t - firstStep, finalObjective: f, finalRow: row,
                      wallSeconds: seconds(), failure: nil)
  }
}
