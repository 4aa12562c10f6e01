import Foundation

/// Outcome of a run.
public struct RunOutcome {
  public var state: SolverState
  public var stepsTaken: Int
  public var finalObjective: Double
  public var finalRow: [Double]
  public var wallSeconds: Double
  /// Set when the run stopped early (diverged); the trace up to there was recorded.
  public var failure: RunError?
}
