/// A subcommand of `mfld`: its name, a one-line summary, its help text, and what it does.
/// `run` returns the process exit status: 0 success, 1 I/O failure, 2 bad input or usage,
/// 3 a diverged or numerically failed run.
protocol Command {
  static var name: String { get }
  static var summary: String { get }
  /// Full help: usage line, arguments, options, examples.
  static var help: String { get }
  static func run(_ words: [String]) throws -> Int32
}

enum Commands {
  static let all: [any Command.Type] = [RunCommand.self, ValidateCommand.self, CheckCommand.self, ListCommand.self, DescribeCommand.self, ResumeCommand.self, CompareCommand.self, PlotCommand.self, PredictCommand.self, BenchCommand.self, NewPluginCommand.self]

  static var overview: String {
    let width = all.map { $0.name.count }.max() ?? 0
    return """
    mfld — mean-field Langevin dynamics: compose a particle solver from named parts in a JSON config and run it.

    USAGE: mfld <command> [arguments] [options]

    COMMANDS:
    \(all.map { "  " + $0.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

    Run `mfld <command> --help` (or `mfld help <command>`) for a command's options.
    Example: mfld run examples/double-well.json --set integrator.temperature=0.2

    Exit status: 0 success, 1 I/O failure, 2 bad input, 3 diverged run, 4 a law failed (check), 130/143 interrupted.
    """
  }
}
