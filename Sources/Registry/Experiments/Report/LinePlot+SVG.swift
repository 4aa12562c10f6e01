import Foundation

extension LinePlot {
  /// The complete standalone SVG document: the layout, then each layer drawn over the last — gridlines,
  /// bands, lines, axes, tick labels, title and axis labels, legend.
  public func svg() -> String {
    let layout = Layout(self)
    return header(layout) + gridlines(layout) + bands(layout) + lines(layout) + axes(layout) + tickLabels(layout)
      + labels(layout) + legend(layout) + "</svg>\n"
  }

  private static let f = LinePlot.number
  private static let esc = ReportPage.escape

  private func color(_ i: Int) -> String { i == series.count ? Self.secondaryColor : Self.palette[i % Self.palette.count] }
  /// The secondary series' (and its axis labels') grey.
  static let secondaryColor = "#6e6e6e"

  private func dash(_ i: Int) -> String {
    if i == series.count { return " stroke-dasharray=\"5 3\"" }
    let d = Self.dashes[(i / Self.palette.count) % Self.dashes.count]
    return d.isEmpty ? "" : " stroke-dasharray=\"\(d)\""
  }

  /// The document's opening: size, fonts, title, white background and the plotting area's clip path.
  private func header(_ l: Layout) -> String {
    let f = Self.f
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(f(width))" height="\(f(height))" \
      viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif">
      <title>\(Self.esc(title))</title>
      <rect class="background" x="0" y="0" width="\(f(width))" height="\(f(height))" fill="#ffffff"/>
      <defs><clipPath id="plot-area"><rect x="\(f(l.x0 - 3))" y="\(f(l.y0 - 3))" width="\(f(l.plotWidth + 6))" \
      height="\(f(l.plotHeight + 6))"/></clipPath></defs>

      """
  }

  /// Gridlines at the labelled ticks.
  private func gridlines(_ l: Layout) -> String {
    let f = Self.f
    var out = "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
    for v in l.xTicks.major where abs(l.sx(v) - l.x0) > 0.5 {
      out += "<line x1=\"\(f(l.sx(v)))\" y1=\"\(f(l.y0))\" x2=\"\(f(l.sx(v)))\" y2=\"\(f(l.y1))\"/>\n"
    }
    for v in l.yTicks.major where abs(l.sy(v) - l.y1) > 0.5 {
      out += "<line x1=\"\(f(l.x0))\" y1=\"\(f(l.sy(v)))\" x2=\"\(f(l.x1))\" y2=\"\(f(l.sy(v)))\"/>\n"
    }
    return out + "</g>\n"
  }

  /// Bands behind all lines: each run an upper edge forward and a lower edge back.
  private func bands(_ l: Layout) -> String {
    let f = Self.f
    var out = "<g class=\"bands\" clip-path=\"url(#plot-area)\" stroke=\"none\" fill-opacity=\"0.2\">\n"
    for i in series.indices where l.hasBand[i] {
      var d = ""
      for run in Self.decimate(l.bands[i], maxPoints: Self.maxDrawnPoints) {
        let upper = run.map { "\(f(l.sx($0.x))),\(f(l.sy($0.hi)))" }
        let lower = run.reversed().map { "\(f(l.sx($0.x))),\(f($0.lo.isFinite ? l.sy($0.lo) : l.y1))" }
        d += (d.isEmpty ? "" : " ") + "M" + (upper + lower).joined(separator: " L") + " Z"
      }
      out += "<path class=\"band\" data-series=\"\(Self.esc(series[i].name))\" fill=\"\(color(i))\" d=\"\(d)\"/>\n"
    }
    return out + "</g>\n"
  }

  /// One path per series; runs separated by gaps are subpaths, isolated points small circles.
  private func lines(_ l: Layout) -> String {
    let f = Self.f
    var out = """
      <g class="lines" clip-path="url(#plot-area)" fill="none" stroke-width="1.75" stroke-linejoin="round" \
      stroke-linecap="round">

      """
    for i in series.indices {
      var d = ""
      for run in Self.decimate(l.lines[i], maxPoints: Self.maxDrawnPoints) {
        if !d.isEmpty { d += " " }
        if run.count == 1 {
          let cx = l.sx(run[0].x), cy = l.sy(run[0].y)
          d += "M\(f(cx - 2)),\(f(cy)) a2,2 0 1,0 4,0 a2,2 0 1,0 -4,0"
        } else {
          d += "M" + run.map { "\(f(l.sx($0.x))),\(f(l.sy($0.y)))" }.joined(separator: " L")
        }
      }
      out += "<path class=\"series\" data-series=\"\(Self.esc(series[i].name))\" stroke=\"\(color(i))\"\(dash(i)) d=\"\(d)\"/>\n"
    }
    if let secondary, let sy2 = l.sy2 {
      let d = Self.decimate(l.secondaryLine, maxPoints: Self.maxDrawnPoints).map { run in
        "M" + run.map { "\(f(l.sx($0.x))),\(f(sy2($0.y)))" }.joined(separator: " L")
      }.joined(separator: " ")
      out += "<path class=\"secondary\" data-series=\"\(Self.esc(secondary.name))\" stroke=\"\(Self.secondaryColor)\" "
        + "stroke-dasharray=\"5 3\" d=\"\(d)\"/>\n"
    }
    return out + "</g>\n"
  }

  /// Axis lines and tick marks (minor ticks half as long).
  private func axes(_ l: Layout) -> String {
    let f = Self.f, tick = Self.tickLength
    var out = "<g class=\"axes\" stroke=\"#a6a6a6\" stroke-width=\"1\" stroke-linecap=\"square\">\n"
    out += "<line x1=\"\(f(l.x0))\" y1=\"\(f(l.y1))\" x2=\"\(f(l.x1))\" y2=\"\(f(l.y1))\"/>\n"
    out += "<line x1=\"\(f(l.x0))\" y1=\"\(f(l.y0))\" x2=\"\(f(l.x0))\" y2=\"\(f(l.y1))\"/>\n"
    for v in l.xTicks.major {
      out += "<line x1=\"\(f(l.sx(v)))\" y1=\"\(f(l.y1))\" x2=\"\(f(l.sx(v)))\" y2=\"\(f(l.y1 + tick))\"/>\n"
    }
    for v in l.xTicks.minor {
      out += "<line x1=\"\(f(l.sx(v)))\" y1=\"\(f(l.y1))\" x2=\"\(f(l.sx(v)))\" y2=\"\(f(l.y1 + tick / 2))\"/>\n"
    }
    for v in l.yTicks.major {
      out += "<line x1=\"\(f(l.x0 - tick))\" y1=\"\(f(l.sy(v)))\" x2=\"\(f(l.x0))\" y2=\"\(f(l.sy(v)))\"/>\n"
    }
    for v in l.yTicks.minor {
      out += "<line x1=\"\(f(l.x0 - tick / 2))\" y1=\"\(f(l.sy(v)))\" x2=\"\(f(l.x0))\" y2=\"\(f(l.sy(v)))\"/>\n"
    }
    if let t = l.y2Ticks, let sy2 = l.sy2 {
      out += "<line x1=\"\(f(l.x1))\" y1=\"\(f(l.y0))\" x2=\"\(f(l.x1))\" y2=\"\(f(l.y1))\"/>\n"
      for (v, length) in t.major.map({ ($0, tick) }) + t.minor.map({ ($0, tick / 2) }) {
        out += "<line x1=\"\(f(l.x1))\" y1=\"\(f(sy2(v)))\" x2=\"\(f(l.x1 + length))\" y2=\"\(f(sy2(v)))\"/>\n"
      }
    }
    return out + "</g>\n"
  }

  /// The labels of the major ticks: centred under the x axis, right-aligned left of the y axis.
  private func tickLabels(_ l: Layout) -> String {
    let f = Self.f, esc = Self.esc, font = Self.tickFont
    var out = "<g class=\"tick-labels\" font-size=\"\(f(font))\" fill=\"#333333\">\n"
    for (v, label) in zip(l.xTicks.major, l.xTicks.labels) {
      out += "<text x=\"\(f(l.sx(v)))\" y=\"\(f(l.xLabelBaseline))\" text-anchor=\"middle\">\(esc(label))</text>\n"
    }
    for (v, label) in zip(l.yTicks.major, l.yTicks.labels) {
      out += "<text x=\"\(f(l.x0 - Self.tickLength - 3))\" y=\"\(f(l.sy(v) + font * 0.35))\" text-anchor=\"end\">\(esc(label))</text>\n"
    }
    if let t = l.y2Ticks, let sy2 = l.sy2 {
      for (v, label) in zip(t.major, t.labels) {
        out += "<text x=\"\(f(l.x1 + Self.tickLength + 3))\" y=\"\(f(sy2(v) + font * 0.35))\" fill=\"\(Self.secondaryColor)\">\(esc(label))</text>\n"
      }
    }
    return out + "</g>\n"
  }

  /// The title (centred over the plotting area when it fits there, else over the picture) and the axis
  /// labels, each shrunk to the length it has.
  private func labels(_ l: Layout) -> String {
    let f = Self.f, esc = Self.esc, p = LinePlot.self
    var out = ""
    if !title.isEmpty {
      let fitsOverPlot = p.textWidth(title, size: l.titleSize) <= l.plotWidth + 2 * min(l.left, l.right) - 2 * p.pad
      let cx = fitsOverPlot ? (l.x0 + l.x1) / 2 : width / 2
      out += """
        <text class="title" x="\(f(cx))" y="\(f(p.pad + l.titleSize))" text-anchor="middle" font-size="\(f(l.titleSize))" \
        font-weight="bold" fill="#222222">\(esc(title))</text>

        """
    }
    if !xLabel.isEmpty {
      let size = min(p.labelFont, max(8, p.labelFont * l.plotWidth / max(1, p.textWidth(xLabel, size: p.labelFont))))
      out += """
        <text class="x-label" x="\(f((l.x0 + l.x1) / 2))" y="\(f(l.xLabelBaseline + 8 + size))" text-anchor="middle" \
        font-size="\(f(size))" fill="#222222">\(esc(xLabel))</text>

        """
    }
    if !yLabel.isEmpty {
      let size = min(p.labelFont, max(8, p.labelFont * l.plotHeight / max(1, p.textWidth(yLabel, size: p.labelFont))))
      let lx = p.pad + size * 0.8, ly = (l.y0 + l.y1) / 2
      out += """
        <text class="y-label" x="\(f(lx))" y="\(f(ly))" transform="rotate(-90 \(f(lx)) \(f(ly)))" text-anchor="middle" \
        font-size="\(f(size))" fill="#222222">\(esc(yLabel))</text>

        """
    }
    if let secondary, !secondary.name.isEmpty {
      let size = min(p.labelFont, max(8, p.labelFont * l.plotHeight / max(1, p.textWidth(secondary.name, size: p.labelFont))))
      let lx = width - p.pad - size * 0.2, ly = (l.y0 + l.y1) / 2
      out += """
        <text class="y2-label" x="\(f(lx))" y="\(f(ly))" transform="rotate(90 \(f(lx)) \(f(ly)))" text-anchor="middle" \
        font-size="\(f(size))" fill="\(Self.secondaryColor)">\(esc(secondary.name))</text>

        """
    }
    return out
  }

  /// The legend, outside the plotting area: a swatch (with the band's tint) and the name of each series.
  private func legend(_ l: Layout) -> String {
    guard !series.isEmpty else { return "" }
    let f = Self.f, p = LinePlot.self
    var out = "<g class=\"legend\" font-size=\"\(f(p.legendFont))\" fill=\"#222222\">\n"
    func entry(_ i: Int, _ x: Double, _ y: Double) {
      if i < series.count, l.hasBand[i] {
        out += """
          <rect x="\(f(x))" y="\(f(y - 5))" width="\(f(p.legendSwatch))" height="10" fill="\(color(i))" \
          fill-opacity="0.2" stroke="none"/>

          """
      }
      out += """
        <line x1="\(f(x))" y1="\(f(y))" x2="\(f(x + p.legendSwatch))" y2="\(f(y))" stroke="\(color(i))" \
        stroke-width="2"\(dash(i))/>
        <text x="\(f(x + p.legendSwatch + 6))" y="\(f(y + p.legendFont * 0.35))">\(Self.esc(l.names[i]))</text>

        """
    }
    if l.legendRight {
      for i in l.names.indices { entry(i, l.x1 + 14, l.y0 + 6 + Double(i) * p.legendRow) }
    } else {
      let rowsTop = height - p.pad - Double(l.belowRows.count) * p.legendRow + p.legendRow / 2
      for (r, row) in l.belowRows.enumerated() {
        let rowWidth = row.reduce(0) { $0 + p.legendSwatch + 6 + l.nameWidths[$1] + 18 } - 18
        var x = max(p.pad, (width - rowWidth) / 2)
        for i in row {
          entry(i, x, rowsTop + Double(r) * p.legendRow)
          x += p.legendSwatch + 6 + l.nameWidths[i] + 18
        }
      }
    }
    return out + "</g>\n"
  }
}
