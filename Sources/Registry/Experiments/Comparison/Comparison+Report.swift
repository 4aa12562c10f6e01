import Foundation
import Formats
import SolverAPI
import Suggestions

extension Comparison {
  /// The figure a comparison ranks variants by, per run, and the level it times them to.
  struct Figures {
    /// The recorded quantity (G_lambda for signed runs, else the objective, unless `quantity` says).
    let primary: String
    /// How the table names it: "final G_lambda", or "G_lambda, mean from step 2000".
    let name: String
    /// Per variant, per seed: the last recorded value, or the mean from `averageFrom` on.
    let finals: [[Double]]
    /// The target level: the one given, or the worst final mean (a level every variant reaches).
    let target: Double
    /// The equal wall time: the shortest of the variants' mean run times, a time every variant reached.
    let equalTime: Double

    /// The first recorded step at which a run's figure is at or below the target, and its wall time.
    /// The figure's last recorded value at or before `equalTime` (wall-clock seconds into the run).
    func atEqualTime(_ run: RunTrace) -> Double {
      guard let q = run.recorded(primary) else { return .nan }
      let k = run.wallSeconds.prefix(q.count).lastIndex { $0 <= equalTime }
      return k.map { q[$0] } ?? .nan
    }

    func reach(_ run: RunTrace) -> (steps: Double, seconds: Double) {
      guard let q = run.recorded(primary), let s = run.recorded("step"),
            let k = q.firstIndex(where: { $0 <= target }) else { return (.nan, .nan) }
      return (s[k], k < run.wallSeconds.count ? run.wallSeconds[k] : .nan)
    }
  }

  /// Writes comparison.csv, comparison.md, an SVG of every quantity against the step and against wall
  /// time, and index.html showing them together.
  func report(jobs: [Run], traces: [[RunTrace]]) throws -> Result {
    let figures = try self.figures(traces)
    let (header, rows) = table(jobs: jobs, traces: traces, figures: figures)
    var subtitle = "\(variants.count) variants × \(repeats) seed\(repeats == 1 ? "" : "s"); target \(Comparison.format(figures.target))"
    var md = markdown(header: header, rows: rows, figures: figures)
    if let line = slopeLine(figures) {
      md += "\n" + line + ".\n"
      subtitle += ". " + line
    }
    let dir = URL(fileURLWithPath: outputDirectory)
    let images = try writePlots(traces)
    try RunPlots.write(csv(jobs: jobs, traces: traces, figures: figures), to: dir.appendingPathComponent("comparison.csv").path)
    try RunPlots.write(md, to: dir.appendingPathComponent("comparison.md").path)
    let html = ReportPage.html(title: "mfld comparison", subtitle: subtitle, tableHeader: header, tableRows: rows, images: images)
    try RunPlots.write(html, to: dir.appendingPathComponent("index.html").path)
    let files = ["comparison.csv", "comparison.md"] + images.map(\.file) + ["index.html"]
    return Result(runs: jobs, traces: traces, primary: figures.primary, target: figures.target, tableHeader: header, tableRows: rows,
                  files: files)
  }

  /// The figure of every run, and the target level.
  func figures(_ traces: [[RunTrace]]) throws -> Figures {
    let columns = traces.first?.first?.columns ?? []
    let primary = quantity ?? traces.first?.first?.primary ?? "objective"
    guard columns.contains(primary) else {
      throw ConfigError(path: "", "no quantity '\(primary)' in the traces" + Suggestion.didYouMean(primary, in: columns),
                        fix: "recorded: " + columns.joined(separator: ", "))
    }
    func figure(_ run: RunTrace) -> Double {
      guard let values = run.recorded(primary) else { return .nan }
      guard let from = averageFrom else { return values.last ?? .nan }
      let v = zip(run.recorded("step") ?? [], values).filter { $0.0 >= Double(from) && $0.1.isFinite }.map(\.1)
      return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
    }
    let finals = traces.map { runs in runs.map(figure) }
    let target = self.target ?? finals.map { Comparison.meanAndSD($0).0 }.filter(\.isFinite).max() ?? .nan
    let name = averageFrom.map { "\(primary), mean from step \($0)" } ?? "final \(primary)"
    let equalTime = traces.map { runs in Comparison.meanAndSD(runs.map { $0.wallSeconds.last ?? .nan }).0 }.filter(\.isFinite).min() ?? .nan
    return Figures(primary: primary, name: name, finals: finals, target: target, equalTime: equalTime)
  }

