import Formats
import Foundation
import SolverAPI

/// Plots of runs' traces, one SVG per quantity.
public enum RunPlots {
  /// Writes `<quantity>.svg` (against the step) into `directory` for each quantity of `runs`, one line per
  /// run (named by `names`). A single run whose temperature varies (an annealing schedule) gets the
  /// temperature on a second axis. Returns the file names written.
  @discardableResult
  public static func write(_ runs: [RunTrace], names: [String], quantities: [String]? = nil, into directory: String) throws -> [String] {
    let wanted = quantities ?? runs.first?.quantities ?? []
    var files: [String] = []
    for q in wanted {
      let series = zip(runs, names).compactMap { run, name -> PlotSeries? in
        guard let y = run.recorded(q), let steps = run.recorded("step") else { return nil }
        return PlotSeries(name: name, x: steps, y: y)
      }
      guard !series.isEmpty else { continue }
      var schedule: PlotSeries?
      if runs.count == 1, q != "temperature", let tau = runs[0].recorded("temperature"), Set(tau).count > 1, let steps = runs[0].recorded("step") {
        schedule = PlotSeries(name: "temperature τ", x: steps, y: tau)
      }
      let plot = LinePlot(title: q, xLabel: "step", yLabel: q, series: series, secondary: schedule)
      let file = safeName(q) + ".svg"
      try write(plot.svg(), to: URL(fileURLWithPath: directory).appendingPathComponent(file).path)
      files.append(file)
    }
    return files
  }

  static func safeName(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
  }

  static func write(_ text: String, to path: String) throws {
    try AtomicFile.write(text, to: path)
  }
}
