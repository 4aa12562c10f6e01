import Foundation
import SolverAPI

/// One line of a `LinePlot`, with an optional band (e.g. mean ± sd, or min…max over repeats) drawn behind it.
public struct PlotSeries: Sendable {
  /// The legend entry.
  public var name: String
  public var x: [Double]
  /// The line (e.g. the mean over repeats). Points past the shorter of `x` and `y` are ignored.
  public var y: [Double]
  /// Optional band, drawn as a translucent area when both bounds are given.
  public var lower: [Double]?
  public var upper: [Double]?

  public init(name: String, x: [Double], y: [Double], lower: [Double]? = nil, upper: [Double]? = nil) {
    self.name = name
    self.x = x
    self.y = y
    self.lower = lower
    self.upper = upper
  }

  /// A series against its index 0, 1, 2, …
  public init(name: String, y: [Double], lower: [Double]? = nil, upper: [Double]? = nil) {
    self.init(name: name, x: y.indices.map(Double.init), y: y, lower: lower, upper: upper)
  }
}

/// A line plot written as a standalone SVG document (no scripts, fonts or other external resources).
///
/// Layout: a title above, the plotting area with light-grey gridlines at the labelled ticks, axis labels, and a
/// legend outside the plotting area (right of it, or below it when the names are long or many), so it never hides
/// data. Colors follow the Okabe–Ito colorblind-safe palette; series past the eighth reuse it with dash patterns.
///
/// Data handling: non-finite values, and non-positive values on a log axis, break the line (an isolated point is
/// drawn as a small circle); a band's non-positive lower bound on a log axis is drawn down to the axis. A single
/// point or a constant series gets a padded range. Series longer than `maxDrawnPoints` are decimated for drawing,
/// keeping each bucket's minimum and maximum so spikes stay visible. The same input always gives the same bytes.
public struct LinePlot: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [PlotSeries]
  /// `nil`: a log scale when all (finite) y are positive and max / min ≥ 100.
  public var logY: Bool?
  public var logX: Bool = false
  public var width = 640.0, height = 400.0

  public init(
    title: String, xLabel: String, yLabel: String, series: [PlotSeries], logY: Bool? = nil, logX: Bool = false,
    width: Double = 640, height: Double = 400
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logY = logY
    self.logX = logX
    self.width = width
    self.height = height
  }

  /// The most points drawn per series line (and per band edge).
  public static let maxDrawnPoints = 2000

  /// Okabe–Ito, ordered for contrast on white (yellow last).
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
  static let dashes = ["", "7 3", "2 2.5", "8 3 2 3"]

  /// Whether the y axis is logarithmic: `logY`, or when that is `nil`, whether every finite y of every series is
  /// positive and the largest is at least 100 times the smallest.
  public var usesLogY: Bool {
    if let logY { return logY }
    var lo = Double.infinity, hi = -Double.infinity
    for s in series {
      for v in s.y where v.isFinite {
        if v <= 0 { return false }
        lo = min(lo, v)
        hi = max(hi, v)
      }
    }
    return lo.isFinite && hi / lo >= 100
  }

  // MARK: - Data preparation

  typealias Point = (x: Double, y: Double)
  struct BandPoint { var x, lo, hi: Double }

  /// Runs of drawable points: finite, and positive on a log axis.
  static func lineSegments(_ s: PlotSeries, logX: Bool, logY: Bool) -> [[Point]] {
    var segments: [[Point]] = []
    var current: [Point] = []
    for i in 0..<min(s.x.count, s.y.count) {
      let x = s.x[i], y = s.y[i]
      if x.isFinite && y.isFinite && (!logX || x > 0) && (!logY || y > 0) {
        current.append((x, y))
      } else if !current.isEmpty {
        segments.append(current)
        current = []
      }
    }
    if !current.isEmpty { segments.append(current) }
    return segments
  }

  /// Runs of drawable band points. On a log y axis a non-positive lower bound becomes -∞ (drawn at the axis).
  static func bandSegments(_ s: PlotSeries, logX: Bool, logY: Bool) -> [[BandPoint]] {
    guard let lower = s.lower, let upper = s.upper else { return [] }
    var segments: [[BandPoint]] = []
    var current: [BandPoint] = []
    for i in 0..<min(s.x.count, lower.count, upper.count) {
      let x = s.x[i]
      var lo = min(lower[i], upper[i])
      let hi = max(lower[i], upper[i])
      var ok = x.isFinite && lower[i].isFinite && upper[i].isFinite && (!logX || x > 0)
      if ok && logY {
        if hi <= 0 { ok = false } else if lo <= 0 { lo = -.infinity }
      }
      if !ok {
        if !current.isEmpty { segments.append(current) }
        current = []
        continue
      }
      current.append(BandPoint(x: x, lo: lo, hi: hi))
    }
    if !current.isEmpty { segments.append(current) }
    return segments
  }

  /// How many buckets each segment gets so the total drawn stays within `maxPoints`, or nil when no decimation is
  /// needed. Too many fragments to show their gaps at drawing resolution are merged into one run first.
  static func bucketPlan<T>(_ segments: inout [[T]], maxPoints: Int) -> [Int]? {
    let total = segments.reduce(0) { $0 + $1.count }
    guard total > maxPoints, maxPoints >= 16 else { return nil }
    if segments.count > maxPoints / 8 { segments = [segments.flatMap { $0 }] }
    let budget = max(segments.count, (maxPoints - 2 * segments.count) / 2)
    return segments.map { max(1, Int(Double($0.count) * Double(budget) / Double(total))) }
  }

  /// Min/max-per-bucket decimation of a line: each bucket keeps its lowest and highest point (in their original
  /// order), and every run keeps its first and last point.
  static func decimate(_ segments: [[Point]], maxPoints: Int) -> [[Point]] {
    var segments = segments
    guard let plan = bucketPlan(&segments, maxPoints: maxPoints) else { return segments }
    return zip(segments, plan).map { s, buckets in
      guard s.count > 2 * buckets + 2 else { return s }
      var keep = [0]
      for b in 0..<buckets {
        let start = b * s.count / buckets, end = (b + 1) * s.count / buckets
        var lo = start, hi = start
        for i in start..<end {
          if s[i].y < s[lo].y { lo = i }
          if s[i].y > s[hi].y { hi = i }
        }
        for i in [min(lo, hi), max(lo, hi)] where i != keep.last { keep.append(i) }
      }
      if keep.last != s.count - 1 { keep.append(s.count - 1) }
      return keep.map { s[$0] }
    }
  }

  /// Band decimation: each bucket becomes its envelope (lowest lower, highest upper) at its first and last x.
  static func decimate(_ segments: [[BandPoint]], maxPoints: Int) -> [[BandPoint]] {
    var segments = segments
    guard let plan = bucketPlan(&segments, maxPoints: maxPoints) else { return segments }
    return zip(segments, plan).map { s, buckets in
      guard s.count > 2 * buckets + 2 else { return s }
      var out: [BandPoint] = []
      for b in 0..<buckets {
        let start = b * s.count / buckets, end = (b + 1) * s.count / buckets
        var lo = Double.infinity, hi = -Double.infinity
        for i in start..<end {
          lo = min(lo, s[i].lo)
          hi = max(hi, s[i].hi)
        }
        out.append(BandPoint(x: s[start].x, lo: lo, hi: hi))
        out.append(BandPoint(x: s[end - 1].x, lo: lo, hi: hi))
      }
      return out
    }
  }

  /// The points a line of `x`, `y` is drawn through: runs of finite points, min/max-decimated to at most about
  /// `maxPoints`, with a NaN between runs.
  public static func decimate(x: [Double], y: [Double], maxPoints: Int = maxDrawnPoints) -> (x: [Double], y: [Double]) {
    let runs = decimate(lineSegments(PlotSeries(name: "", x: x, y: y), logX: false, logY: false), maxPoints: maxPoints)
    var xs: [Double] = [], ys: [Double] = []
    for (i, run) in runs.enumerated() {
      if i > 0 {
        xs.append(.nan)
        ys.append(.nan)
      }
      xs += run.map(\.x)
      ys += run.map(\.y)
    }
    return (xs, ys)
  }

  // MARK: - Rendering

  static let tickFont = 11.0, labelFont = 12.0, legendFont = 11.0
  static let pad = 10.0, tickLength = 4.0
  static let legendSwatch = 22.0, legendRow = 17.0

  /// A rough width of `text` at `size` points in Helvetica or the wider DejaVu Sans (for layout only; errs wide).
  static func textWidth(_ text: String, size: Double) -> Double {
    var em = 0.0
    for c in text.unicodeScalars {
      switch c {
      case "i", "j", "l", "I", "!", ".", ",", ":", ";", "'", "|": em += 0.32
      case "f", "t", "r", "(", ")", "[", "]", " ", "-", "/": em += 0.4
      case "m", "w", "M", "W", "%", "@": em += 0.95
      case "A"..."Z": em += 0.72
      default: em += 0.63
      }
    }
    return em * size
  }

  /// A coordinate with two decimals, trailing zeros dropped ("12.5", "3", "-0.25").
  static func number(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let hundredths = Int((min(max(v, -1e9), 1e9) * 100).rounded())
    let magnitude = abs(hundredths)
    var s = (hundredths < 0 ? "-" : "") + String(magnitude / 100)
    let frac = magnitude % 100
    if frac != 0 { s += frac % 10 == 0 ? ".\(frac / 10)" : (frac < 10 ? ".0\(frac)" : ".\(frac)") }
    return s
  }

  struct Scale {
    var ticks: AxisTicks
    var from: Double, to: Double  // pixels of ticks.lower and ticks.upper
    func callAsFunction(_ v: Double) -> Double {
      let t: Double
      if ticks.isLog {
        t = (Foundation.log10(v) - Foundation.log10(ticks.lower)) / (Foundation.log10(ticks.upper) - Foundation.log10(ticks.lower))
      } else {
        t = (v - ticks.lower) / (ticks.upper - ticks.lower)
      }
      return from + t * (to - from)
    }
  }

  struct Extent {
    var lo = Double.infinity, hi = -Double.infinity
    mutating func add(_ v: Double) {
      guard v.isFinite else { return }
      lo = min(lo, v)
      hi = max(hi, v)
    }
    var isEmpty: Bool { lo > hi }
  }

  static func ticks(_ e: Extent, log: Bool, count: Int) -> AxisTicks {
    if log { return e.isEmpty ? PlotAxis.log(min: 1, max: 10, maxLabels: count) : PlotAxis.log(min: e.lo, max: e.hi, maxLabels: count) }
    return e.isEmpty ? PlotAxis.linear(min: 0, max: 1, targetCount: count) : PlotAxis.linear(min: e.lo, max: e.hi, targetCount: count)
  }

  /// Ticks for an axis `length` pixels long whose labels need `space(label)` pixels each along it: the most
  /// ticks (up to about one per `preferred` pixels) whose labels do not collide.
  static func fittedTicks(_ e: Extent, log: Bool, length: Double, preferred: Double, space: (String) -> Double) -> AxisTicks {
    var count = max(2, min(10, Int(length / preferred)))
    while true {
      let t = ticks(e, log: log, count: count)
      let scale = Scale(ticks: t, from: 0, to: length)
      var fits = true
      for i in t.major.indices.dropFirst() {
        let gap = abs(scale(t.major[i]) - scale(t.major[i - 1]))
        if gap < (space(t.labels[i]) + space(t.labels[i - 1])) / 2 + 6 { fits = false }
      }
      if fits || count <= 2 { return t }
      count -= 1
    }
  }

  /// The complete standalone SVG document.
  public func svg() -> String {
    let logY = usesLogY
    let p = Self.self
    let names = series.enumerated().map { i, s in s.name.isEmpty ? "series \(i + 1)" : s.name }
    let hasBand = series.map { $0.lower != nil && $0.upper != nil }

    // Data, split at unusable values, and its extent.
    let lines = series.map { p.lineSegments($0, logX: logX, logY: logY) }
    let bands = series.map { p.bandSegments($0, logX: logX, logY: logY) }
    var xe = Extent(), ye = Extent()
    for runs in lines {
      for run in runs {
        for q in run {
          xe.add(q.x)
          ye.add(q.y)
        }
      }
    }
    for runs in bands {
      for run in runs {
        for b in run {
          xe.add(b.x)
          ye.add(b.lo)
          ye.add(b.hi)
        }
      }
    }

    // Vertical layout: title, plotting area, x tick labels, x label, and the legend when it goes below.
    let titleSize = title.isEmpty ? 0 : min(14, max(9, 14 * (width - 2 * p.pad) / max(1, p.textWidth(title, size: 14))))
    let top = title.isEmpty ? p.pad + 6 : p.pad + titleSize + 12
    var bottom = p.tickLength + 4 + p.tickFont + (xLabel.isEmpty ? 0 : 8 + p.labelFont) + p.pad
    let nameWidths = names.map { p.textWidth($0, size: p.legendFont) }
    let entryWidth = p.legendSwatch + 6 + (nameWidths.max() ?? 0)
    let rightLegendWidth = 14 + entryWidth + p.pad
    let provisionalHeight = height - top - bottom
    let legendRight =
      !series.isEmpty && rightLegendWidth <= 0.3 * width
      && Double(series.count) * p.legendRow <= provisionalHeight
    // Below: entries flow left to right, wrapping to rows.
    var belowRows: [[Int]] = []
    if !series.isEmpty && !legendRight {
      var row: [Int] = [], used = 0.0
      for i in series.indices {
        let w = p.legendSwatch + 6 + nameWidths[i] + 18
        if !row.isEmpty && used + w > width - 2 * p.pad {
          belowRows.append(row)
          row = []
          used = 0
        }
        row.append(i)
        used += w
      }
      belowRows.append(row)
      bottom += 6 + Double(belowRows.count) * p.legendRow
    }
    let plotHeight = max(20, height - top - bottom)

    // y ticks first (their labels set the left margin), then x ticks for the remaining width.
    let yTicks = p.fittedTicks(ye, log: logY, length: plotHeight, preferred: logY ? 28 : 48) { _ in p.tickFont + 2 }
    let yLabelWidth = yTicks.labels.map { p.textWidth($0, size: p.tickFont) }.max() ?? 0
    var left = p.pad + (yLabel.isEmpty ? 0 : p.labelFont + 8) + yLabelWidth + 4 + p.tickLength
    var right = legendRight ? rightLegendWidth : p.pad + 12
    var xTicks = AxisTicks(lower: 0, upper: 1, isLog: false, major: [], labels: [], minor: [])
    for _ in 0..<3 {
      xTicks = p.fittedTicks(xe, log: logX, length: max(20, width - left - right), preferred: logX ? 45 : 90) {
        p.textWidth($0, size: p.tickFont)
      }
      // The end x tick labels are centred on the axis ends: keep them inside the picture (and clear of the legend).
      let halfFirst = (xTicks.labels.first.map { p.textWidth($0, size: p.tickFont) } ?? 0) / 2
      let halfLast = (xTicks.labels.last.map { p.textWidth($0, size: p.tickFont) } ?? 0) / 2
      let neededLeft = max(left, p.pad + halfFirst)
      let neededRight = legendRight ? max(rightLegendWidth, halfLast + 8) : max(p.pad + 4, halfLast + 4)
      if neededLeft <= left && neededRight <= right { break }
      left = neededLeft
      right = max(right, neededRight)
    }
    let plotWidth = max(20, width - left - right)
    let x0 = left, x1 = left + plotWidth, y0 = top, y1 = top + plotHeight
    let sx = Scale(ticks: xTicks, from: x0, to: x1)
    let sy = Scale(ticks: yTicks, from: y1, to: y0)
    let f = p.number
    let esc = ReportPage.escape

    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(f(width))" height="\(f(height))" \
      viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif">
      <title>\(esc(title))</title>
      <rect class="background" x="0" y="0" width="\(f(width))" height="\(f(height))" fill="#ffffff"/>
      <defs><clipPath id="plot-area"><rect x="\(f(x0 - 3))" y="\(f(y0 - 3))" width="\(f(plotWidth + 6))" \
      height="\(f(plotHeight + 6))"/></clipPath></defs>

      """

    // Gridlines at the labelled ticks.
    out += "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
    for v in xTicks.major where abs(sx(v) - x0) > 0.5 {
      out += "<line x1=\"\(f(sx(v)))\" y1=\"\(f(y0))\" x2=\"\(f(sx(v)))\" y2=\"\(f(y1))\"/>\n"
    }
    for v in yTicks.major where abs(sy(v) - y1) > 0.5 {
      out += "<line x1=\"\(f(x0))\" y1=\"\(f(sy(v)))\" x2=\"\(f(x1))\" y2=\"\(f(sy(v)))\"/>\n"
    }
    out += "</g>\n"

    func color(_ i: Int) -> String { p.palette[i % p.palette.count] }
    func dash(_ i: Int) -> String {
      let d = p.dashes[(i / p.palette.count) % p.dashes.count]
      return d.isEmpty ? "" : " stroke-dasharray=\"\(d)\""
    }

    // Bands behind all lines.
    out += "<g class=\"bands\" clip-path=\"url(#plot-area)\" stroke=\"none\" fill-opacity=\"0.2\">\n"
    for i in series.indices where hasBand[i] {
      var d = ""
      for run in p.decimate(bands[i], maxPoints: p.maxDrawnPoints) {
        let upper = run.map { "\(f(sx($0.x))),\(f(sy($0.hi)))" }
        let lower = run.reversed().map { "\(f(sx($0.x))),\(f($0.lo.isFinite ? sy($0.lo) : y1))" }
        d += (d.isEmpty ? "" : " ") + "M" + (upper + lower).joined(separator: " L") + " Z"
      }
      out += "<path class=\"band\" data-series=\"\(esc(series[i].name))\" fill=\"\(color(i))\" d=\"\(d)\"/>\n"
    }
    out += "</g>\n"

    // One path per series; runs separated by gaps are subpaths, isolated points small circles.
    out += """
      <g class="lines" clip-path="url(#plot-area)" fill="none" stroke-width="1.75" stroke-linejoin="round" \
      stroke-linecap="round">

      """
    for i in series.indices {
      var d = ""
      for run in p.decimate(lines[i], maxPoints: p.maxDrawnPoints) {
        if !d.isEmpty { d += " " }
        if run.count == 1 {
          let cx = sx(run[0].x), cy = sy(run[0].y)
          d += "M\(f(cx - 2)),\(f(cy)) a2,2 0 1,0 4,0 a2,2 0 1,0 -4,0"
        } else {
          d += "M" + run.map { "\(f(sx($0.x))),\(f(sy($0.y)))" }.joined(separator: " L")
        }
      }
      out += "<path class=\"series\" data-series=\"\(esc(series[i].name))\" stroke=\"\(color(i))\"\(dash(i)) d=\"\(d)\"/>\n"
    }
    out += "</g>\n"

    // Axis lines and tick marks.
    out += "<g class=\"axes\" stroke=\"#a6a6a6\" stroke-width=\"1\" stroke-linecap=\"square\">\n"
    out += "<line x1=\"\(f(x0))\" y1=\"\(f(y1))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\"/>\n"
    out += "<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x0))\" y2=\"\(f(y1))\"/>\n"
    for v in xTicks.major {
      out += "<line x1=\"\(f(sx(v)))\" y1=\"\(f(y1))\" x2=\"\(f(sx(v)))\" y2=\"\(f(y1 + p.tickLength))\"/>\n"
    }
    for v in xTicks.minor {
      out += "<line x1=\"\(f(sx(v)))\" y1=\"\(f(y1))\" x2=\"\(f(sx(v)))\" y2=\"\(f(y1 + p.tickLength / 2))\"/>\n"
    }
    for v in yTicks.major {
      out += "<line x1=\"\(f(x0 - p.tickLength))\" y1=\"\(f(sy(v)))\" x2=\"\(f(x0))\" y2=\"\(f(sy(v)))\"/>\n"
    }
    for v in yTicks.minor {
      out += "<line x1=\"\(f(x0 - p.tickLength / 2))\" y1=\"\(f(sy(v)))\" x2=\"\(f(x0))\" y2=\"\(f(sy(v)))\"/>\n"
    }
    out += "</g>\n"

    // Tick labels.
    out += "<g class=\"tick-labels\" font-size=\"\(f(p.tickFont))\" fill=\"#333333\">\n"
    let xLabelBaseline = y1 + p.tickLength + 3 + p.tickFont
    for (v, label) in zip(xTicks.major, xTicks.labels) {
      out += "<text x=\"\(f(sx(v)))\" y=\"\(f(xLabelBaseline))\" text-anchor=\"middle\">\(esc(label))</text>\n"
    }
    for (v, label) in zip(yTicks.major, yTicks.labels) {
      out +=
        "<text x=\"\(f(x0 - p.tickLength - 3))\" y=\"\(f(sy(v) + p.tickFont * 0.35))\" text-anchor=\"end\">\(esc(label))</text>\n"
    }
    out += "</g>\n"

    // Title and axis labels.
    if !title.isEmpty {
      // Centred over the plotting area when it fits there, else over the picture.
      let fitsOverPlot = p.textWidth(title, size: titleSize) <= plotWidth + 2 * min(left, right) - 2 * p.pad
      let cx = fitsOverPlot ? (x0 + x1) / 2 : width / 2
      out += """
        <text class="title" x="\(f(cx))" y="\(f(p.pad + titleSize))" text-anchor="middle" font-size="\(f(titleSize))" \
        font-weight="bold" fill="#222222">\(esc(title))</text>

        """
    }
    if !xLabel.isEmpty {
      let size = min(p.labelFont, max(8, p.labelFont * plotWidth / max(1, p.textWidth(xLabel, size: p.labelFont))))
      out += """
        <text class="x-label" x="\(f((x0 + x1) / 2))" y="\(f(xLabelBaseline + 8 + size))" text-anchor="middle" \
        font-size="\(f(size))" fill="#222222">\(esc(xLabel))</text>

        """
    }
    if !yLabel.isEmpty {
      let size = min(p.labelFont, max(8, p.labelFont * plotHeight / max(1, p.textWidth(yLabel, size: p.labelFont))))
      let lx = p.pad + size * 0.8, ly = (y0 + y1) / 2
      out += """
        <text class="y-label" x="\(f(lx))" y="\(f(ly))" transform="rotate(-90 \(f(lx)) \(f(ly)))" text-anchor="middle" \
        font-size="\(f(size))" fill="#222222">\(esc(yLabel))</text>

        """
    }

    // Legend, outside the plotting area.
    if !series.isEmpty {
      out += "<g class=\"legend\" font-size=\"\(f(p.legendFont))\" fill=\"#222222\">\n"
      func entry(_ i: Int, _ x: Double, _ y: Double) {
        if hasBand[i] {
          out += """
            <rect x="\(f(x))" y="\(f(y - 5))" width="\(f(p.legendSwatch))" height="10" fill="\(color(i))" \
            fill-opacity="0.2" stroke="none"/>

            """
        }
        out += """
          <line x1="\(f(x))" y1="\(f(y))" x2="\(f(x + p.legendSwatch))" y2="\(f(y))" stroke="\(color(i))" \
          stroke-width="2"\(dash(i))/>
          <text x="\(f(x + p.legendSwatch + 6))" y="\(f(y + p.legendFont * 0.35))">\(esc(names[i]))</text>

          """
      }
      if legendRight {
        for i in series.indices { entry(i, x1 + 14, y0 + 6 + Double(i) * p.legendRow) }
      } else {
        let rowsTop = height - p.pad - Double(belowRows.count) * p.legendRow + p.legendRow / 2
        for (r, row) in belowRows.enumerated() {
          let rowWidth = row.reduce(0) { $0 + p.legendSwatch + 6 + nameWidths[$1] + 18 } - 18
          var x = max(p.pad, (width - rowWidth) / 2)
          for i in row {
            entry(i, x, rowsTop + Double(r) * p.legendRow)
            x += p.legendSwatch + 6 + nameWidths[i] + 18
          }
        }
      }
      out += "</g>\n"
    }
    out += "</svg>\n"
    return out
  }
}