  /// A number from a run's summary.json (NaN when absent).
  static func summaryValue(_ run: RunTrace, _ key: String) -> Double {
    if case .object(let o)? = run.summary, let v = o[key]?.doubleValue { return v }
    return .nan
  }

  /// comparison.csv: one row per variant and seed, with every final recorded value.
  func csv(jobs: [Run], traces: [[RunTrace]], figures: Figures) -> String {
    let columns = traces.first?.first?.columns ?? []
    var csv = (["variant", "seed", "status", "steps", "wall_seconds", "steps_per_second", "steps_to_target", "seconds_to_target",
                figures.primary + "_at_equal_time"]
      + columns.filter { $0 != "step" }.map { "final_" + $0 }).map(Comparison.csvField).joined(separator: ",") + "\n"
    for job in jobs {
      let run = traces[job.variant][jobs.filter { $0.variant == job.variant }.firstIndex { $0.seed == job.seed }!]
      let (steps, seconds) = figures.reach(run)
      var fields = [variants[job.variant].name, String(job.seed), job.status, CSVFormat.number(run.recorded("step")?.last ?? .nan),
                    CSVFormat.number(Comparison.summaryValue(run, "wall_seconds")),
                    CSVFormat.number(Comparison.summaryValue(run, "steps_per_second")),
                    steps.isFinite ? CSVFormat.number(steps) : "", seconds.isFinite ? CSVFormat.number(seconds) : "",
                    figures.atEqualTime(run).isFinite ? CSVFormat.number(figures.atEqualTime(run)) : ""]
      fields += columns.filter { $0 != "step" }.map { c in run.recorded(c)?.last.map { $0.isFinite ? CSVFormat.number($0) : "" } ?? "" }
      csv += fields.map(Comparison.csvField).joined(separator: ",") + "\n"
    }
    return csv
  }

  /// The table of comparison.md and index.html: mean ± sd over the seeds, per variant.
  func table(jobs: [Run], traces: [[RunTrace]], figures: Figures) -> (header: [String], rows: [[String]]) {
    let format = Comparison.format, target = format(figures.target)
    let header = ["variant", "\(figures.name) (mean ± sd)", "\(figures.primary) at \(format(figures.equalTime)) s (equal wall time)",
                  "wall time (s)", "steps/s", "steps to \(target)", "time to \(target) (s)"]
    var rows: [[String]] = []
    for (i, v) in variants.enumerated() {
      let runs = traces[i], statuses = jobs.filter { $0.variant == i }.map(\.status)
      let (m, sd) = Comparison.meanAndSD(figures.finals[i])
      let (mt, sdt) = Comparison.meanAndSD(runs.map(figures.atEqualTime))
      let reached = runs.map(figures.reach)
      let steps = reached.map(\.steps), secs = reached.map(\.seconds)
      let note = statuses.allSatisfy { $0 == "completed" } ? "" : " (" + statuses.filter { $0 != "completed" }.count.description + " diverged)"
      rows.append([v.name,
                   format(m) + (repeats > 1 ? " ± " + format(sd) : "") + note,
                   format(mt) + (repeats > 1 ? " ± " + format(sdt) : ""),
                   format(Comparison.meanAndSD(runs.map { Comparison.summaryValue($0, "wall_seconds") }).0),
                   format(Comparison.meanAndSD(runs.map { Comparison.summaryValue($0, "steps_per_second") }).0),
                   steps.allSatisfy(\.isFinite) ? format(Comparison.meanAndSD(steps).0) : "not reached",
                   secs.allSatisfy(\.isFinite) ? format(Comparison.meanAndSD(secs).0) : "not reached"])
    }
    return (header, rows)
  }

