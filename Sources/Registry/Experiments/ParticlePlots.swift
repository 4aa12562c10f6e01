import Formats
import Foundation
import SolverAPI

/// The particles of a run drawn from its folder (`mfld plot RUN_DIR --particles`): particles.csv and the
/// snapshots particles/step-N.csv (`record.particles_every`), up to six panels from the first to the last.
///
/// - In 2-D, the points themselves; in higher dimensions, their projection on the two leading principal axes
///   of the last panel's cloud (weighted by |r| for a signed measure), the same projection for every panel.
/// - A signed measure's points are coloured by their weight r (with w in 1-D: r against w, a stem picture
///   of the measure, as in sparse deconvolution).
/// - A 1-D probability cloud is drawn as histograms, one line per snapshot.
public enum ParticlePlots {
  /// One snapshot: its step (nil for particles.csv without snapshots), positions, and weights when signed.
  struct Snapshot {
    var label: String
    var positions: [[Double]]
    var weights: [Double]?
    var columnNames: [String]
  }

  /// Writes particles.svg into `directory` (default: the run folder) and returns its path.
  @discardableResult
  public static func write(runDirectory run: String, into directory: String? = nil, maxPanels: Int = 6) throws -> String {
    let snapshots = try read(run, maxPanels: maxPanels)
    let out = URL(fileURLWithPath: directory ?? run).appendingPathComponent("particles.svg").path
    try RunPlots.write(svg(snapshots, name: URL(fileURLWithPath: run).lastPathComponent), to: out)
    return out
  }

