import Foundation
import MFLD

enum RunCommand: Command {
  static let name = "run"
  static let summary = "run a config and write its results to a run folder"
  static let help = """
  USAGE: mfld run CONFIG [--set key.path=value]... [--plugin PATH]... [--out DIR] [--threads N] [--checkpoint-every N]
                [--check] [--progress-every S] [--quiet]

  Runs the experiment in CONFIG (JSON; comments allowed) and writes to its run folder
  (the config's "output", default runs/<config name>):
    config.json    the resolved config, every default filled in (run it again to reproduce)
    trace.csv      step, time, temperature, step_size, objective, … every record.every steps
    timing.csv     wall-clock seconds per recorded step
    summary.json   status, final values, steps/s
    particles.csv  the final particles

  OPTIONS:
    --set key.path=value  override any key, e.g. --set integrator.step=0.005 (repeatable;
                          values are JSON: numbers, true, "text", [1, 2], {"type": …})
    --plugin PATH         load the plugin library PATH first (repeatable; see docs/plugins.md)
    --out DIR             write to DIR instead of the config's "output"
    --threads N           worker threads (same as --set threads=N; 0 = every core)
    --checkpoint-every N  write checkpoint.json every N steps; `mfld resume DIR` continues from it
                          (Ctrl-C or SIGTERM finishes the step, writes everything and a checkpoint,
                          and exits with 130 or 143)
    --check               run `mfld check`'s laws on every part first; refuse to run (exit 4) if one fails
    --overwrite           replace the results of another run in the output folder (refused without it;
                          rerunning the same config into its folder needs no flag)
    --force               run even a config whose single step is estimated to take over 10 minutes
    --progress-every S    when stderr is not a terminal (a batch job's log): a plain progress line
                          every S seconds (default 30); on a terminal the line rewrites itself
    --quiet               no progress line and no summary on stdout
    -h, --help            show this help
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--set", "--out", "--threads", "--checkpoint-every", "--plugin", "--progress-every"],
                                flags: ["--quiet", "--check", "--overwrite", "--force"])
    guard a.positionals.count == 1 else { throw UsageError("run takes one config file; see `mfld run --help`") }
    var overrides = a.options["--set"] ?? []
    if let t = a.last("--threads") { overrides.append("threads=\(t)") }
    if a.flags.contains("--check") {
      let failed = try CheckCommand.laws(file: a.positionals[0], overrides: overrides, plugins: a.options["--plugin"] ?? []).filter { !$0.passed }
      if !failed.isEmpty {
        print(CheckCommand.table(failed))
        Terminal.error("\(a.positionals[0]): \(failed.count) law(s) failed, first \(failed[0].path): \(failed[0].law) — fix the part, or run without --check")
        return 4
      }
    }
    if !a.flags.contains("--force") {  // before any part is built: a refused config allocates nothing
      try StepCost.check(try Composition.resolve(file: a.positionals[0], overrides: overrides, plugins: a.options["--plugin"] ?? []),
                         file: a.positionals[0])
    }
    let experiment = try Experiment.load(file: a.positionals[0], overrides: overrides, plugins: a.options["--plugin"] ?? [])
    let out = a.last("--out") ?? experiment.outputPath
    return try execute(consume experiment, out: out, quiet: a.flags.contains("--quiet"),
                       checkpointEvery: try checkpointEvery(a), progressEvery: try progressEvery(a), overwrite: a.flags.contains("--overwrite"))
  }

  static func progressEvery(_ a: ParsedArguments) throws -> Double {
    try a.last("--progress-every").map { s in
      guard let x = Double(s), x.isFinite, x > 0 else { throw UsageError("--progress-every must be a number of seconds > 0, found '\(s)'") }
      return x
    } ?? 30
  }

  static func checkpointEvery(_ a: ParsedArguments) throws -> Int? {
    try a.last("--checkpoint-every").map { s in
      guard let n = Int(s), n >= 1 else { throw UsageError("--checkpoint-every must be a whole number ≥ 1, found '\(s)'") }
      return n
    }
  }

  /// Runs with a progress line, signal handling and the closing report; shared by `run` and `resume`.
  /// On a terminal the progress line rewrites itself; in a log (stderr not a terminal) a plain line
  /// comes every `progressEvery` seconds, after a header line saying what runs.
  ///
  /// The experiment is taken (`consuming`, as `Experiment.run` takes its particles): a caller that keeps it
  /// would keep the starting cloud too.
  static func execute(_ experiment: consuming Experiment, out: String, quiet: Bool, checkpointEvery: Int?, progressEvery: Double = 30,
                      overwrite: Bool = false) throws -> Int32 {
    let (count, startStep, lastStep, columns) = (experiment.plan.state.cloud.count, experiment.plan.state.step, experiment.plan.lastStep,
                                                 experiment.plan.columns)
    let file = experiment.file
    let terminal = Terminal.stderrIsTerminal
    if !quiet {
      print("\(count) particles on \(experiment.domain.name), \(lastStep - startStep) steps"
            + (startStep > 0 ? " from step \(startStep)" : "") + ", \(experiment.plan.parallel.threads) thread(s)")
      Terminal.flushStandardOutput()
    }
    var lastLogged = 0.0
    let progress: ((RunProgress) -> Void)? = quiet ? nil : terminal ? { p in
      FileHandle.standardError.write(Data(Terminal.progressLine(p).utf8))
    } : { p in
      guard p.elapsed - lastLogged >= progressEvery else { return }
      lastLogged = p.elapsed
      Terminal.note(Terminal.logLine(p, startStep: startStep))
    }
    Signals.install()
    let result = try (consume experiment).run(outputPath: out, progress: progress, shouldStop: { Signals.stopRequested }, checkpointEvery: checkpointEvery,
                                    cancellable: true, overwrite: overwrite)
    if !quiet, terminal { Terminal.clearLine() }
    let o = result.outcome
    if let failure = o.failure, failure.kind == .interrupted {
      Terminal.note("mfld: interrupted at step \(o.state.step); wrote \(out)/{trace.csv, summary.json, particles.csv, checkpoint.json}; continue with: mfld resume \(out)")
      return Signals.exitCode
    }
    if let failure = o.failure {
      Terminal.error("\(file ?? "config"): \(failure.message). The trace up to there is in \(out)/trace.csv")
      return failure.exitCode
    }
    if !quiet {
      let rate = o.wallSeconds > 0 ? Double(o.stepsTaken) / o.wallSeconds : 0
      var lines = ["done in " + String(format: "%.2f s (%.0f steps/s)", o.wallSeconds, rate)]
      let finals = zip(columns, o.finalRow).dropFirst(4).map { "\($0) = " + String(format: "%.6g", $1) }
      lines.append("final: " + finals.joined(separator: ", "))
      lines.append("wrote \(out)/{config.json, trace.csv, timing.csv, summary.json, particles.csv}")
      print(lines.joined(separator: "\n"))
    }
    return 0
  }
}