  /// comparison.md: the table, ready to paste, and the target.
  func markdown(header: [String], rows: [[String]], figures: Figures) -> String {
    var md = "# Comparison: \(variants.count) variants × \(repeats) seed\(repeats == 1 ? "" : "s")\n\n"
    md += "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in " --- " }.joined(separator: "|") + "|\n"
    for r in rows { md += "| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
    md += "\nTarget: \(Comparison.format(figures.target))" + (target == nil ? " (the worst final mean, a level every variant reaches)" : "") + ".\n"
    return md
  }

  /// With one numeric `--vary` key: the fitted log-log slope of the figure against it.
  func slopeLine(_ figures: Figures) -> String? {
    guard let sweep = numericSweep,
          let fit = Comparison.logLogSlope(x: sweep.values, y: figures.finals.map { Comparison.meanAndSD($0).0 }) else { return nil }
    return "Fitted log-log slope of \(figures.name) against \(sweep.key): \(String(format: "%.3f", fit.slope)) ± "
      + "\(String(format: "%.3f", fit.standardError)) (standard error)"
  }

  /// Each recorded quantity against the step and against wall time: the mean over the seeds as a line,
  /// their min–max as a band. Returns the files written with their captions.
  func writePlots(_ traces: [[RunTrace]]) throws -> [(file: String, caption: String)] {
    var images: [(file: String, caption: String)] = []
    for q in traces.first?.first?.quantities ?? [] {
      for axis in ["step", "time"] {
        let series = variants.indices.compactMap { i in Comparison.series(traces[i], quantity: q, axis: axis, name: variants[i].name) }
        guard !series.isEmpty else { continue }
        let file = RunPlots.safeName(q) + "-vs-" + axis + ".svg"
        let plot = LinePlot(title: "\(q) against \(axis == "step" ? "iterations" : "wall time")",
                            xLabel: axis == "step" ? "step" : "wall time (s)", yLabel: q, series: series)
        try RunPlots.write(plot.svg(), to: URL(fileURLWithPath: outputDirectory).appendingPathComponent(file).path)
        images.append((file, "\(q) against \(axis == "step" ? "the step" : "wall-clock seconds")"
                        + (repeats > 1 ? "; mean over \(repeats) seeds, band min–max" : "")))
      }
    }
    return images
  }

  /// One variant's line for quantity `q` against `axis` ("step", or "time": the seeds' mean wall time).
  static func series(_ runs: [RunTrace], quantity q: String, axis: String, name: String) -> PlotSeries? {
    let n = runs.map { $0.rows.count }.min() ?? 0
    guard n > 0, runs.allSatisfy({ $0.recorded(q) != nil }) else { return nil }
    let ys = runs.map { Array(($0.recorded(q) ?? []).prefix(n)) }
    let mean = (0..<n).map { k in meanAndSD(ys.map { $0[k] }).0 }
    let x: [Double]
    if axis == "step" { x = Array((runs[0].recorded("step") ?? []).prefix(n)) } else {
      guard runs.allSatisfy({ $0.wallSeconds.count >= n }) else { return nil }
      x = (0..<n).map { k in runs.map { $0.wallSeconds[k] }.reduce(0, +) / Double(runs.count) }
    }
    let band = runs.count > 1
    return PlotSeries(name: name, x: x, y: mean,
                      lower: band ? (0..<n).map { k in ys.map { $0[k] }.filter(\.isFinite).min() ?? .nan } : nil,
                      upper: band ? (0..<n).map { k in ys.map { $0[k] }.filter(\.isFinite).max() ?? .nan } : nil)
  }
}
