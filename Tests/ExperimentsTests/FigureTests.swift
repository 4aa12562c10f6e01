import Foundation
import Experiments
import Formats
import Registry
import Testing

/// The figures people put in a paper: the temperature schedule on a second axis, the particles (points,
/// projections, weights, histograms), and a comparison page that leads with its primary figure and draws a
/// numeric sweep against the swept value.
struct FigureTests {
  typealias Document = PlotTests.Document

  func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-figures-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test("a second axis carries the schedule: its own ticks at the right, a grey dashed line, a legend entry")
  func secondaryAxis() throws {
    let steps = (0...100).map(Double.init)
    let plot = LinePlot(title: "objective", xLabel: "step", yLabel: "objective",
                        series: [PlotSeries(name: "run", x: steps, y: steps.map { 1 / (1 + $0) })],
                        secondary: PlotSeries(name: "temperature τ", x: steps, y: steps.map { 0.5 * pow(0.95, $0) }))
    let doc = try #require(Document.parse(plot.svg()))
    let secondary = doc.all("path", class: "secondary")
    #expect(secondary.count == 1 && secondary[0].attributes["stroke-dasharray"] == "5 3")
    #expect(doc.all("text", class: "y2-label").map(\.text) == ["temperature τ"])
    // The schedule spans three decades: a log axis whose labels are decades, drawn right of the plot area.
    let plotRight = try #require(doc.all("line").filter { $0.parents.contains("axes") }.compactMap { Double($0.attributes["x1"] ?? "") }.max())
    let right = doc.all("text").filter { $0.parents.contains("tick-labels") && (Double($0.attributes["x"] ?? "") ?? 0) > plotRight }
    #expect(right.map(\.text).contains("0.1") && right.map(\.text).contains("0.01"), "\(right.map(\.text))")
    #expect(doc.all("text").filter { $0.parents.contains("legend") }.map(\.text) == ["run", "temperature τ"])
    // Without a secondary series, nothing of it.
    let plain = try #require(Document.parse(LinePlot(title: "t", xLabel: "x", yLabel: "y", series: plot.series).svg()))
    #expect(plain.all("path", class: "secondary").isEmpty && plain.all("text", class: "y2-label").isEmpty)
  }

  @Test("a single run's plots overlay the temperature when it varies, and only then")
  func runPlotsOverlayAVaryingTemperature() throws {
    for (temperatures, expected) in [([0.5, 0.5, 0.25, 0.1], 1), ([0.5, 0.5, 0.5, 0.5], 0)] {
      let dir = try folder()
      let rows = temperatures.enumerated().map { k, tau in "\(k * 10),\(Double(k)),\(tau),0.1,\(1.0 / Double(k + 1))" }
      try ("step,time,temperature,step_size,objective\n" + rows.joined(separator: "\n") + "\n")
        .write(to: dir.appendingPathComponent("trace.csv"), atomically: true, encoding: .utf8)
      try RunPlots.write([RunTrace(directory: dir.path)], names: ["run"], quantities: ["objective"], into: dir.path)
      let doc = try #require(Document.parse(String(contentsOf: dir.appendingPathComponent("objective.svg"), encoding: .utf8)))
      #expect(doc.all("path", class: "secondary").count == expected)
    }
  }

