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
