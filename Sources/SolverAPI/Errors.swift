/// A problem with the input: a config file, a command-line override or a data file. It names the
/// file, the key path (`integrator.temperature.factor`), what is wrong, and how to fix it.
/// The command-line tool prints it on one line and exits with status 2.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
  public var file: String?
  /// Dotted key path, with array indices as `[i]`; empty for the document itself.
  public var path: String
  public var message: String
  public var fix: String?

  public init(file: String? = nil, path: String, _ message: String, fix: String? = nil) {
    self.file = file
    self.path = path
    self.message = message
    self.fix = fix
  }

  public var description: String {
    var s = ""
    if let file { s += file + ": " }
    if !path.isEmpty { s += path + ": " }
    s += message
    if let fix { s += " — " + fix }
    return s
  }
}

/// A run that could not go on: diverged particles, a failed inner solve, an output that could not be
/// written. Carries the exit status the command-line tool uses.
public struct RunError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable { case diverged, numerical, io, interrupted }
  public var kind: Kind
  public var message: String
  /// The step at which it happened, when it happened during the run.
  public var step: Int?

  public init(_ kind: Kind, _ message: String, step: Int? = nil) {
    self.kind = kind
    self.message = message
    self.step = step
  }

  public var description: String { message }

  /// 3 for a diverged or numerically failed run, 1 for I/O, 130 for an interruption.
  public var exitCode: Int32 {
    switch kind {
    case .diverged, .numerical: return 3
    case .io: return 1
    case .interrupted: return 130
    }
  }
}
