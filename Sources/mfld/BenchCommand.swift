import Registry

enum BenchCommand: Command {
  static let name = "bench"
  static let summary = "measure the speed of the kernels (build with -c release)"
  static let help = """
  USAGE: mfld bench [SUITE...] [--json] [--quick]

  Runs the benchmark suites and prints a Markdown table (or JSON with --json).
  SUITES: expressions (formula-defined potentials against the built-ins)
          steps (solver steps/s at the standard sizes on 1 and 2 threads, peak memory; --quick: small sizes)
  Build in release mode for meaningful figures: swift run -c release mfld bench
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: [], flags: ["--json", "--quick"])
    let suites = a.positionals.isEmpty ? ["expressions"] : a.positionals
    var rows: [Benchmark.Row] = []
    for s in suites {
      switch s {
      case "expressions": rows += try Benchmark.expressions()
      case "steps": rows += try Benchmark.steps(quick: a.flags.contains("--quick"))
      default: throw UsageError("unknown suite '\(s)'" + didYouMean(s, ["expressions", "steps"]) + "; please provide one of expressions, steps")
      }
    }
    print(a.flags.contains("--json") ? Benchmark.json(rows) : Benchmark.table(rows))
    return 0
  }
}
