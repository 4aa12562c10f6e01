import Registry

enum BenchCommand: Command {
  static let name = "bench"
  static let summary = "measure the speed of the kernels (build with -c release)"
  static let help = """
  USAGE: mfld bench [SUITE] [--json]

  Runs the benchmark suites and prints a Markdown table (or JSON with --json).
  SUITES: expressions (formula-defined potentials against the built-ins)
  Build in release mode for meaningful figures: swift run -c release mfld bench
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: [], flags: ["--json"])
    let suites = a.positionals.isEmpty ? ["expressions"] : a.positionals
    var rows: [Benchmark.Row] = []
    for s in suites {
      switch s {
      case "expressions": rows += try Benchmark.expressions()
      default: throw UsageError("unknown suite '\(s)'" + didYouMean(s, ["expressions"]) + "; please provide one of expressions")
      }
    }
    print(a.flags.contains("--json") ? Benchmark.json(rows) : Benchmark.table(rows))
    return 0
  }
}
