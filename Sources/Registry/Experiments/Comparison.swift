import Dispatch
import Formats
import Foundation
import SolverAPI
import Suggestions

/// Variants of one experiment run side by side (`mfld compare`): several config files, and/or one config
/// with `--vary key.path=v1,v2,…` (several `--vary` make a grid), each with `repeats` seeds.
///
/// Common random numbers come for free: every random stream is named by its key path and derived from
/// the seed, so variants with the same seed share the data, the initial particles and the noise wherever
/// the parts that draw them are the same, and differences come from the component that changed.
/// Runs go concurrently, one thread each, as many at a time as there are cores.
public struct Comparison {
  public struct Variant: Sendable, Equatable {
    public var name: String
    public var file: String
    public var overrides: [String]
  }

  public var variants: [Variant]
  public var repeats: Int
  public var outputDirectory: String
  /// The level for "steps/time to target"; nil: the worst final mean over the variants (a level every
  /// variant reaches).
  public var target: Double?
  public var plugins: [String]
  /// The table's figure: a recorded quantity (nil: G_lambda for signed runs, else the objective).
  public var quantity: String?
  /// Average the figure over the recorded steps from this one on (nil: the last recorded value).
  public var averageFrom: Int?

  public init(variants: [Variant], repeats: Int, outputDirectory: String, target: Double? = nil, plugins: [String] = [],
              quantity: String? = nil, averageFrom: Int? = nil) {
    self.variants = variants
    self.repeats = repeats
    self.outputDirectory = outputDirectory
    self.target = target
    self.plugins = plugins
    self.quantity = quantity
    self.averageFrom = averageFrom
  }

  /// The varied key and its numeric values, when exactly one key varies over numbers.
  var numericSweep: (key: String, values: [Double])? {
    let pairs = variants.map { v -> [(String, String)] in
      v.overrides.suffix(from: 0).compactMap { o in o.firstIndex(of: "=").map { (String(o[..<$0]), String(o[o.index(after: $0)...])) } }
    }
    let varied = Set(pairs.flatMap { $0.map(\.0) }).filter { key in Set(pairs.map { row in row.last { $0.0 == key }?.1 ?? "" }).count > 1 }
    guard varied.count == 1, let key = varied.first else { return nil }
    let values = pairs.map { row in Double(row.last { $0.0 == key }?.1 ?? "") }
    guard values.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
    return (key, values.map { $0! })
  }

