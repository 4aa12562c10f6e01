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
  ///
  /// `traces[v]` holds variant v's runs that left a trace (`jobs[j].trace` indexes it). Only completed
  /// runs enter the figures, the target, the plots and the fit; the CSV lists every run.
  func report(jobs: [Run], traces: [[RunTrace]]) throws -> Result {
    let completed = traces.indices.map { v in
      jobs.filter { $0.variant == v && $0.status == "completed" }.compactMap { $0.trace.map { traces[v][$0] } }
    }
    let figures = try self.figures(completed)
    let (header, rows) = table(jobs: jobs, traces: completed, figures: figures)
    var subtitle = "\(variants.count) variants × \(repeats) seed\(repeats == 1 ? "" : "s"); target \(Comparison.format(figures.target))"
    var md = markdown(header: header, rows: rows, figures: figures)
    if let line = slopeLine(figures) {
      md += "\n" + line + ".\n"
      subtitle += ". " + line
    }
    let dir = URL(fileURLWithPath: outputDirectory)
    let images = try writePlots(completed, figures: figures)
    try RunPlots.write(csv(jobs: jobs, traces: traces, figures: figures), to: dir.appendingPathComponent("comparison.csv").path)
    try RunPlots.write(md, to: dir.appendingPathComponent("comparison.md").path)
    let html = ReportPage.html(title: "mfld comparison", subtitle: subtitle, tableHeader: header, tableRows: rows, images: images)
    try RunPlots.write(html, to: dir.appendingPathComponent("index.html").path)
    let files = ["comparison.csv", "comparison.md"] + images.map(\.file) + ["index.html"]
    return Result(runs: jobs, traces: completed, primary: figures.primary, target: figures.target, tableHeader: header, tableRows: rows,
                  files: files)
  }

  /// The figure of every run, and the target level.
  func figures(_ traces: [[RunTrace]]) throws -> Figures {
    let columns = Comparison.firstTrace(traces)?.columns ?? []
    let primary = quantity ?? Comparison.firstTrace(traces)?.primary ?? "objective"
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

  /// comparison.csv: one row per variant and seed — the swept values as columns (numbers where they are
  /// numbers), the status and its message, and every final recorded value.
  func csv(jobs: [Run], traces: [[RunTrace]], figures: Figures) -> String {
    let columns = Comparison.firstTrace(traces)?.columns ?? []
    let swept = variants.first?.sweptKeys ?? []
    var csv = (["variant"] + swept + ["seed", "status", "steps", "wall_seconds", "steps_per_second", "steps_to_target", "seconds_to_target",
                figures.primary + "_at_equal_time"]
      + columns.filter { $0 != "step" }.map { "final_" + $0 } + ["message"]).map(Comparison.csvField).joined(separator: ",") + "\n"
    for job in jobs {
      let v = variants[job.variant]
      var fields = [v.name] + swept.indices.map { k in k < v.sweptValues.count ? Comparison.csvValue(v.sweptValues[k]) : "" }
      fields += [String(job.seed), job.status]
      if let t = job.trace {
        let run = traces[job.variant][t]
        let (steps, seconds) = figures.reach(run)
        fields += [CSVFormat.number(run.recorded("step")?.last ?? .nan),
                   CSVFormat.number(Comparison.summaryValue(run, "wall_seconds")),
                   CSVFormat.number(Comparison.summaryValue(run, "steps_per_second")),
                   steps.isFinite ? CSVFormat.number(steps) : "", seconds.isFinite ? CSVFormat.number(seconds) : "",
                   figures.atEqualTime(run).isFinite ? CSVFormat.number(figures.atEqualTime(run)) : ""]
        fields += columns.filter { $0 != "step" }.map { c in run.recorded(c)?.last.map { $0.isFinite ? CSVFormat.number($0) : "" } ?? "" }
      } else {
        fields += Array(repeating: "", count: 6 + columns.count - (columns.contains("step") ? 1 : 0))
      }
      fields.append(Comparison.oneLine(job.message ?? ""))
      csv += fields.map(Comparison.csvField).joined(separator: ",") + "\n"
    }
    return csv
  }

  /// A swept value as a CSV cell: a number as written, anything else as the variant name shows it.
  static func csvValue(_ json: String) -> String {
    if let v = try? JSONParser.parse(json), case .integer = v { return json.trimmingCharacters(in: .whitespaces) }
    if let v = try? JSONParser.parse(json), case .real(let x) = v { return CSVFormat.number(x) }
    return display(json)
  }

  /// A message on one line (newlines and control characters become spaces).
  public static func oneLine(_ s: String) -> String {
    String(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
  }

  /// The first run with a trace (whose columns name the quantities).
  static func firstTrace(_ traces: [[RunTrace]]) -> RunTrace? { traces.lazy.compactMap(\.first).first }

  /// The table of comparison.md and index.html: mean ± sd over the seeds, per variant.
  func table(jobs: [Run], traces: [[RunTrace]], figures: Figures) -> (header: [String], rows: [[String]]) {
    let format = Comparison.format, target = format(figures.target)
    // The held-out figures, when recorded: what a paper reports beside the training objective.
    let heldOut = ["test_risk", "accuracy", "test_accuracy"].filter { q in traces.contains { $0.contains { $0.columns.contains(q) } } }
    let header = ["variant", "\(figures.name) (mean ± sd)"] + heldOut.map { "final \($0)" }
      + ["\(figures.primary) at \(format(figures.equalTime)) s (equal wall time)", "wall time (s)", "steps/s", "steps to \(target)",
         "time to \(target) (s)"]
    var rows: [[String]] = []
    for (i, v) in variants.enumerated() {
      let runs = traces[i]
      let (m, sd) = Comparison.meanAndSD(figures.finals[i])
      let (mt, sdt) = Comparison.meanAndSD(runs.map(figures.atEqualTime))
      let reached = runs.map(figures.reach)
      let steps = reached.map(\.steps), secs = reached.map(\.seconds)
      let note = Comparison.statusNote(jobs.filter { $0.variant == i })
      guard !runs.isEmpty else {
        rows.append([v.name, "—" + note] + Array(repeating: "—", count: header.count - 2))
        continue
      }
      let held = heldOut.map { q -> String in
        let (hm, hsd) = Comparison.meanAndSD(runs.map { $0.recorded(q)?.last ?? .nan })
        return format(hm) + (repeats > 1 ? " ± " + format(hsd) : "")
      }
      rows.append([v.name,
                   format(m) + (repeats > 1 ? " ± " + format(sd) : "") + note] + held + [
                   format(mt) + (repeats > 1 ? " ± " + format(sdt) : ""),
                   format(Comparison.meanAndSD(runs.map { Comparison.summaryValue($0, "wall_seconds") }).0),
                   format(Comparison.meanAndSD(runs.map { Comparison.summaryValue($0, "steps_per_second") }).0),
                   steps.allSatisfy(\.isFinite) ? format(Comparison.meanAndSD(steps).0) : "not reached",
                   secs.allSatisfy(\.isFinite) ? format(Comparison.meanAndSD(secs).0) : "not reached"])
    }
    return (header, rows)
  }

  /// What went wrong in a variant's runs, for its table cell: "" when all completed, else e.g.
  /// " (1 of 3 diverged: the objective is not finite at step 120…)".
  static func statusNote(_ runs: [Run]) -> String {
    let bad = runs.filter { $0.status != "completed" }
    guard let first = bad.first else { return "" }
    let kinds = Dictionary(grouping: bad, by: \.status).sorted { $0.key < $1.key }.map { "\($0.value.count) of \(runs.count) \($0.key)" }
    var message = oneLine(first.message ?? "")
    if message.count > 90 { message = String(message.prefix(89)) + "…" }
    return " (" + kinds.joined(separator: ", ") + (message.isEmpty ? "" : ": " + message) + ")"
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

  /// The figure against the swept value, then each recorded quantity (the primary figure first) against
  /// the step and against wall time: the mean over the seeds as a line, their min–max as a band. Returns the
  /// files written with their captions.
  func writePlots(_ traces: [[RunTrace]], figures: Figures) throws -> [(file: String, caption: String)] {
    var images: [(file: String, caption: String)] = []
    let folder = URL(fileURLWithPath: outputDirectory)
    if let sweep = numericSweep {
      let order = sweep.values.indices.sorted { sweep.values[$0] < sweep.values[$1] }
      let stats = order.map { figures.finals[$0].filter(\.isFinite) }
      let y = stats.map { Comparison.meanAndSD($0).0 }
      let x = order.map { sweep.values[$0] }
      let fit = Comparison.logLogSlope(x: x, y: y)
      let logLog = fit != nil && y.allSatisfy { $0 > 0 }
      let plot = LinePlot(title: "\(figures.name) against \(sweep.key)" + (logLog ? String(format: " (slope %.2f)", fit!.slope) : ""),
                          xLabel: sweep.key, yLabel: figures.primary,
                          series: [PlotSeries(name: figures.primary, x: x, y: y, lower: repeats > 1 ? stats.map { $0.min() ?? .nan } : nil,
                                              upper: repeats > 1 ? stats.map { $0.max() ?? .nan } : nil)],
                          logY: logLog ? true : nil, logX: logLog)
      let file = RunPlots.safeName(figures.primary) + "-vs-" + RunPlots.safeName(sweep.key) + ".svg"
      try RunPlots.write(plot.svg(), to: folder.appendingPathComponent(file).path)
      images.append((file, "\(figures.name) against the swept \(sweep.key)" + (logLog ? ", log-log, with the fitted power-law slope" : "")
                      + (repeats > 1 ? "; mean over \(repeats) seeds, band min–max" : "")))
    }
    var quantities = Comparison.firstTrace(traces)?.quantities ?? []
    if let k = quantities.firstIndex(of: figures.primary) { quantities.insert(quantities.remove(at: k), at: 0) }
    let differing = differingSettings(traces)
    for q in quantities {
      for axis in ["step", "time"] {
        let series = variants.indices.compactMap { i in Comparison.series(traces[i], quantity: q, axis: axis, name: variants[i].name) }
        guard !series.isEmpty else { continue }
        let file = RunPlots.safeName(q) + "-vs-" + axis + ".svg"
        let times = series.flatMap(\.x).filter { $0 > 0 }
        let logTime = axis == "time" && (times.max() ?? 0) >= 100 * (times.min() ?? .infinity)
        let plot = LinePlot(title: "\(q) against \(axis == "step" ? "iterations" : "wall time")",
                            xLabel: axis == "step" ? "step" : "wall time (s)", yLabel: q, series: series, logX: logTime)
        try RunPlots.write(plot.svg(), to: folder.appendingPathComponent(file).path)
        var caption = "\(q) against \(axis == "step" ? "the step" : "wall-clock seconds" + (logTime ? " (log scale)" : ""))"
          + (repeats > 1 ? "; mean over \(repeats) seeds, band min–max" : "")
        if q == "objective", figures.primary != "objective", !differing.isEmpty {
          caption += ". Not comparable across variants: each records the objective of its own " + differing.joined(separator: " and ")
            + "; compare \(figures.primary)"
        }
        images.append((file, caption))
      }
    }
    return images
  }

  /// The settings that change what the recorded objective means ("reduction", "metric") when they differ
  /// between variants, read from the runs' config.json.
  func differingSettings(_ traces: [[RunTrace]]) -> [String] {
    let configs = traces.compactMap(\.first).compactMap { run -> ConfigObject? in
      guard let text = try? String(contentsOfFile: run.directory + "/config.json", encoding: .utf8),
            case .object(let o)? = try? JSONParser.parse(text) else { return nil }
      return o
    }
    return ["reduction", "metric"].filter { key in Set(configs.map { $0[key]?.jsonText(pretty: false) ?? "" }).count > 1 }
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
