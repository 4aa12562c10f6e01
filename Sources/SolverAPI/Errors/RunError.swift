/// A run that could not go on: diverged particles, a failed inner solve, an output that could not be
/// written, a plan whose parts have run before. Carries the exit status the command-line tool uses.
public struct RunError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable { case diverged, numerical, io, interrupted, reused }
  public var kind: Kind
  public var message: String
  /// The step at which it happened, when it happened during the run.
  public var step: Int?

  /// How to go on, when there is a fix to suggest.
  public var fix: String?

  public init(_ kind: Kind, _ message: String, step: Int? = nil, fix: String? = nil) {
    self.kind = kind
    self.message = message
    self.step = step
    self.fix = fix
  }

  public var description: String { fix.map { message + " — " + $0 } ?? message }

  /// 3 for a diverged or numerically failed run, 1 for I/O, 130 for an interruption, 2 for a plan run
  /// twice (a usage error, like bad input).
  public var exitCode: Int32 {
    switch kind {
    case .diverged, .numerical: return 3
    case .io: return 1
    case .interrupted: return 130
    case .reused: return 2
    }
  }
}
