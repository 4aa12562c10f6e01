import CKernels

/// Stopping a step part-way, so that SIGINT/SIGTERM stop even a run whose single step takes minutes within
/// about a second. While a step is `armed`, a `request` (safe in a signal handler) makes every parallel loop
/// (the thread pool's jobs, and `Parallel`'s serial chunks) skip the chunks it has not started: the step
/// returns quickly with garbage, and its caller (`Solver.run`) discards it, restoring the particles and the
/// parts' state from before the step. Unarmed, a request does nothing. A step that `commit`s before it moves
/// the particles needs no copy of them: it is cut before the commit or not at all.
public enum Cancellation {
  public static func arm(_ armed: Bool) { mfld_cancel_arm(armed ? 1 : 0) }
  /// From a signal handler: async-signal-safe (one atomic store).
  public static func request() { mfld_cancel_request() }
  public static var requested: Bool { mfld_cancel_requested() != 0 }
  public static func reset() { mfld_cancel_reset() }
  /// Called by a step just before it first changes the particles (`Integrator.commitsBeforeMoving`): true when a
  /// request has already cut the step — return at once, leaving them as they were; otherwise the step is
  /// committed, and a request from now on waits for its end (the run stops at the next step).
  public static func commit() -> Bool { mfld_cancel_commit() != 0 }
}
