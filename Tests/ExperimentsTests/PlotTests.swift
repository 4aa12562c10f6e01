import Foundation
import Experiments
import Formats
import Registry
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The SVG line plots and the HTML report page: well-formed XML, the elements the report relies on, scale and
/// tick choices, robustness to unusable values, decimation, and byte-for-byte determinism.
struct PlotTests {
  /// Every element of a parsed XML document, in document order, with its attributes and direct text.
  final class Document: NSObject, XMLParserDelegate {
    struct Element {
      var name: String
      var attributes: [String: String]
      var text = ""
      var parents: [String] = []
    }
    var elements: [Element] = []
    var open: [Int] = []

    static func parse(_ text: String) -> Document? {
      let document = Document()
      let parser = XMLParser(data: Data(text.utf8))
      parser.delegate = document
      return parser.parse() ? document : nil
    }

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
      attributes attributeDict: [String: String] = [:]
    ) {
      let parents = open.map { elements[$0].attributes["class"] ?? elements[$0].name }
      open.append(elements.count)
      elements.append(Element(name: elementName, attributes: attributeDict, parents: parents))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
      open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if let i = open.last { elements[i].text += string }
    }

    func all(_ name: String, class cls: String? = nil) -> [Element] {
      elements.filter { $0.name == name && (cls == nil || $0.attributes["class"] == cls) }
    }
    var texts: [String] { all("text").map(\.text) }
  }

  /// The coordinates of a path's "M x,y L x,y …" data (circle subpaths of isolated points not included).
  static func points(_ d: String) -> [(x: Double, y: Double)] {
    d.split(separator: " ").compactMap { token in
      guard let first = token.first, first == "M" || first == "L" else { return nil }
      let xy = token.dropFirst().split(separator: ",").compactMap { Double($0) }
      return xy.count == 2 ? (xy[0], xy[1]) : nil
    }
  }

  static func subpaths(_ d: String) -> Int { d.filter { $0 == "M" }.count }

  static func exampleSeries() -> [PlotSeries] {
    let steps = (0...200).map { Double($0) * 50 }
    let fast = steps.map { 2 * exp(-$0 / 900) + 1e-4 }
    let slow = steps.map { 1.5 / (1 + $0 / 300) }
    let noisy = steps.enumerated().map { i, t in 0.8 * exp(-t / 2500) * (1 + 0.15 * sin(Double(i) * 1.7)) + 2e-3 }
    return [
      PlotSeries(
        name: "Langevin (η = 0.01)", x: steps, y: fast, lower: fast.map { $0 * 0.6 }, upper: fast.map { $0 * 1.5 }),
      PlotSeries(name: "mean-field, N = 1000", x: steps, y: slow),
      PlotSeries(name: "annealed", x: steps, y: noisy),
    ]
  }

  static func example() -> LinePlot {
    LinePlot(
      title: "Free-energy gap vs. iteration", xLabel: "iteration", yLabel: "F(μ) − F*", series: exampleSeries())
  }

  @Test func svgParsesWithOneLinePerSeriesAndBandsWhereBounded() throws {
    let plot = Self.example()
    let svg = plot.svg()
    let doc = try #require(Document.parse(svg), "SVG is not well-formed XML")
    #expect(doc.elements.first?.name == "svg")
    let lines = doc.all("path", class: "series")
    #expect(lines.count == 3)
    #expect(lines.map { $0.attributes["data-series"] } == plot.series.map(\.name))
    let bands = doc.all("path", class: "band")
    #expect(bands.count == 1)
    #expect(bands.first?.attributes["data-series"] == "Langevin (η = 0.01)")
    #expect(Set(lines.compactMap { $0.attributes["stroke"] }).count == 3, "each series gets its own color")
    for line in lines { #expect(Self.points(line.attributes["d"] ?? "").count == 201) }

    let texts = doc.texts
    #expect(texts.contains("iteration"))
    #expect(texts.contains("F(μ) − F*"))
    #expect(texts.contains("Free-energy gap vs. iteration"))
    let legend = doc.all("text").filter { $0.parents.contains("legend") }.map(\.text)
    #expect(legend == plot.series.map(\.name))

    // Two of three with bounds: two bands.
    var two = plot
    two.series[2].lower = two.series[2].y.map { $0 / 2 }
    two.series[2].upper = two.series[2].y.map { $0 * 2 }
    let doc2 = try #require(Document.parse(two.svg()))
    #expect(doc2.all("path", class: "band").map { $0.attributes["data-series"] } == ["Langevin (η = 0.01)", "annealed"])
    #expect(doc2.all("path", class: "series").count == 3)
  }

  @Test func logScaleIsChosenForDataSpanningDecadesOnly() throws {
    func plot(_ y: [Double]) -> LinePlot {
      LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "s", y: y)])
    }
    #expect(plot([1, 0.1, 0.01, 0.001]).usesLogY)
    #expect(plot([5, 0.5]).usesLogY)  // exactly a decade
    #expect(!plot([5, 0.6]).usesLogY)
    #expect(!plot([1, 2, 3, 4]).usesLogY)
    #expect(!plot([1, 0.001, 0]).usesLogY, "a zero cannot go on a log axis")
    #expect(!plot([1, 0.001, -1]).usesLogY)
    #expect(plot([1, 0.001, .nan, .infinity]).usesLogY, "non-finite values do not decide the scale")
    var forced = plot([1, 2, 3])
    forced.logY = true
    #expect(forced.usesLogY)
    forced = plot([1, 0.001])
    forced.logY = false
    #expect(!forced.usesLogY)
    // Across series: each is narrow, together they span decades.
    let two = LinePlot(
      title: "", xLabel: "", yLabel: "",
      series: [PlotSeries(name: "a", y: [1, 2]), PlotSeries(name: "b", y: [0.001, 0.002])])
    #expect(two.usesLogY)

    // The log plot's y tick labels are decades.
    let doc = try #require(Document.parse(plot([2, 0.3, 0.004, 0.0005]).svg()))
    let tickLabels = doc.all("text").filter { $0.parents.contains("tick-labels") }.map(\.text)
    for decade in ["0.001", "0.01", "0.1", "1"] { #expect(tickLabels.contains(decade)) }
  }

  @Test func logTicksAreDecadesWithMinorTicks() {
    let t = PlotAxis.log(min: 3e-5, max: 2)
    #expect(t.isLog)
    #expect(t.lower <= 3e-5 && t.upper >= 2)
    #expect(t.major == [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1].filter { $0 >= t.lower && $0 <= t.upper })
    #expect(t.labels == ["0.0001", "0.001", "0.01", "0.1", "1"].suffix(t.labels.count))
    for v in t.major { #expect(log10(v) == log10(v).rounded(), "\(v) is not a decade") }
    #expect(t.minor.contains(2e-3) && t.minor.contains(9e-2), "2…9 × 10^k minor ticks")
    #expect(Set(t.minor).isDisjoint(with: t.major))
    #expect(t.minor.allSatisfy { $0 >= t.lower && $0 <= t.upper })

    // Many decades: labels thinned to every n-th decade, still decades.
    let wide = PlotAxis.log(min: 1e-20, max: 1e10, maxLabels: 8)
    #expect(wide.major.count <= 8 && wide.major.count >= 4)
    #expect(wide.major.allSatisfy { log10($0) == log10($0).rounded() })
    #expect(wide.lower <= 1e-20 && wide.upper >= 1e10)

    // Less than two decades: 1-2-5 labels.
    let narrow = PlotAxis.log(min: 3, max: 40)
    #expect(narrow.major == [2, 5, 10, 20, 50])
    #expect(narrow.minor.contains(3) && narrow.minor.contains(40) && !narrow.minor.contains(10))
    #expect(narrow.lower <= 3 && narrow.upper >= 40)
  }

  @Test func linearTicksAreNiceNumbersCoveringTheRange() {
    let t = PlotAxis.linear(min: 0.013, max: 0.947, targetCount: 5)
    #expect(t.major == [0, 0.2, 0.4, 0.6, 0.8, 1])
    #expect(t.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])

    var rng = SplitMix64(seed: 170)
    var ranges: [(Double, Double)] = [(-3.7, 12.2), (1e-7, 3e-7), (1000, 1000.3), (-5e6, -4e6), (0, 1), (0.1, 0.3)]
    for _ in 0..<200 {
      let a = Double.random(in: -1e4...1e4, using: &rng) * pow(10, Double.random(in: -8...3, using: &rng))
      ranges.append((a, a + abs(a) * Double.random(in: 1e-3...10, using: &rng) + 1e-9))
    }
    for (lo, hi) in ranges {
      let t = PlotAxis.linear(min: lo, max: hi, targetCount: 5)
      #expect(t.lower <= lo && t.upper >= hi, "[\(t.lower), \(t.upper)] must cover [\(lo), \(hi)]")
      #expect(t.major.first == t.lower && t.major.last == t.upper)
      #expect((3...9).contains(t.major.count), "\(t.major.count) ticks for [\(lo), \(hi)]")
      let step = t.major[1] - t.major[0]
      let exponent = floor(log10(step) + 1e-9)
      let mantissa = (step / pow(10, exponent) * 1000).rounded() / 1000
      #expect([1, 2, 5].contains(mantissa), "step \(step) is not 1, 2 or 5 × 10^k")
      for i in 1..<t.major.count { #expect(abs(t.major[i] - t.major[i - 1] - step) <= step * 1e-9) }
      for label in t.labels {
        #expect(label.count <= 12, "label \(label) is not compact")
        #expect(Double(label) != nil)
      }
    }
    // Degenerate range (one value) is padded around it.
    let single = PlotAxis.linear(min: 5, max: 5)
    #expect(single.lower < 5 && single.upper > 5)
    let zero = PlotAxis.linear(min: 0, max: 0)
    #expect(zero.lower < 0 && zero.upper > 0)
  }

  @Test func tickLabelsAreCompact() {
    #expect(PlotAxis.label(0.001) == "0.001")
    #expect(PlotAxis.label(1e-5) == "1e-05")
    #expect(PlotAxis.label(2.5) == "2.5")
    #expect(PlotAxis.label(100) == "100")
    #expect(PlotAxis.label(-0.0) == "0")
    #expect(PlotAxis.label(1e6) == "1e+06")
    #expect(PlotAxis.linear(min: 0, max: 0.3, targetCount: 3).labels == ["0", "0.1", "0.2", "0.3"])
    // One notation per linear axis: no "1.23457e+06" among "1234569.5"s, no "5e-05" among "0.0001"s.
    #expect(PlotAxis.linear(min: 1_234_567, max: 1_234_570, targetCount: 6).labels.allSatisfy { !$0.contains("e") })
    #expect(PlotAxis.linear(min: 2e6, max: 9e7, targetCount: 5).labels == ["0", "2e+07", "4e+07", "6e+07", "8e+07", "1e+08"])
    #expect(PlotAxis.linear(min: 1e-9, max: 9e-9, targetCount: 4).labels == ["0", "2e-09", "4e-09", "6e-09", "8e-09", "1e-08"])
    #expect(PlotAxis.linear(min: 0, max: 1.5e-4, targetCount: 3).labels == ["0", "0.00005", "0.0001", "0.00015"])
  }

  @Test func unusableValuesBreakTheLineInsteadOfAppearingInTheSVG() throws {
    let x = (0..<12).map(Double.init)
    let y: [Double] = [1, 2, .nan, 4, 5, .infinity, 7, 8, -.infinity, 10, 11, 12]
    let linear = LinePlot(
      title: "gaps", xLabel: "x", yLabel: "y",
      series: [
        PlotSeries(name: "gappy", x: x, y: y, lower: y.map { $0 - 1 }, upper: y.map { $0 + 1 }),
        PlotSeries(name: "all bad", x: x, y: x.map { _ in .nan }),
      ])
    let svg = linear.svg()
    #expect(!svg.lowercased().contains("nan") && !svg.lowercased().contains("inf"))
    let doc = try #require(Document.parse(svg))
    let paths = doc.all("path", class: "series")
    #expect(paths.count == 2)
    #expect(Self.subpaths(paths[0].attributes["d"] ?? "") == 4, "runs 0–1, 3–4, 6–7, 9–11")
    #expect(Self.subpaths(doc.all("path", class: "band")[0].attributes["d"] ?? "") == 4)

    // On a log axis non-positive values break the line too; a band's lower bound below zero stays drawable.
    let logged = LinePlot(
      title: "log", xLabel: "x", yLabel: "y",
      series: [
        PlotSeries(
          name: "decay", x: x, y: [1, 0.1, 0, 1e-3, -1e-4, 1e-5, 1e-6, .nan, 1e-8, 1e-9, 1e-10, 1e-11],
          lower: x.map { _ in -1 }, upper: x.map { _ in 2 })
      ], logY: true)
    let logSVG = logged.svg()
    #expect(!logSVG.lowercased().contains("nan") && !logSVG.lowercased().contains("inf"))
    let logDoc = try #require(Document.parse(logSVG))
    #expect(Self.subpaths(logDoc.all("path", class: "series")[0].attributes["d"] ?? "") == 4)
    #expect(!(logDoc.all("path", class: "band")[0].attributes["d"] ?? "").isEmpty)

    // Non-positive x on a log x axis.
    let logX = LinePlot(
      title: "", xLabel: "", yLabel: "", series: [PlotSeries(name: "s", x: [0, 1, 10, 100, -5], y: [1, 2, 3, 4, 5])],
      logX: true)
    let logXSVG = logX.svg()
    #expect(!logXSVG.lowercased().contains("nan") && !logXSVG.lowercased().contains("inf"))
    #expect(Self.points(try #require(Document.parse(logXSVG)).all("path", class: "series")[0].attributes["d"]!).count == 3)
  }

  @Test func singlePointsAndConstantSeriesStillPlot() throws {
    for logY in [false, true] {
      let plot = LinePlot(
        title: "", xLabel: "x", yLabel: "y",
        series: [
          PlotSeries(name: "one", x: [3], y: [7]),
          PlotSeries(name: "flat", x: [3, 3], y: [7, 7]),
        ], logY: logY)
      let svg = plot.svg()
      #expect(!svg.lowercased().contains("nan") && !svg.lowercased().contains("inf"))
      let doc = try #require(Document.parse(svg))
      let paths = doc.all("path", class: "series").map { $0.attributes["d"] ?? "" }
      #expect(paths.allSatisfy { !$0.isEmpty })
      #expect(paths[0].contains("a2,2"), "an isolated point is drawn as a small circle")
    }
    // No data at all: still a valid, empty plot.
    let empty = LinePlot(title: "empty", xLabel: "x", yLabel: "y", series: [])
    let doc = try #require(Document.parse(empty.svg()))
    #expect(doc.all("path", class: "series").isEmpty)
  }

  @Test func decimationKeepsExtremesAndBoundsPointCount() throws {
    let n = 100_000
    let x = (0..<n).map(Double.init)
    var y = (0..<n).map { i in sin(Double(i) * 0.001) + 0.01 * sin(Double(i) * 7.3) }
    y[54_321] = 50
    y[12_345] = -40
    y[70_000] = .nan
    let (dx, dy) = LinePlot.decimate(x: x, y: y)
    #expect(dx.count == dy.count)
    #expect(dx.count <= LinePlot.maxDrawnPoints + 4)
    let finite = dy.filter { $0.isFinite }
    #expect(finite.max() == 50 && finite.min() == -40)
    #expect(dy.filter(\.isNaN).count == 1, "the gap survives decimation")
    #expect(dx.first == 0 && dx.last == Double(n - 1), "runs keep their end points")
    let kept = zip(dx, dy).filter { $0.1.isFinite }.map(\.0)
    #expect(kept == kept.sorted(), "points stay in order")

    // In the SVG: a bounded point count, and the line reaches both extremes (read back through the y tick labels).
    let plot = LinePlot(
      title: "", xLabel: "", yLabel: "",
      series: [PlotSeries(name: "long", x: x, y: y, lower: y.map { $0 - 0.1 }, upper: y.map { $0 + 0.1 })])
    let doc = try #require(Document.parse(plot.svg()))
    let pts = Self.points(doc.all("path", class: "series")[0].attributes["d"] ?? "")
    #expect(pts.count <= LinePlot.maxDrawnPoints + 4)
    #expect(Self.points(doc.all("path", class: "band")[0].attributes["d"] ?? "").count <= 2 * LinePlot.maxDrawnPoints + 8)
    let yTicks = doc.all("text").filter { $0.parents.contains("tick-labels") && $0.attributes["text-anchor"] == "end" }
      .map { (value: Double($0.text)!, pixel: Double($0.attributes["y"]!)! - 11 * 0.35) }
    let (a, b) = (try #require(yTicks.first), try #require(yTicks.last))
    func value(_ pixel: Double) -> Double { a.value + (pixel - a.pixel) * (b.value - a.value) / (b.pixel - a.pixel) }
    #expect(abs(value(pts.map(\.y).min()!) - 50) < 0.05, "the spike is drawn")
    #expect(abs(value(pts.map(\.y).max()!) + 40) < 0.05, "the dip is drawn")

    // Short series are drawn exactly.
    let short = LinePlot.decimate(x: [0, 1, 2], y: [3, 4, 5])
    #expect(short.x == [0, 1, 2] && short.y == [3, 4, 5])
  }

  /// The committed renderings in Golden/. A change of layout or number formatting fails here until the
  /// new files are reviewed and written with `MFLD_UPDATE_GOLDEN=1 swift test --filter PlotTests`.
  static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

  static func expectGolden(_ text: String, _ name: String) throws {
    let file = golden.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["MFLD_UPDATE_GOLDEN"] == "1" {
      try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
      try Data(text.utf8).write(to: file)
      return
    }
    let expected = try String(contentsOf: file, encoding: .utf8)
    #expect(text == expected, "\(name) differs from its golden file; if the change is meant, rewrite it with MFLD_UPDATE_GOLDEN=1")
  }

  @Test("plots and report pages are the committed bytes: a three-series log plot with a band, a 50 000-point decimated line, a page")
  func outputMatchesGoldenFiles() throws {
    try Self.expectGolden(Self.example().svg(), "example.svg")
    let y = (0..<50_000).map { i in Double((i * 7919) % 1000) / 1000 + 1e-3 }
    try Self.expectGolden(LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "s", y: y)]).svg(), "decimated.svg")
    let legendBelow = LinePlot(title: "a long title that has to shrink to fit the picture it heads", xLabel: "wall time (s)", yLabel: "G_lambda",
                               series: (0..<9).map { k in PlotSeries(name: "variant number \(k) with a long name", x: [0, 1, 2], y: [1, 2, Double(k)]) })
    try Self.expectGolden(legendBelow.svg(), "legend-below.svg")
    try Self.expectGolden(ReportPage.html(title: "t", subtitle: "s", tableHeader: ["a", "b"], tableRows: [["1", "x & y"]],
                                          images: [("p.svg", "c")]), "page.html")
  }

  @Test func textIsEscaped() throws {
    let name = "a < b & \"c\" 'd' >"
    let plot = LinePlot(
      title: "<title> & co", xLabel: "x < 1", yLabel: "y & z",
      series: [PlotSeries(name: name, x: [0, 1], y: [1, 2], lower: [0, 1], upper: [2, 3])])
    let doc = try #require(Document.parse(plot.svg()))
    #expect(doc.all("path", class: "series")[0].attributes["data-series"] == name)
    #expect(doc.all("path", class: "band")[0].attributes["data-series"] == name)
    #expect(doc.texts.contains(name) && doc.texts.contains("<title> & co") && doc.texts.contains("x < 1"))
    #expect(doc.texts.contains("y & z"))
  }

  /// The clip rectangle of the plotting area, as (left, top, right, bottom).
  static func plotArea(_ doc: Document) throws -> (Double, Double, Double, Double) {
    let rect = try #require(doc.elements.first { $0.name == "rect" && $0.parents.contains("clipPath") })
    let v = ["x", "y", "width", "height"].map { Double(rect.attributes[$0] ?? "") ?? .nan }
    return (v[0], v[1], v[0] + v[2], v[1] + v[3])
  }

  @Test func legendStaysOutsideThePlottingArea() throws {
    // Few short names: to the right.
    let right = try #require(Document.parse(Self.example().svg()))
    let (_, _, plotRight, _) = try Self.plotArea(right)
    let rightEntries = right.elements.filter { $0.parents.contains("legend") && $0.name != "text" }
    #expect(!rightEntries.isEmpty)
    for e in rightEntries { #expect(Double(e.attributes["x1"] ?? e.attributes["x"] ?? "")! >= plotRight) }

    // Many or long names: below, inside the picture.
    let many = LinePlot(
      title: "many", xLabel: "step", yLabel: "value",
      series: (0..<12).map { i in
        PlotSeries(name: "a rather long configuration name number \(i)", y: (0..<20).map { Double($0 * i) })
      })
    let below = try #require(Document.parse(many.svg()))
    let (_, _, _, plotBottom) = try Self.plotArea(below)
    let belowTexts = below.elements.filter { $0.parents.contains("legend") && $0.name == "text" }
    #expect(belowTexts.count == 12)
    for e in belowTexts {
      let y = Double(e.attributes["y"]!)!
      #expect(y > plotBottom + 20 && y < many.height)
    }
    #expect(Set(below.all("path", class: "series").map { $0.attributes["stroke"]! + ($0.attributes["stroke-dasharray"] ?? "") }).count == 12,
            "every series is distinguishable")
  }

  @Test func reportPageIsWellFormedWithTableAndImages() throws {
    let html = ReportPage.html(
      title: "Sweep <η>", subtitle: "3 seeds & 2 step sizes",
      tableHeader: ["config", "final gap", "time (s)"],
      tableRows: [["`euler` η=0.1", "1.2e-3", "4.5"], ["heun & co", "3.4e-4 ± 1e-5", "—"], ["short row"]],
      images: [(file: "gap.svg", caption: "Free-energy gap"), (file: "plots/w 2.svg", caption: "Wasserstein <2>")])
    let doc = try #require(Document.parse(html), "the page must parse as XML")
    #expect(doc.all("h1").first?.text == "Sweep <η>")
    #expect(doc.all("th").map(\.text) == ["config", "final gap", "time (s)"])
    let cells = doc.all("td")
    #expect(cells.count == 9)
    #expect(cells.map(\.text).contains("heun & co"))
    #expect(cells.map(\.text).contains("3.4e-4 ± 1e-5"))
    #expect(doc.all("code").map(\.text) == ["euler"])
    #expect(cells[1].attributes["class"] == "num" && cells[0].attributes["class"] == nil)
    let images = doc.all("img")
    #expect(images.map { $0.attributes["src"] } == ["gap.svg", "plots/w%202.svg"])
    #expect(doc.all("figcaption").map(\.text) == ["Free-energy gap", "Wasserstein <2>"])
    #expect(!html.contains("http://") || html.components(separatedBy: "http://").count == 2, "only the XHTML namespace")
  }

  /// Writes the example plot when PLOT_EXAMPLE is set to a path (for looking at it: rsvg-convert it to PNG).
  @Test func examplePlot() throws {
    let svg = Self.example().svg()
    #expect(Document.parse(svg) != nil)
    if let path = ProcessInfo.processInfo.environment["PLOT_EXAMPLE"] {
      try svg.write(toFile: path, atomically: true, encoding: .utf8)
    }
  }
}
