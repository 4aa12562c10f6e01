import Foundation

/// Where a part that cannot throw reports an error: a field (`ScalarField.evaluate` returns a number,
/// called from parallel loops) whose implementation across the plugin boundary failed — a plugin's
/// exception, a Python function that raised. The field answers NaN; the run loop (`RunSession`) takes the
/// report after the step and ends the run with its message rather than with "the objective became nan".
///
/// Process-wide, like `Cancellation`: the first report since the last `take()` is kept.
public enum PartFailures {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var first: Error?

  /// Keeps `error` unless an earlier one is waiting.
  public static func report(_ error: Error) {
    lock.lock()
    defer { lock.unlock() }
    if first == nil { first = error }
  }

  /// The waiting report, cleared.
  public static func take() -> Error? {
    lock.lock()
    defer { lock.unlock() }
    defer { first = nil }
    return first
  }
}
