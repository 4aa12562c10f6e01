import Foundation
import MFLD

enum CompareCommand: Command {
  static let name = "compare"
  static let summary = "run variants side by side, here or on Slurm: tables, plots and an HTML page"
  static let help = """
  USAGE: mfld compare CONFIG... [--vary key.path=v1,v2,...]... [--repeats K] [--set key.path=value]...
                      [--out DIR | --plan DIR] [--jobs J] [reporting options] [Slurm options]
         mfld compare --resume DIR [--jobs J] [--threads T] [--task K]
         mfld compare --collect DIR

  Runs every variant — each CONFIG, times the grid of the --vary lists — with K seeds each (the
  config's seed, seed + 1, …). Variants with the same seed share data, initial particles and noise
  wherever their parts are the same (common random numbers).

  A comparison is a folder (a sweep). Planning composes every variant (a bad one fails before anything
  runs) and writes each run's resolved config into its own folder; running runs what has not finished
  (an interrupted run continues from its checkpoint); collecting writes the table from the runs that
  finished, listing the others as missing, interrupted or failed. Plain `mfld compare CONFIG …` does all
  three; a failed or diverged run never discards the others (exit 3 says some did).

    --plan DIR       plan only: DIR/sweep.json, DIR/manifest.csv (index,variant,seed,folder), and
                     DIR/slurm.sbatch, a job array with one run per task: `sbatch DIR/slurm.sbatch`
    --resume DIR     run the runs of DIR that have not finished (Ctrl-C/SIGTERM: running runs
                     checkpoint and stop; --resume again continues), then collect
    --task K         with --resume: only run K (what each Slurm array task does); no collecting
    --collect DIR    write the table, CSV, plots and page from the finished runs

  Writes to DIR (default runs/compare-<first config name>):
    runs/<variant>/seed-<s>/   each run's folder
    comparison.csv             one row per run: the swept values as columns, status, timing, final values,
                               steps to target, message
    comparison.md              per variant: final primary figure (G_lambda, or the objective) mean ± sd,
                               wall time, steps/s, steps and time to reach the target
    <quantity>-vs-step.svg, <quantity>-vs-time.svg   one line per variant, band = min–max over seeds
    index.html                 the table and the plots together, the primary figure first

  OPTIONS:
    --vary key.path=v1,v2  values for one key (JSON values; commas inside {} and [] are kept)
    --repeats K            seeds per variant (default 1)
    --set key.path=value   an override for every variant
    --jobs J               runs at once, one thread each (default: one per core); on Slurm, the array's %J
    --threads T            threads per run (default 1; the numbers do not depend on it)
    --checkpoint-every N   each run checkpoints every N steps (a killed run loses at most N)
    --target VALUE         level for "steps/time to target" (default: the worst final mean)
    --quantity NAME        the table's figure (default G_lambda for signed runs, else objective)
    --average-from STEP    average the figure over the recorded steps from STEP on (default: the last value)
                           With one numeric --vary key, the table reports the fitted log-log slope
                           of the figure against it (e.g. particles.count: the O(1/m) finite-particle gap).
    --plugin PATH          load a plugin library (repeatable)
    --quiet                no per-run log on stderr
  SLURM OPTIONS (for DIR/slurm.sbatch):
    --partition P, --time T (e.g. 2:00:00), --sbatch 'LINE' (an extra #SBATCH line, repeatable)

  EXAMPLE:
    mfld compare examples/bilevel-2nn.json \\
      --vary reduction=bilevel,lift --vary integrator.temperature=1e-4,1e-3 --repeats 3
    mfld compare examples/lift-2nn.json --vary particles.count=100,200,400,800 --repeats 4 --plan sweep
    sbatch sweep/slurm.sbatch          # or: mfld compare --resume sweep --jobs 2
    mfld compare --collect sweep
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--vary", "--repeats", "--set", "--target", "--out", "--plugin", "--quantity", "--average-from",
                                                 "--plan", "--resume", "--collect", "--task", "--jobs", "--threads", "--checkpoint-every",
                                                 "--partition", "--time", "--sbatch"],
                                flags: ["--quiet"])
    let quiet = a.flags.contains("--quiet")
    let log: ((String) -> Void)? = quiet ? nil : { Terminal.note("  " + $0) }
    let jobs = try a.last("--jobs").map { try whole($0, "--jobs", atLeast: 1) }
    let threads = try a.last("--threads").map { try whole($0, "--threads", atLeast: 0) } ?? 1
    if let dir = a.last("--collect") {
      try only(a, "--collect", allowed: ["--collect", "--quiet"])
      return report(try Sweep.open(dir).collect(), sweepDirectory: dir, quiet: quiet)
    }
    if let dir = a.last("--resume") {
      try only(a, "--resume", allowed: ["--resume", "--jobs", "--threads", "--task", "--quiet"])
      let sweep = try Sweep.open(dir)
      Signals.install()
      if let k = try a.last("--task").map({ try whole($0, "--task", atLeast: 0) }) {
        guard k < sweep.runs.count else {
          throw UsageError("--task \(k): the sweep in \(dir) has runs 0–\(sweep.runs.count - 1) (see \(dir)/manifest.csv)")
        }
        let (status, message) = sweep.runTask(sweep.runs[k], threads: threads, shouldStop: { Signals.stopRequested }, cancellable: true)
        print("run \(k) (\(sweep.comparison.variants[sweep.runs[k].variant].name), seed \(sweep.runs[k].seed)): \(status)"
              + (message.map { " — " + $0 } ?? ""))
        if Signals.stopRequested { return Signals.exitCode }
        return status == "completed" ? 0 : status == "interrupted" ? 1 : 3
      }
      return try execute(sweep, jobs: jobs, threads: threads, log: log, quiet: quiet)
    }
    guard !a.positionals.isEmpty else { throw UsageError("compare needs a config file, --resume DIR or --collect DIR; see `mfld compare --help`") }
    let repeats = try a.last("--repeats").map { try whole($0, "--repeats", atLeast: 1) } ?? 1
    let target = try a.last("--target").map { s -> Double in
      guard let x = Double(s), x.isFinite else { throw UsageError("--target must be a number, found '\(s)'") }
      return x
    }
    let variants = try Comparison.variants(files: a.positionals, vary: a.options["--vary"] ?? [], overrides: a.options["--set"] ?? [])
    let name = URL(fileURLWithPath: a.positionals[0]).deletingPathExtension().lastPathComponent
    if a.last("--plan") != nil, a.last("--out") != nil { throw UsageError("give --plan DIR or --out DIR, not both") }
    let out = a.last("--plan") ?? a.last("--out") ?? "runs/compare-\(name)"
    let comparison = Comparison(variants: variants, repeats: repeats, outputDirectory: out, target: target,
                                plugins: a.options["--plugin"] ?? [], quantity: a.last("--quantity"),
                                averageFrom: try a.last("--average-from").map { try whole($0, "--average-from", atLeast: 0) })
    let sweep = try Sweep.plan(comparison, checkpointEvery: try RunCommand.checkpointEvery(a))
    let slurm = SlurmArray(mfld: executablePath, parallel: jobs, threads: max(threads, 1), partition: a.last("--partition"),
                           time: a.last("--time"), extra: a.options["--sbatch"] ?? [])
    try FileManager.default.createDirectory(atPath: out + "/slurm", withIntermediateDirectories: true)
    try AtomicFile.write(slurm.script(for: sweep), to: out + "/slurm.sbatch")
    if a.last("--plan") != nil {
      print("planned \(sweep.runs.count) runs (\(variants.count) variants × \(repeats) seed\(repeats == 1 ? "" : "s")) in \(out)\n"
            + "  on Slurm:  sbatch \(out)/slurm.sbatch\n  here:      mfld compare --resume \(out) --jobs 2\n"
            + "  then:      mfld compare --collect \(out)")
      return 0
    }
    Signals.install()
    return try execute(sweep, jobs: jobs, threads: threads, log: log, quiet: quiet)
  }

  /// Runs what is pending, then collects; a signal stops it with the running runs checkpointed.
  static func execute(_ sweep: Sweep, jobs: Int?, threads: Int, log: ((String) -> Void)?, quiet: Bool) throws -> Int32 {
    let pending = sweep.pending.count
    if pending < sweep.runs.count { log?("\(sweep.runs.count - pending) of \(sweep.runs.count) runs already finished; running \(pending)") }
    let progress = sweep.run(jobs: jobs, threads: threads, shouldStop: { Signals.stopRequested }, log: log)
    if progress.stopped {
      let left = sweep.pending.count
      Terminal.note("mfld: interrupted; \(sweep.runs.count - left) of \(sweep.runs.count) runs finished, the running ones checkpointed; "
                    + "continue with: mfld compare --resume \(sweep.directory)")
      return Signals.exitCode
    }
    return report(try sweep.collect(), sweepDirectory: sweep.directory, quiet: quiet)
  }

  /// Prints the table; exit 3 when a run diverged or failed, 0 otherwise (missing runs are noted).
  static func report(_ result: Comparison.Result, sweepDirectory out: String, quiet: Bool) -> Int32 {
    if !quiet {
      var md = "| " + result.tableHeader.joined(separator: " | ") + " |\n"
      md += "|" + result.tableHeader.map { _ in " --- " }.joined(separator: "|") + "|\n"
      for r in result.tableRows { md += "| " + r.joined(separator: " | ") + " |\n" }
      if let slope = (try? String(contentsOfFile: out + "/comparison.md", encoding: .utf8))?.split(separator: "\n").first(where: { $0.hasPrefix("Fitted") }) {
        md += "\n" + slope + "\n"
      }
      print(md + "\nwrote \(out)/{" + result.files.prefix(3).joined(separator: ", ") + ", …} (\(result.files.count) files)")
    }
    let unfinished = result.runs.filter { $0.status == "missing" || $0.status == "interrupted" }
    if !unfinished.isEmpty {
      Terminal.note("mfld: \(unfinished.count) of \(result.runs.count) runs have not finished (listed as missing or interrupted); "
                    + "run them with: mfld compare --resume \(out)")
    }
    let failed = result.runs.filter { $0.status == "diverged" || $0.status == "failed" }
    if let first = failed.first {
      Terminal.error("\(failed.count) of \(result.runs.count) runs diverged or failed; first: \(first.directory): \(first.status)"
                     + (first.message.map { " — " + Comparison.oneLine($0) } ?? "") + "; the table shows the others")
      return 3
    }
    return 0
  }

  static func whole(_ s: String, _ option: String, atLeast low: Int) throws -> Int {
    guard let k = Int(s), k >= low else { throw UsageError("\(option) must be a whole number ≥ \(low), found '\(s)'") }
    return k
  }

  /// With --resume or --collect, the sweep's own plan holds the variants: other options would be ignored.
  static func only(_ a: ParsedArguments, _ mode: String, allowed: Set<String>) throws {
    let given = Set(a.options.keys).union(a.flags).subtracting(allowed)
    if let extra = given.sorted().first { throw UsageError("\(extra) does not apply with \(mode): the sweep's plan fixes it") }
    if !a.positionals.isEmpty { throw UsageError("\(mode) takes no config file: the sweep's plan names them") }
  }

  /// This executable, absolute (for the Slurm script).
  static var executablePath: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
  }
}
