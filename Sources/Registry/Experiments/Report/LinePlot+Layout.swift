import Foundation

extension LinePlot {
  /// Where everything of one plot goes: its data split into drawable runs, the title size, the legend's
  /// place (right of the plotting area when it is narrow and short enough, else in rows below), the ticks
  /// (y first: their labels set the left margin; then x for the width left), and the plotting area with
  /// its scales.
  struct Layout {
    let logY: Bool
    let names: [String]
    let hasBand: [Bool]
    let lines: [[[Point]]]
    let bands: [[[BandPoint]]]
    let titleSize: Double
    let nameWidths: [Double]
    let legendRight: Bool
    let rightLegendWidth: Double
    /// The legend's rows when it goes below (series indices, left to right).
    let belowRows: [[Int]]
    let left: Double, right: Double
    let plotWidth: Double, plotHeight: Double
    let x0: Double, x1: Double, y0: Double, y1: Double
    let xTicks: AxisTicks, yTicks: AxisTicks
    let sx: Scale, sy: Scale
    /// The secondary series' drawable runs, its right-hand axis and scale (when there is one).
    let secondaryLine: [[Point]]
    let y2Ticks: AxisTicks?
    let sy2: Scale?
    /// The baseline of the x tick labels.
    let xLabelBaseline: Double

    init(_ plot: LinePlot) {
      let p = LinePlot.self
      let series = plot.series, width = plot.width, height = plot.height
      let logY = plot.usesLogY
      self.logY = logY
      // The secondary series' legend entry comes last, after the series'.
      names = series.enumerated().map { i, s in s.name.isEmpty ? "series \(i + 1)" : s.name } + (plot.secondary.map { [$0.name] } ?? [])
      let secondaryLog = plot.secondary.map { LinePlot(title: "", xLabel: "", yLabel: "", series: [$0]).usesLogY } ?? false
      secondaryLine = plot.secondary.map { p.lineSegments($0, logX: plot.logX, logY: secondaryLog) } ?? []
      hasBand = series.map { $0.lower != nil && $0.upper != nil }
      let lines = series.map { p.lineSegments($0, logX: plot.logX, logY: logY) }
      let bands = series.map { p.bandSegments($0, logX: plot.logX, logY: logY) }
      (self.lines, self.bands) = (lines, bands)
      var (xe, ye) = Layout.extents(lines: lines, bands: bands)
      var y2e = Extent()
      for q in secondaryLine.joined() {
        xe.add(q.x)
        y2e.add(q.y)
      }

      // Vertical layout: title, plotting area, x tick labels, x label, and the legend when it goes below.
      let titleSize = plot.title.isEmpty ? 0 : min(14, max(9, 14 * (width - 2 * p.pad) / max(1, p.textWidth(plot.title, size: 14))))
      self.titleSize = titleSize
      let top = plot.title.isEmpty ? p.pad + 6 : p.pad + titleSize + 12
      var bottom = p.tickLength + 4 + p.tickFont + (plot.xLabel.isEmpty ? 0 : 8 + p.labelFont) + p.pad
      let nameWidths = names.map { p.textWidth($0, size: p.legendFont) }
      self.nameWidths = nameWidths
      let entryWidth = p.legendSwatch + 6 + (nameWidths.max() ?? 0)
      let rightLegendWidth = 14 + entryWidth + p.pad
      let legendRight = !series.isEmpty && plot.secondary == nil && rightLegendWidth <= 0.3 * width
        && Double(series.count) * p.legendRow <= height - top - bottom
      (self.rightLegendWidth, self.legendRight) = (rightLegendWidth, legendRight)
      belowRows = series.isEmpty || legendRight ? [] : Layout.legendRows(nameWidths, width: width)
      if !belowRows.isEmpty { bottom += 6 + Double(belowRows.count) * p.legendRow }
      let plotHeight = max(20, height - top - bottom)
      self.plotHeight = plotHeight

      // y ticks first (their labels set the left margin), then x ticks for the remaining width.
      let yTicks = p.fittedTicks(ye, log: logY, length: plotHeight, preferred: logY ? 28 : 48) { _ in p.tickFont + 2 }
      self.yTicks = yTicks
      let yLabelWidth = yTicks.labels.map { p.textWidth($0, size: p.tickFont) }.max() ?? 0
      var left = p.pad + (plot.yLabel.isEmpty ? 0 : p.labelFont + 8) + yLabelWidth + 4 + p.tickLength
      var right = legendRight ? rightLegendWidth : p.pad + 12
      let y2Ticks = plot.secondary.map { _ in
        p.fittedTicks(y2e, log: secondaryLog, length: plotHeight, preferred: secondaryLog ? 28 : 48) { _ in p.tickFont + 2 }
      }
      if let y2Ticks {
        let width2 = y2Ticks.labels.map { p.textWidth($0, size: p.tickFont) }.max() ?? 0
        right = p.pad + p.labelFont + 8 + width2 + 4 + p.tickLength
      }
      self.y2Ticks = y2Ticks
      var xTicks = AxisTicks(lower: 0, upper: 1, isLog: false, major: [], labels: [], minor: [])
      for _ in 0..<3 {
        xTicks = p.fittedTicks(xe, log: plot.logX, length: max(20, width - left - right), preferred: plot.logX ? 45 : 90) {
          p.textWidth($0, size: p.tickFont)
        }
        // The end x tick labels are centred on the axis ends: keep them inside the picture (and clear of the legend).
        let halfFirst = (xTicks.labels.first.map { p.textWidth($0, size: p.tickFont) } ?? 0) / 2
        let halfLast = (xTicks.labels.last.map { p.textWidth($0, size: p.tickFont) } ?? 0) / 2
        let neededLeft = max(left, p.pad + halfFirst)
        let neededRight = legendRight ? max(rightLegendWidth, halfLast + 8) : max(y2Ticks == nil ? p.pad + 4 : right, halfLast + 4)
        if neededLeft <= left && neededRight <= right { break }
        left = neededLeft
        right = max(right, neededRight)
      }
      self.xTicks = xTicks
      self.left = left
      self.right = right
      plotWidth = max(20, width - left - right)
      (x0, x1, y0, y1) = (left, left + plotWidth, top, top + plotHeight)
      sx = Scale(ticks: xTicks, from: x0, to: x1)
      sy = Scale(ticks: yTicks, from: y1, to: y0)
      sy2 = y2Ticks.map { Scale(ticks: $0, from: top + plotHeight, to: top) }
      xLabelBaseline = y1 + p.tickLength + 3 + p.tickFont
    }

    /// The extent of every drawable point and band edge.
    static func extents(lines: [[[Point]]], bands: [[[BandPoint]]]) -> (x: Extent, y: Extent) {
      var xe = Extent(), ye = Extent()
      for q in lines.joined().joined() {
        xe.add(q.x)
        ye.add(q.y)
      }
      for b in bands.joined().joined() {
        xe.add(b.x)
        ye.add(b.lo)
        ye.add(b.hi)
      }
      return (xe, ye)
    }

    /// The legend's entries flowed left to right into rows that fit the picture's width.
    static func legendRows(_ nameWidths: [Double], width: Double) -> [[Int]] {
      let p = LinePlot.self
      var rows: [[Int]] = [], row: [Int] = [], used = 0.0
      for i in nameWidths.indices {
        let w = p.legendSwatch + 6 + nameWidths[i] + 18
        if !row.isEmpty && used + w > width - 2 * p.pad {
          rows.append(row)
          row = []
          used = 0
        }
        row.append(i)
        used += w
      }
      rows.append(row)
      return rows
    }
  }
}