  /// The panels: snapshots spread evenly from the first to the last, and particles.csv when it is later.
  static func read(_ run: String, maxPanels: Int) throws -> [Snapshot] {
    let folder = URL(fileURLWithPath: run).appendingPathComponent("particles")
    let steps = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).compactMap { name -> Int? in
      guard name.hasPrefix("step-"), name.hasSuffix(".csv") else { return nil }
      return Int(name.dropFirst(5).dropLast(4))
    }.sorted()
    var chosen = steps
    if steps.count > maxPanels {
      chosen = (0..<maxPanels).map { k in steps[Int((Double(k) * Double(steps.count - 1) / Double(maxPanels - 1)).rounded())] }
    }
    var snapshots = try chosen.map { try load(folder.appendingPathComponent("step-\($0).csv").path, label: "step \($0)") }
    let finalFile = URL(fileURLWithPath: run).appendingPathComponent("particles.csv").path
    let finalStep = finalStepOf(run)
    if FileManager.default.fileExists(atPath: finalFile), chosen.last.map({ finalStep == nil || $0 < finalStep! }) ?? true {
      if snapshots.count == maxPanels { snapshots.removeLast() }
      snapshots.append(try load(finalFile, label: finalStep.map { "step \($0) (final)" } ?? "final"))
    }
    guard !snapshots.isEmpty else {
      throw ConfigError(file: finalFile, path: "", "no particles to draw",
                        fix: "plot a finished run's folder; set record.particles_every for snapshots along the way")
    }
    return snapshots
  }

  /// The step summary.json reports, when there is one.
  static func finalStepOf(_ run: String) -> Int? {
    guard let text = try? String(contentsOfFile: run + "/summary.json", encoding: .utf8),
          case .object(let o)? = try? JSONParser.parse(text), case .integer(let s)? = o["steps"] else { return nil }
    return s
  }

  static func load(_ file: String, label: String) throws -> Snapshot {
    let table: NumericTable
    do { table = try NumericTable.read(contentsOf: file) } catch {
      throw ConfigError(file: file, path: "", "\(error)", fix: "the run wrote it; rerun it if it was changed")
    }
    let signed = table.columnNames.first == "r" && table.columnCount >= 2
    let first = signed ? 1 : 0
    let positions = (0..<table.rowCount).map { i in (first..<table.columnCount).map { table[i, $0] } }
    return Snapshot(label: label, positions: positions, weights: signed ? table.column(0) : nil,
                    columnNames: Array(table.columnNames[first...]))
  }

  static func svg(_ snapshots: [Snapshot], name: String) -> String {
    let dimension = snapshots.last!.positions.first?.count ?? 0
    let signed = snapshots.last!.weights != nil
    if dimension == 1 && !signed { return histograms(snapshots, name: name) }
    let axes: (x: ([Double]) -> Double, y: ([Double]) -> Double, xLabel: String, yLabel: String)
    if dimension == 1 {
      axes = ({ $0[0] }, { _ in 0 }, snapshots[0].columnNames[0], "r")
    } else if dimension == 2 {
      axes = ({ $0[0] }, { $0[1] }, snapshots[0].columnNames[0], snapshots[0].columnNames[1])
    } else {
      let (axesPCs, shares) = principalAxes(snapshots.last!.positions, weights: snapshots.last!.weights.map { $0.map(abs) })
      func project(_ v: [Double], _ a: [Double]) -> Double { zip(v, a).reduce(0) { $0 + $1.0 * $1.1 } }
      axes = ({ project($0, axesPCs[0]) }, { project($0, axesPCs[1]) },
              String(format: "principal axis 1 (%.0f%% of the variance)", 100 * shares[0]),
              String(format: "principal axis 2 (%.0f%% of the variance)", 100 * shares[1]))
    }
    let panels = snapshots.map { s in
      ScatterPlot.Panel(title: s.label, x: s.positions.map(axes.x),
                        y: dimension == 1 ? (s.weights ?? []) : s.positions.map(axes.y), weight: s.weights)
    }
    let what = signed ? "ν, positions w coloured by weight r" : "the particles"
    let projected = dimension > 2 ? " (projected from \(dimension) coordinates)" : ""
    return ScatterPlot(title: "\(name): \(what)\(projected)", xLabel: axes.xLabel, yLabel: axes.yLabel, panels: panels,
                       weightLabel: "r", equalAxes: dimension >= 2).svg()
  }

  /// Histograms (densities on 40 shared bins) of a 1-D cloud, one line per snapshot.
  static func histograms(_ snapshots: [Snapshot], name: String) -> String {
    let all = snapshots.flatMap { $0.positions.map { $0[0] } }.filter(\.isFinite)
    let lo = all.min() ?? 0, hi = all.max() ?? 1, bins = 40
    let width = hi > lo ? (hi - lo) / Double(bins) : 1
    let series = snapshots.map { s -> PlotSeries in
      var counts = [Double](repeating: 0, count: bins)
      for p in s.positions where p[0].isFinite { counts[min(bins - 1, max(0, Int((p[0] - lo) / width)))] += 1 }
      var x: [Double] = [], y: [Double] = []
      for b in 0..<bins {
        let density = counts[b] / (Double(s.positions.count) * width)
        x += [lo + Double(b) * width, lo + Double(b + 1) * width]
        y += [density, density]
      }
      return PlotSeries(name: s.label, x: x, y: y)
    }
    return LinePlot(title: "\(name): the particles' density", xLabel: snapshots[0].columnNames[0], yLabel: "density", series: series,
                    logY: false).svg()
  }

  /// The two leading principal axes of the (weighted) points, by power iteration with deflation from a
  /// fixed start (deterministic), and their shares of the total variance.
  static func principalAxes(_ points: [[Double]], weights: [Double]?) -> ([[Double]], [Double]) {
    let d = points.first?.count ?? 0
    let w = weights ?? [Double](repeating: 1, count: points.count)
    let total = max(w.reduce(0, +), 1e-300)
    var mean = [Double](repeating: 0, count: d)
    for (p, wi) in zip(points, w) { for k in 0..<d { mean[k] += wi * p[k] / total } }
    var cov = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for (p, wi) in zip(points, w) {
      for a in 0..<d { for b in 0..<d { cov[a][b] += wi * (p[a] - mean[a]) * (p[b] - mean[b]) / total } }
    }
    let trace = (0..<d).reduce(0) { $0 + cov[$1][$1] }
    var axes: [[Double]] = [], shares: [Double] = []
    /// `u` made orthogonal to the axes found (twice, for round-off) and unit; nil when nothing is left.
    func orthonormal(_ u: [Double], _ axes: [[Double]]) -> [Double]? {
      var u = u
      for _ in 0..<2 {
        for axis in axes {
          let dot = zip(u, axis).reduce(0) { $0 + $1.0 * $1.1 }
          for k in 0..<d { u[k] -= dot * axis[k] }
        }
      }
      let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return norm > 0 && norm.isFinite ? u.map { $0 / norm } : nil
    }
    for _ in 0..<min(2, d) {
      var v = orthonormal((0..<d).map { 1 + 0.1 * Double($0) }, axes) ?? []
      var lambda = 0.0
      for _ in 0..<500 where !v.isEmpty {
        let u = (0..<d).map { a in (0..<d).reduce(0) { $0 + cov[a][$1] * v[$1] } }
        let norm = orthonormal(u, axes).map { w in zip(w, u).reduce(0) { $0 + $1.0 * $1.1 } } ?? 0
        // No variance left off the axes found (a cloud of lower rank): any orthogonal direction will do.
        guard norm > 1e-12 * max(trace, 1e-300), let next = orthonormal(u, axes) else { lambda = 0; break }
        lambda = norm
        v = next
      }
      if lambda == 0 {
        v = (0..<d).lazy.compactMap { k in orthonormal((0..<d).map { $0 == k ? 1 : 0 }, axes) }.first ?? v
      }
      axes.append(v)
      shares.append(trace > 0 ? lambda / trace : 0)
    }
    return (axes, shares)
  }
}
