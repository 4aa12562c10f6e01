import Foundation

extension ScatterPlot {
  /// The SVG document: the title, the panels in rows (x tick labels under the bottom row, y tick labels left
  /// of the first column, gridlines at the ticks), the axis labels, and the colour bar when weighted.
  public func svg() -> String {
    let p = LinePlot.self, f = LinePlot.number, esc = ReportPage.escape
    var xe = LinePlot.Extent(), ye = LinePlot.Extent(), wmax = 0.0
    for panel in panels {
      for v in panel.x { xe.add(v) }
      for v in panel.y { ye.add(v) }
      for w in panel.weight ?? [] where w.isFinite { wmax = max(wmax, abs(w)) }
    }
    if equalAxes {  // one range for both axes of a square panel
      xe.add(ye.lo)
      xe.add(ye.hi)
      ye = xe
    }
    let weighted = panels.contains { $0.weight != nil }
    let xTicks = LinePlot.ticks(xe, log: false, count: 4), yTicks = LinePlot.ticks(ye, log: false, count: 4)
    let rows = (panels.count + columns - 1) / columns
    let yLabelWidth = yTicks.labels.map { p.textWidth($0, size: p.tickFont) }.max() ?? 0
    let left = p.pad + p.labelFont + 8 + yLabelWidth + 4 + p.tickLength
    let gap = 30.0, panelTitle = 16.0
    let top = p.pad + (title.isEmpty ? 0 : 14 + 10)
    let barWidth = weighted ? 70.0 : 0
    let width = left + Double(columns) * panelSize + Double(columns - 1) * gap + p.pad + 12 + barWidth
    let bottomBlock = p.tickLength + 4 + p.tickFont + 8 + p.labelFont + p.pad
    let height = top + Double(rows) * (panelTitle + panelSize) + Double(rows - 1) * (gap + p.tickFont) + bottomBlock
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(f(width))" height="\(f(height))" \
      viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif">
      <title>\(esc(title))</title>
      <rect class="background" x="0" y="0" width="\(f(width))" height="\(f(height))" fill="#ffffff"/>

      """
    if !title.isEmpty {
      let size = min(14, max(8, 14 * (width - 2 * p.pad) / max(1, p.textWidth(title, size: 14))))
      out += "<text class=\"title\" x=\"\(f(width / 2))\" y=\"\(f(p.pad + 14))\" text-anchor=\"middle\" font-size=\"\(f(size))\" font-weight=\"bold\" fill=\"#222222\">\(esc(title))</text>\n"
    }
    for (k, panel) in panels.enumerated() {
      let row = k / columns, column = k % columns
      let x0 = left + Double(column) * (panelSize + gap)
      let y0 = top + Double(row) * (panelTitle + panelSize + gap + p.tickFont) + panelTitle
      let (x1, y1) = (x0 + panelSize, y0 + panelSize)
      let sx = LinePlot.Scale(ticks: xTicks, from: x0, to: x1), sy = LinePlot.Scale(ticks: yTicks, from: y1, to: y0)
      out += "<g class=\"panel\">\n<text x=\"\(f((x0 + x1) / 2))\" y=\"\(f(y0 - 5))\" text-anchor=\"middle\" font-size=\"\(f(p.legendFont))\" fill=\"#222222\">\(esc(panel.title))</text>\n"
      out += "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
      for v in xTicks.major { out += "<line x1=\"\(f(sx(v)))\" y1=\"\(f(y0))\" x2=\"\(f(sx(v)))\" y2=\"\(f(y1))\"/>\n" }
      for v in yTicks.major { out += "<line x1=\"\(f(x0))\" y1=\"\(f(sy(v)))\" x2=\"\(f(x1))\" y2=\"\(f(sy(v)))\"/>\n" }
      out += "</g>\n<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(panelSize))\" height=\"\(f(panelSize))\" fill=\"none\" stroke=\"#a6a6a6\"/>\n"
      // Points, lightest weights first.
      let order = panel.x.indices.filter { $0 < panel.y.count && panel.x[$0].isFinite && panel.y[$0].isFinite }
        .sorted { abs(panel.weight?[$0] ?? 0) < abs(panel.weight?[$1] ?? 0) }
      out += "<g class=\"points\" stroke=\"none\" fill-opacity=\"\(weighted ? "0.85" : "0.45")\">\n"
      for i in order {
        let fill = panel.weight.map { ScatterPlot.color(wmax > 0 ? $0[i] / wmax : 0) } ?? LinePlot.palette[0]
        out += "<circle cx=\"\(f(sx(panel.x[i])))\" cy=\"\(f(sy(panel.y[i])))\" r=\"2.2\" fill=\"\(fill)\"/>\n"
      }
      out += "</g>\n<g font-size=\"\(f(p.tickFont))\" fill=\"#333333\">\n"
      if row == rows - 1 || k + columns >= panels.count {
        for (v, label) in zip(xTicks.major, xTicks.labels) {
          out += "<text x=\"\(f(sx(v)))\" y=\"\(f(y1 + p.tickLength + 3 + p.tickFont))\" text-anchor=\"middle\">\(esc(label))</text>\n"
        }
      }
      if column == 0 {
        for (v, label) in zip(yTicks.major, yTicks.labels) {
          out += "<text x=\"\(f(x0 - p.tickLength - 3))\" y=\"\(f(sy(v) + p.tickFont * 0.35))\" text-anchor=\"end\">\(esc(label))</text>\n"
        }
      }
      out += "</g>\n</g>\n"
    }
    let plotRight = left + Double(columns) * panelSize + Double(columns - 1) * gap
    out += "<text class=\"x-label\" x=\"\(f((left + plotRight) / 2))\" y=\"\(f(height - p.pad))\" text-anchor=\"middle\" font-size=\"\(f(p.labelFont))\" fill=\"#222222\">\(esc(xLabel))</text>\n"
    let ly = top + (height - bottomBlock - top) / 2, lx = p.pad + p.labelFont * 0.8
    out += "<text class=\"y-label\" x=\"\(f(lx))\" y=\"\(f(ly))\" transform=\"rotate(-90 \(f(lx)) \(f(ly)))\" text-anchor=\"middle\" font-size=\"\(f(p.labelFont))\" fill=\"#222222\">\(esc(yLabel))</text>\n"
    if weighted {
      // The colour bar: −max|w| at the bottom, +max|w| at the top.
      let bx = plotRight + 24, by0 = top + panelTitle, bh = min(panelSize, 160.0)
      out += "<defs><linearGradient id=\"weights\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
      for s in stride(from: 0.0, through: 1.0, by: 0.25) {
        out += "<stop offset=\"\(s)\" stop-color=\"\(ScatterPlot.color(2 * s - 1))\"/>"
      }
      out += "</linearGradient></defs>\n<g class=\"colour-bar\" font-size=\"\(f(p.tickFont))\" fill=\"#333333\">\n"
      out += "<rect x=\"\(f(bx))\" y=\"\(f(by0))\" width=\"12\" height=\"\(f(bh))\" fill=\"url(#weights)\" stroke=\"#a6a6a6\"/>\n"
      for (t, v) in [(0.0, wmax), (0.5, 0.0), (1.0, -wmax)] {
        out += "<text x=\"\(f(bx + 16))\" y=\"\(f(by0 + t * bh + p.tickFont * 0.35))\">\(esc(PlotAxis.label(Double(String(format: "%.2g", v)) ?? v)))</text>\n"
      }
      out += "<text x=\"\(f(bx))\" y=\"\(f(by0 - 5))\" font-size=\"\(f(p.legendFont))\" fill=\"#222222\">\(esc(weightLabel))</text>\n</g>\n"
    }
    return out + "</svg>\n"
  }
}
