import Foundation
import MFLD

enum CompareCommand: Command {
  static let name = "compare"
  static let summary = "run variants side by side: tables, plots and an HTML page"
  static let help = """
  USAGE: mfld compare CONFIG... [--vary key.path=v1,v2,...]... [--repeats K] [--set key.path=value]...
                      [--target VALUE] [--out DIR] [--plugin PATH]... [--quiet]

  Runs every variant — each CONFIG, times the grid of the --vary lists — with K seeds each (the
  config's seed, seed + 1, …). Variants with the same seed share data, initial particles and noise
  wherever their parts are the same (common random numbers). Runs go concurrently, one per core.

  Writes to DIR (default runs/compare-<first config name>):
    runs/<variant>/seed-<s>/   each run's folder
    comparison.csv             one row per variant and seed: status, timing, final values, steps to target
    comparison.md              per variant: final primary figure (G_lambda, or the objective) mean ± sd,
                               wall time, steps/s, steps and time to reach the target
    <quantity>-vs-step.svg, <quantity>-vs-time.svg   one line per variant, band = min–max over seeds
    index.html                 the table and the plots together

  OPTIONS:
    --vary key.path=v1,v2  values for one key (JSON values; commas inside {} and [] are kept)
    --repeats K            seeds per variant (default 1)
    --set key.path=value   an override for every variant
    --target VALUE         level for "steps/time to target" (default: the worst final mean)
    --quantity NAME        the table's figure (default G_lambda for signed runs, else objective)
    --average-from STEP    average the figure over the recorded steps from STEP on (default: the last value)
                           With one numeric --vary key, the table reports the fitted log-log slope
                           of the figure against it (e.g. particles.count: the O(1/m) finite-particle gap).
    --out DIR              the comparison folder
    --quiet                no per-run log on stderr

  EXAMPLE:
    mfld compare examples/bilevel-2nn.json \\
      --vary reduction=bilevel,lift --vary integrator.temperature=1e-4,1e-3 --repeats 3
    mfld compare examples/lift-2nn.json --vary metric=wasserstein,conic --repeats 3
  """

  static func run(_ words: [String]) throws -> Int32 {
    let a = try ParsedArguments(words, options: ["--vary", "--repeats", "--set", "--target", "--out", "--plugin", "--quantity", "--average-from"],
                                flags: ["--quiet"])
    guard !a.positionals.isEmpty else { throw UsageError("compare needs at least one config file; see `mfld compare --help`") }
    let repeats = try a.last("--repeats").map { s -> Int in
      guard let k = Int(s), k >= 1 else { throw UsageError("--repeats must be a whole number ≥ 1, found '\(s)'") }
      return k
    } ?? 1
    let target = try a.last("--target").map { s -> Double in
      guard let x = Double(s), x.isFinite else { throw UsageError("--target must be a number, found '\(s)'") }
      return x
    }
    let variants = try Comparison.variants(files: a.positionals, vary: a.options["--vary"] ?? [], overrides: a.options["--set"] ?? [])
    let name = URL(fileURLWithPath: a.positionals[0]).deletingPathExtension().lastPathComponent
    let out = a.last("--out") ?? "runs/compare-\(name)"
    let quiet = a.flags.contains("--quiet")
    let averageFrom = try a.last("--average-from").map { s -> Int in
      guard let k = Int(s), k >= 0 else { throw UsageError("--average-from must be a step number, found '\(s)'") }
      return k
    }
    let comparison = Comparison(variants: variants, repeats: repeats, outputDirectory: out, target: target,
                                plugins: a.options["--plugin"] ?? [], quantity: a.last("--quantity"), averageFrom: averageFrom)
    let result = try comparison.run(log: quiet ? nil : { Terminal.note("  " + $0) })
    if !quiet {
      var md = "| " + result.tableHeader.joined(separator: " | ") + " |\n"
      md += "|" + result.tableHeader.map { _ in " --- " }.joined(separator: "|") + "|\n"
      for r in result.tableRows { md += "| " + r.joined(separator: " | ") + " |\n" }
      if let slope = (try? String(contentsOfFile: out + "/comparison.md", encoding: .utf8))?.split(separator: "\n").first(where: { $0.hasPrefix("Fitted") }) {
        md += "\n" + slope + "\n"
      }
      print(md + "\nwrote \(out)/{" + result.files.prefix(3).joined(separator: ", ") + ", …} (\(result.files.count) files)")
    }
    return 0
  }
}