  /// Least-squares slope of log y against log x, with its standard error.
  static func logLogSlope(x: [Double], y: [Double]) -> (slope: Double, standardError: Double)? {
    let pts = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.1.isFinite }.map { (log($0.0), log($0.1)) }
    guard pts.count >= 3 else { return nil }
    let n = Double(pts.count)
    let mx = pts.reduce(0) { $0 + $1.0 } / n, my = pts.reduce(0) { $0 + $1.1 } / n
    let sxx = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
    let slope = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
    let residual = pts.reduce(0) { let e = $1.1 - my - slope * ($1.0 - mx); return $0 + e * e }
    return (slope, (residual / (n - 2) / sxx).squareRoot())
  }

  /// Files × the grid of `vary` specs, each variant with the shared `overrides` first.
  public static func variants(files: [String], vary: [String], overrides: [String] = []) throws -> [Variant] {
    var grid: [[(String, String)]] = [[]]
    for spec in vary {
      guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
        throw ConfigError(path: "", "--vary '\(spec)' is not of the form key.path=v1,v2,…", fix: "write e.g. --vary integrator.step=0.01,0.02")
      }
      let key = String(spec[..<eq])
      let values = splitTopLevel(String(spec[spec.index(after: eq)...]))
      guard !values.isEmpty else { throw ConfigError(path: key, "--vary gives no values", fix: "list values separated by commas") }
      grid = grid.flatMap { row in values.map { row + [(key, $0)] } }
    }
    var out: [Variant] = []
    for file in files {
      let base = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
      for row in grid {
        let label = row.map { "\($0.0)=\(display($0.1))" }.joined(separator: ", ")
        let name = files.count > 1 ? (label.isEmpty ? base : base + " · " + label) : (label.isEmpty ? base : label)
        out.append(Variant(name: name, file: file, overrides: overrides + row.map { "\($0.0)=\($0.1)" }))
      }
    }
    return out
  }

  /// A value as a variant name shows it: `{"type": "lift", "metric": "conic"}` is `lift(metric=conic)`.
  static func display(_ text: String) -> String {
    guard let v = try? JSONParser.parse(text) else { return text }
    func show(_ v: ConfigValue) -> String {
      switch v {
      case .string(let s): return s
      case .object(let o):
        let type: String = { if case .string(let t)? = o["type"] { return t } else { return "" } }()
        let rest = o.filter { $0.key != "type" }.map { "\($0.key)=\(show($0.value))" }
        return rest.isEmpty ? type : type + "(" + rest.joined(separator: ", ") + ")"
      case .array(let a): return "[" + a.map(show).joined(separator: ", ") + "]"
      default: return v.jsonText(pretty: false)
      }
    }
    return show(v)
  }

  /// Splits at commas outside brackets, braces and quotes: `bilevel,{"type": "lift", "metric": "conic"}`.
  static func splitTopLevel(_ s: String) -> [String] {
    var parts: [String] = [], current = "", depth = 0, quoted = false
    for c in s {
      if c == "\"" { quoted.toggle() }
      if !quoted { if c == "{" || c == "[" { depth += 1 } else if c == "}" || c == "]" { depth -= 1 } }
      if c == ",", depth == 0, !quoted { parts.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
      current.append(c)
    }
    if !current.trimmingCharacters(in: .whitespaces).isEmpty { parts.append(current.trimmingCharacters(in: .whitespaces)) }
    return parts
  }

  /// One run of one variant.
  public struct Run: Sendable {
    public var variant: Int
    public var seed: Int
    public var directory: String
    public var status: String
    public var message: String?
  }

  /// What a comparison produced.
  public struct Result {
    public var runs: [Run]
    public var traces: [[RunTrace]]
    public var primary: String
    public var target: Double
    /// comparison.md's table, also used by index.html.
    public var tableHeader: [String]
    public var tableRows: [[String]]
    public var files: [String]
  }

  /// Runs every variant × seed and writes the comparison folder. A config error in any variant stops it
  /// before anything runs; a diverged run is reported in the table and the comparison goes on.
  public func run(log: ((String) -> Void)? = nil) throws -> Result {
    // Compose every variant once up front, so a bad variant fails before any run starts.
    var seeds: [Int] = []
    for v in variants {
      let e = try Experiment.load(file: v.file, overrides: v.overrides, plugins: plugins)
      guard case .object(let o) = e.config, case .integer(let s)? = o["seed"] else { seeds.append(0); continue }
      seeds.append(s)
    }
    let root = URL(fileURLWithPath: outputDirectory)
    var jobs: [Run] = []
    for (i, v) in variants.enumerated() {
      for r in 0..<repeats {
        let dir = root.appendingPathComponent("runs").appendingPathComponent(RunPlots.safeName(v.name))
          .appendingPathComponent("seed-\(seeds[i] + r)").path
        jobs.append(Run(variant: i, seed: seeds[i] + r, directory: dir, status: "pending"))
      }
    }
    let lock = NSLock()
    var failures: [Error?] = Array(repeating: nil, count: jobs.count)
    let variants = self.variants, plugins = self.plugins
    jobs.withUnsafeMutableBufferPointer { jp in
      let jobsPointer = jp
      DispatchQueue.concurrentPerform(iterations: jobsPointer.count) { j in
        let job = jobsPointer[j], v = variants[job.variant]
        do {
          let e = try Experiment.load(file: v.file, overrides: v.overrides + ["seed=\(job.seed)", "threads=1"], plugins: plugins)
          let result = try e.run(outputPath: job.directory)
          let status = result.outcome.failure.map { $0.kind == .diverged ? "diverged" : "failed" } ?? "completed"
          lock.lock()
          jobsPointer[j].status = status
          jobsPointer[j].message = result.outcome.failure?.message
          log?("\(v.name), seed \(job.seed): \(status)")
          lock.unlock()
        } catch {
          lock.lock()
          failures[j] = error
          jobsPointer[j].status = "failed"
          jobsPointer[j].message = "\(error)"
          lock.unlock()
        }
      }
    }
    if let error = failures.compactMap({ $0 }).first { throw error }
    let traces = try variants.indices.map { i in try jobs.filter { $0.variant == i }.map { try RunTrace(directory: $0.directory) } }
    return try report(jobs: jobs, traces: traces)
  }

  /// Mean and sample standard deviation.
  static func meanAndSD(_ x: [Double]) -> (Double, Double) {
    let v = x.filter(\.isFinite)
    guard !v.isEmpty else { return (.nan, .nan) }
    let mean = v.reduce(0, +) / Double(v.count)
    guard v.count > 1 else { return (mean, 0) }
    return (mean, (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot())
  }

  static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "—" }

  func report(jobs: [Run], traces: [[RunTrace]]) throws -> Result {
    let primary = quantity ?? traces.first?.first?.primary ?? "objective"
    guard traces.first?.first?.columns.contains(primary) ?? false else {
      throw ConfigError(path: "", "no quantity '\(primary)' in the traces" + Suggestion.didYouMean(primary, in: traces.first?.first?.columns ?? []),
                        fix: "recorded: " + (traces.first?.first?.columns ?? []).joined(separator: ", "))
    }
    func figure(_ run: RunTrace) -> Double {
      guard let from = averageFrom else { return run.column(primary).last ?? .nan }
      let v = zip(run.column("step"), run.column(primary)).filter { $0.0 >= Double(from) && $0.1.isFinite }.map(\.1)
      return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
    }
    let finals = traces.map { runs in runs.map(figure) }
    let target = self.target ?? finals.map { Comparison.meanAndSD($0).0 }.filter(\.isFinite).max() ?? .nan
    func reach(_ run: RunTrace) -> (steps: Double, seconds: Double) {
      let q = run.column(primary), s = run.column("step")
      guard let k = q.firstIndex(where: { $0 <= target }) else { return (.nan, .nan) }
      return (s[k], k < run.wallSeconds.count ? run.wallSeconds[k] : .nan)
    }
    func summaryValue(_ run: RunTrace, _ key: String) -> Double {
      if case .object(let o)? = run.summary, let v = o[key]?.doubleValue { return v }
      return .nan
    }

    // comparison.csv: one row per variant and seed.
    let columns = traces.first?.first?.columns ?? []
    var csv = (["variant", "seed", "status", "steps", "wall_seconds", "steps_per_second", "steps_to_target", "seconds_to_target"]
      + columns.filter { $0 != "step" }.map { "final_" + $0 }).map(Comparison.csvField).joined(separator: ",") + "\n"
    for job in jobs {
      let run = traces[job.variant][jobs.filter { $0.variant == job.variant }.firstIndex { $0.seed == job.seed }!]
      let (steps, seconds) = reach(run)
      var fields = [variants[job.variant].name, String(job.seed), job.status, CSVFormat.number(run.column("step").last ?? .nan),
                    CSVFormat.number(summaryValue(run, "wall_seconds")), CSVFormat.number(summaryValue(run, "steps_per_second")),
                    steps.isFinite ? CSVFormat.number(steps) : "", seconds.isFinite ? CSVFormat.number(seconds) : ""]
      fields += columns.filter { $0 != "step" }.map { c in run.column(c).last.map { $0.isFinite ? CSVFormat.number($0) : "" } ?? "" }
      csv += fields.map(Comparison.csvField).joined(separator: ",") + "\n"
    }

    // comparison.md: mean ± sd over the seeds, per variant.
    let figureName = averageFrom.map { "\(primary), mean from step \($0)" } ?? "final \(primary)"
    let header = ["variant", "\(figureName) (mean ± sd)", "wall time (s)", "steps/s",
                  "steps to \(Comparison.format(target))", "time to \(Comparison.format(target)) (s)"]
    var rows: [[String]] = []
    for (i, v) in variants.enumerated() {
      let runs = traces[i], statuses = jobs.filter { $0.variant == i }.map(\.status)
      let (m, sd) = Comparison.meanAndSD(finals[i])
      let reached = runs.map(reach)
      let steps = reached.map(\.steps), secs = reached.map(\.seconds)
      let note = statuses.allSatisfy { $0 == "completed" } ? "" : " (" + statuses.filter { $0 != "completed" }.count.description + " diverged)"
      rows.append([v.name,
                   Comparison.format(m) + (repeats > 1 ? " ± " + Comparison.format(sd) : "") + note,
                   Comparison.format(Comparison.meanAndSD(runs.map { summaryValue($0, "wall_seconds") }).0),
                   Comparison.format(Comparison.meanAndSD(runs.map { summaryValue($0, "steps_per_second") }).0),
                   steps.allSatisfy(\.isFinite) ? Comparison.format(Comparison.meanAndSD(steps).0) : "not reached",
                   secs.allSatisfy(\.isFinite) ? Comparison.format(Comparison.meanAndSD(secs).0) : "not reached"])
    }
    var md = "# Comparison: \(variants.count) variants × \(repeats) seed\(repeats == 1 ? "" : "s")\n\n"
    md += "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in " --- " }.joined(separator: "|") + "|\n"
    for r in rows { md += "| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
    md += "\nTarget: \(Comparison.format(target))" + (self.target == nil ? " (the worst final mean, a level every variant reaches)" : "") + ".\n"
    var subtitle = "\(variants.count) variants × \(repeats) seed\(repeats == 1 ? "" : "s"); target \(Comparison.format(target))"
    if let sweep = numericSweep,
       let fit = Comparison.logLogSlope(x: sweep.values, y: finals.map { Comparison.meanAndSD($0).0 }) {
      let line = "Fitted log-log slope of \(figureName) against \(sweep.key): \(String(format: "%.3f", fit.slope)) ± \(String(format: "%.3f", fit.standardError)) (standard error)"
      md += "\n" + line + ".\n"
      subtitle += ". " + line
    }

    // Plots: each quantity against the step and against wall time; mean line, min–max band over seeds.
    var files = ["comparison.csv", "comparison.md"]
    var images: [(file: String, caption: String)] = []
    let quantities = traces.first?.first?.quantities ?? []
    for q in quantities {
      for axis in ["step", "time"] {
        let series = variants.indices.compactMap { i -> PlotSeries? in
          let runs = traces[i]
          let n = runs.map { $0.rows.count }.min() ?? 0
          guard n > 0, !runs[0].column(q).isEmpty else { return nil }
          let ys = runs.map { Array($0.column(q).prefix(n)) }
          let mean = (0..<n).map { k in Comparison.meanAndSD(ys.map { $0[k] }).0 }
          let x: [Double]
          if axis == "step" { x = Array(runs[0].column("step").prefix(n)) } else {
            guard runs.allSatisfy({ $0.wallSeconds.count >= n }) else { return nil }
            x = (0..<n).map { k in runs.map { $0.wallSeconds[k] }.reduce(0, +) / Double(runs.count) }
          }
          let band = runs.count > 1
          return PlotSeries(name: variants[i].name, x: x, y: mean,
                            lower: band ? (0..<n).map { k in ys.map { $0[k] }.filter(\.isFinite).min() ?? .nan } : nil,
                            upper: band ? (0..<n).map { k in ys.map { $0[k] }.filter(\.isFinite).max() ?? .nan } : nil)
        }
        guard !series.isEmpty else { continue }
        let file = RunPlots.safeName(q) + "-vs-" + axis + ".svg"
        // Convergence curves read best on a log scale once they span a decade.
        let ys = series.flatMap(\.y).filter(\.isFinite)
        let logY = (ys.min() ?? 0) > 0 && (ys.max() ?? 0) / (ys.min() ?? 1) >= 10
        let plot = LinePlot(title: "\(q) against \(axis == "step" ? "iterations" : "wall time")",
                            xLabel: axis == "step" ? "step" : "wall time (s)", yLabel: q, series: series, logY: logY)
        try RunPlots.write(plot.svg(), to: URL(fileURLWithPath: outputDirectory).appendingPathComponent(file).path)
        files.append(file)
        images.append((file, "\(q) against \(axis == "step" ? "the step" : "wall-clock seconds")" + (repeats > 1 ? "; mean over \(repeats) seeds, band min–max" : "")))
      }
    }
    let dir = URL(fileURLWithPath: outputDirectory)
    try RunPlots.write(csv, to: dir.appendingPathComponent("comparison.csv").path)
    try RunPlots.write(md, to: dir.appendingPathComponent("comparison.md").path)
    let html = ReportPage.html(title: "mfld comparison", subtitle: subtitle,
                               tableHeader: header, tableRows: rows, images: images)
    try RunPlots.write(html, to: dir.appendingPathComponent("index.html").path)
    files.append("index.html")
    return Result(runs: jobs, traces: traces, primary: primary, target: target, tableHeader: header, tableRows: rows, files: files)
  }

  static func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }
}
