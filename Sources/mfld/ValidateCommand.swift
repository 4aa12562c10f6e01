import MFLD

enum ValidateCommand: Command {
  static let name = "validate"
  static let summary = "check a config and print it resolved, without running"
  static let help = """
  USAGE: mfld validate CONFIG [--set key.path=value]... [--plugin PATH]... [--quiet]

  Reads CONFIG, applies the overrides, checks every key against the parts' declarations, builds
  every part (reading data files), and prints the resolved config with every default filled in, and on
  stderr the estimate of the run's peak memory.
  Exits 0 when the config is valid, 2 with a one-line message naming the key path otherwise.

  OPTIONS:
    --set key.path=value  override a key (repeatable)
    --plugin PATH         load the plugin library PATH first (repeatable; see docs/plugins.md)
    --quiet               print nothing on success
    -h, --help            show this help
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--set", "--plugin"], flags: ["--quiet"])
    guard a.positionals.count == 1 else { throw UsageError("validate takes one config file; see `mfld validate --help`") }
    let experiment = try Experiment.load(file: a.positionals[0], overrides: a.options["--set"] ?? [],
                                         plugins: a.options["--plugin"] ?? [])
    if !a.flags.contains("--quiet") {
      print(experiment.config.jsonText(pretty: true))
      if case .object(let resolved) = experiment.config {
        let items = MemoryEstimate.items(for: resolved, baseDirectory: experiment.baseDirectory)
        let total = MemoryEstimate.total(items)
        if total > 0 { Terminal.note(String(format: "memory estimate: %.0f MB", total / 1e6) + " (" + items.map(\.what).joined(separator: ", ") + ")") }
      }
    }
    return 0
  }
}
