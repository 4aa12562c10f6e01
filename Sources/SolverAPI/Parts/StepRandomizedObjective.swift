/// An objective whose evaluations during a step are a random, unbiased estimate of F and ∇V — random-batch
/// interactions (docs/math.md §6) — with the randomness a pure function of the run's seed and the step, so
/// that a run is the same on any thread count and after a resume (nothing to checkpoint).
///
/// The solver calls `randomize(step: t)` before step t's evaluations (and before the final one), so every
/// evaluation of one step — the recorded F, the integrator's gradients, a birth–death metric's values —
/// sees the same draw. `firstVariation(of:at:)`, at arbitrary points, stays exact.
public protocol StepRandomizedObjective: Objective {
  /// Whether evaluations are estimates (false when the option is off: `randomize` then does nothing).
  var isRandomized: Bool { get }
  /// Draws step t's randomness for the evaluations that follow; nil makes them exact until the next draw
  /// (the checks, and tests comparing with the exact objective).
  func randomize(step: Int?)
}