  /// Writes a particles CSV.
  func writeCloud(_ header: String, _ rows: [[Double]], to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try (header + "\n" + rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n")
      .write(to: url, atomically: true, encoding: .utf8)
  }

  @Test("2-D particles: one panel per snapshot (at most six, first and last kept) and the final cloud, every point drawn, shared square axes")
  func twoDimensionalSnapshots() throws {
    let run = try folder()
    let cloud = (0..<25).map { i in [Double(i % 5), Double(i / 5) * 0.5] }
    for step in stride(from: 0, through: 900, by: 100) {
      try writeCloud("x1,x2", cloud, to: run.appendingPathComponent("particles/step-\(step).csv"))
    }
    try writeCloud("x1,x2", cloud, to: run.appendingPathComponent("particles.csv"))
    try #"{"status": "completed", "steps": 1000}"#.write(to: run.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
    let file = try ParticlePlots.write(runDirectory: run.path)
    let doc = try #require(Document.parse(String(contentsOfFile: file, encoding: .utf8)))
    let titles = doc.all("g", class: "panel").count
    #expect(titles == 6)
    let panelTitles = doc.all("text").filter { $0.parents.contains("panel") && !$0.parents.contains("points") }.map(\.text)
      .filter { $0.hasPrefix("step") }
    #expect(panelTitles.first == "step 0" && panelTitles.last == "step 1000 (final)", "\(panelTitles)")
    #expect(doc.all("circle").count == 6 * 25)
    #expect(doc.all("text", class: "x-label").map(\.text) == ["x1"] && doc.all("text", class: "y-label").map(\.text) == ["x2"])
    #expect(doc.all("g", class: "colour-bar").isEmpty, "an unweighted cloud has no colour bar")
  }

  @Test("a signed measure in 3-D: projected on its principal axes, coloured by r on a symmetric scale with a colour bar")
  func signedProjection() throws {
    let run = try folder()
    // Points along the direction (1, 2, 2)/3 with small spread off it; weights of both signs.
    let rows = (0..<40).map { i -> [Double] in
      let t = Double(i) / 4 - 5, e = Double(i % 3) * 0.01
      return [i.isMultiple(of: 2) ? 1.5 : -0.5, t / 3 + e, 2 * t / 3, 2 * t / 3 - e]
    }
    try writeCloud("r,w1,w2,w3", rows, to: run.appendingPathComponent("particles.csv"))
    let doc = try #require(Document.parse(String(contentsOfFile: try ParticlePlots.write(runDirectory: run.path), encoding: .utf8)))
    let xLabel = try #require(doc.all("text", class: "x-label").first?.text)
    #expect(xLabel.hasPrefix("principal axis 1 (100% of the variance)"), "\(xLabel)")
    let fills = Set(doc.all("circle").compactMap { $0.attributes["fill"] })
    #expect(fills.count == 2 && fills.contains(ScatterPlotColors.red), "\(fills)")
    let bar = doc.all("text").filter { $0.parents.contains("colour-bar") }.map(\.text)
    #expect(bar == ["1.5", "0", "-1.5", "r"], "\(bar)")
  }

  @Test("a 1-D cloud is drawn as densities, one line per snapshot")
  func histograms() throws {
    let run = try folder()
    try writeCloud("x1", (0..<200).map { [Double($0) / 100] }, to: run.appendingPathComponent("particles/step-0.csv"))
    try writeCloud("x1", (0..<200).map { [1 + Double($0) / 200] }, to: run.appendingPathComponent("particles/step-50.csv"))
    let doc = try #require(Document.parse(String(contentsOfFile: try ParticlePlots.write(runDirectory: run.path), encoding: .utf8)))
    let lines = doc.all("path", class: "series")
    #expect(lines.map { $0.attributes["data-series"] ?? "" } == ["step 0", "step 50"])
  }

  @Test("principal axes: a cloud on a line in 3-D has that line as axis 1 with the whole variance")
  func principalAxes() throws {
    // Through the library's public plot: the projection of the line's points keeps their spacing.
    let run = try folder()
    let rows = (0..<11).map { i -> [Double] in let t = Double(i); return [t * 2 / 3, t / 3, t * 2 / 3] }
    try writeCloud("x1,x2,x3", rows, to: run.appendingPathComponent("particles.csv"))
    let doc = try #require(Document.parse(String(contentsOfFile: try ParticlePlots.write(runDirectory: run.path), encoding: .utf8)))
    let cx = doc.all("circle").compactMap { Double($0.attributes["cx"] ?? "") }.sorted()
    let gaps = zip(cx.dropFirst(), cx).map { $0 - $1 }
    #expect(gaps.allSatisfy { abs($0 - gaps[0]) < 0.02 }, "equally spaced along axis 1: \(gaps)")
    let cy = Set(doc.all("circle").compactMap { $0.attributes["cy"] })
    #expect(cy.count == 1, "no spread on axis 2")
  }
}

/// The colour scale's ends, as the plot writes them.
enum ScatterPlotColors {
  static let red = "#B2182B"
}
