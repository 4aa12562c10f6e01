import Foundation
import MFLD

enum BenchCommand: Command {
  static let name = "bench"
  static let summary = "measure steps/s, kernel GFLOP/s, memory, and the NumPy reference (build with -c release)"
  static let suites = ["accuracy", "steps", "scaling", "peers", "kernels", "memory", "batches", "expressions", "plugins", "python"]
  static let defaultSuites = ["steps", "peers", "kernels"]
  static let help = """
  USAGE: mfld bench [SUITE...] [--json] [--quick] [--peers DIR] [--plugin PATH]

  Runs the benchmark suites and prints a Markdown table (or the rows as JSON with --json).
  SUITES:
    accuracy     time to an answer: for the standard two-layer problems, the wall time and steps each method
                 (bilevel and lift under their metrics) takes to bring G_λ within 1% of the best a run twice
                 as long finds, and the NumPy peer's bilevel and lift from the same particles, in one run
    steps        whole solver steps/s on 1 and 2 threads (and the speedup): bilevel and lift two-layer
                 networks at (n, m, d) = (500, 200, 10), (1000, 1000, 20), (4000, 2000, 50), McKean–Vlasov
                 with an O(m²) interaction at m = 1000, 4000, sparse deconvolution on T²; the bilevel inner
                 residual; peak memory; for the network steps a roofline row: GFLOP/step from the shapes,
               GFLOP/s, and that as a share of the machine's product rate measured in the same run
    scaling      steps/s against m (n = 1000) and against n (m = 1000), d = 20, 2 threads, with the exponent
    peers        the bilevel and lift steps in NumPy (DIR/numpy_steps.py, when python3 and numpy are there):
                 one noiseless step must agree to 1e-9; steps/s of both and the ratio, each side credited
                 with its better thread count (Swift: 1 or 2 threads; NumPy: 1 BLAS thread or its default)
    kernels      GFLOP/s of the dominant dense kernels at the big steps' shapes, 1 and 2 threads, and
                 NumPy's at the same shapes in the same run
    memory       peak RSS of `mfld run` (bilevel (1000, 1000, 20)) in a child process for 20 and 200 steps
    batches      random-batch interactions: McKean–Vlasov with a Gaussian kernel at m = 10⁴, 10⁵, 10⁶ and
                 batches of 2, 4, 8 (and the exact interaction at 10⁴), each a child `mfld run` on 2 threads:
                 steps/s and peak RSS in clouds beyond the process baseline (target at 10⁶, p = 4: ≥ 20
                 steps/s, ≤ 2.1 clouds: the cloud, its gradient and the partition)
    expressions  formula-defined potentials against the built-ins
    plugins      what the plugin boundary costs: the example plugin's copies of Euler–Maruyama (McKean–Vlasov,
                 m = 1000; target ≥ 95% of the built-in's steps/s) and of the relu two-layer network (bilevel,
                 (1000, 1000, 20); target ≥ 90%) against the built-ins, 2 threads, taking turns over the same steps
    python       the Python interface (python/bench.py, on libmfldc.so beside this mfld): a NumPy potential
                 against the built-in on the McKean–Vlasov example (overhead per step); the bilevel
                 (1000, 1000, 20) step from Python against `mfld run` (target: within 5%)
    all          every suite above
  With no SUITE: \(defaultSuites.joined(separator: " ")).

  OPTIONS:
    --json        print the rows as a JSON array of {suite, name, value, unit, note, failed}
    --quick       the small sizes only, measured briefly (a smoke test, not figures to quote)
    --peers DIR   where numpy_steps.py is (default: bench/peers, relative to the current folder)
    --plugin PATH the plugin library of the plugins suite (default: \(Benchmark.examplePlugin), built with
                  swift build -c release --package-path examples/plugin)
    -h, --help    show this help
    --child-rusage FILE -- PROGRAM ARGS...
                  (used by the memory suite) run PROGRAM as a child of this fresh process and write its exit
                  status and peak RSS (wait4) to FILE: Linux charges a program, at exec, with the peak RSS of
                  the image it replaces, so a child spawned by the benchmark itself would inherit its figure

  Each case is timed after two warm-up steps: the best of three windows of at least 1/3 s and one step
  each (or one step, if that alone takes 10/3 s); the NumPy peer the same way after one warm-up step
  (it keeps nothing between steps). In `peers` both sides take the best of five such windows. In
  `steps` and `peers`, the 1- and 2-thread runs take turns window by window over the same steps, so
  the speedup compares equal work under the same load.
  Exit status 3 when a peer check fails (a step disagrees with NumPy beyond 1e-9, or the NumPy reference
  fails). A performance target not met says "NOT MET" in its note and in a warning; the status stays 0. Build in release mode for meaningful figures: swift run -c release mfld bench all
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--peers", "--child-rusage", "--plugin"], flags: ["--json", "--quick"])
    if let file = a.last("--child-rusage") {
      guard !a.positionals.isEmpty else { throw UsageError("--child-rusage FILE needs the program to run after --") }
      try Benchmark.reportChildUsage(a.positionals, to: file)
      return 0
    }
    var chosen: [String] = []
    for s in a.positionals.isEmpty ? defaultSuites : a.positionals {
      if s == "all" { chosen += suites; continue }
      guard suites.contains(s) else {
        throw UsageError("unknown suite '\(s)'" + didYouMean(s, suites + ["all"]) + "; please provide one of " + (suites + ["all"]).joined(separator: ", "))
      }
      chosen.append(s)
    }
    var seen = Set<String>()
    chosen = chosen.filter { seen.insert($0).inserted }
    let showProgress = Terminal.stderrIsTerminal
    let options = Benchmark.Options(
      quick: a.flags.contains("--quick"), peersDirectory: a.last("--peers") ?? "bench/peers",
      executable: try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), pluginLibrary: a.last("--plugin"),
      progress: { message in
        if showProgress { FileHandle.standardError.write(Data(("\r\u{1B}[2Kmfld bench: " + message + "…").utf8)) }
      })
    var rows: [Benchmark.Row] = []
    for s in chosen {
      switch s {
      case "accuracy": rows += try Benchmark.accuracy(options)
      case "steps": rows += try Benchmark.steps(options)
      case "scaling": rows += try Benchmark.scaling(options)
      case "peers": rows += try Benchmark.peers(options)
      case "kernels": rows += try Benchmark.kernels(options)
      case "memory": rows += try Benchmark.memory(options)
      case "batches": rows += try Benchmark.batches(options)
      case "plugins": rows += try Benchmark.plugins(options)
      case "python": rows += try Benchmark.python(options)
      default: rows += try Benchmark.expressions()
      }
    }
    if showProgress { Terminal.clearLine() }
    print(a.flags.contains("--json") ? Benchmark.json(rows) : Benchmark.table(rows))
    let outcome = Benchmark.outcome(rows)
    if let warning = outcome.warning { Terminal.note("mfld bench: warning: " + warning) }
    if let error = outcome.error { Terminal.error(error) }
    return outcome.status
  }
}
