import Foundation

/// Fonts, spacing, text measurement and tick fitting: what the layout of a `LinePlot` is computed from.
extension LinePlot {
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
}
