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
  /// The plan is taken (`consuming`): a caller that passes its last use of it (or `consume plan`) keeps no
  /// copy of the starting particles, so the steps move them in place.
  ///
  /// A plan runs once: a plan whose integrator, objective or metric has driven a run before is refused
  /// with a `.reused` error before anything happens (RunPlan explains why).
  ///
  /// `cancellable` (one run per process: `Cancellation` is process-wide): a step that may take long — the
  /// first (unless `plan.expectedStepSeconds` says it is short), and any while steps typically take more than
  /// 0.1 s (a moving average, started at that estimate), or after one of more than 0.5 s — is guarded; steps
  /// shorter than that finish before a stop request is seen. The parts' checkpoint state is kept from before
  /// it — and the particles, unless the integrator commits before moving them (`Integrator.commitsBeforeMoving`:
  /// Euler–Maruyama does) — and `Cancellation` is armed, so that a stop request (a signal calling
  /// `Cancellation.request()`) cuts the step short. The run then ends as interrupted at the last completed
  /// step, with that step's state restored and checkpointed: resuming repeats the cut step exactly.
  public static func run(_ plan: consuming RunPlan, sink: TraceSink, progressInterval: Double = 0.25,
                         progress: ((RunProgress) -> Void)? = nil, shouldStop: (() -> Bool)? = nil,
                         checkpointEvery: Int? = nil, cancellable: Bool = false,
                         checkpoint: ((SolverState) throws -> Void)? = nil) throws -> RunOutcome {
    // The loop lives in RunSession, which can also take the steps k at a time (the same rows, the same bits).
    try RunSession(consume plan, sink: sink, progressInterval: progressInterval, progress: progress, shouldStop: shouldStop,
                   checkpointEvery: checkpointEvery, cancellable: cancellable, checkpoint: checkpoint).finish()
  }

  /// The starting point of a guarded step: the parts' checkpoint state, and the particles unless the integrator
  /// commits before it moves them (then a cut step has not changed them).
  struct StepGuard {
    let state: SolverState?
    let parts: [(part: any Checkpointable, state: [String: [Double]])]

    init(_ plan: RunPlan) {
      state = plan.integrator.commitsBeforeMoving ? nil : plan.state
      parts = [plan.integrator as AnyObject, plan.problem.objective as AnyObject].compactMap { $0 as? any Checkpointable }
        .map { ($0, $0.checkpointState()) }
    }

    /// The step was cut short: back to where it started (the request cleared, so that writing the outputs
    /// runs its loops in full).
    func discard(_ plan: inout RunPlan) throws {
      Cancellation.arm(false)
      Cancellation.reset()
      if let state { plan.state = state }
      for (part, saved) in parts { try part.restoreCheckpoint(saved) }
    }
  }

  /// What an error thrown by a part during step `step` (a failed inner solve, a plugin's exception) ends
  /// the run with: a failure in the outcome, so that the trace so far, the summary and the particles are
  /// still written. A run error keeps its kind; anything else is a numerical failure naming the part's error.
  static func partFailure(_ error: Error, step: Int) -> RunError {
    if var r = error as? RunError {
      r.step = r.step ?? step
      return r
    }
    return RunError(.numerical, "failed at step \(step): \(error)", step: step)
  }

  static func divergence(_ state: SolverState, objective: Double, step: Int, stepSize: Double) -> RunError? {
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
