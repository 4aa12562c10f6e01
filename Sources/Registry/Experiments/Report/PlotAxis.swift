import Foundation
import SolverAPI

/// Tick computation for plot axes: "nice" linear ticks (1, 2 or 5 × 10^k apart, the range widened to whole steps)
/// and logarithmic ticks (decades, with unlabelled 2…9 minor ticks when the range spans at least two decades).
public enum PlotAxis {
  /// Linear ticks covering `min...max` with about `targetCount` intervals. The range is widened to whole steps,
  /// so the first and last ticks are the axis ends; a degenerate range (a single value) is padded around it.
  public static func linear(min a: Double, max b: Double, targetCount: Int = 5) -> AxisTicks {
    var lo = a.isFinite ? a : 0
    var hi = b.isFinite ? b : 1
    if lo > hi { swap(&lo, &hi) }
    let scale = Swift.max(abs(lo), abs(hi))
    if hi - lo <= scale * 1e-12 {
      let pad = scale == 0 ? 1 : scale * 0.1
      lo -= pad
      hi += pad
    }
    let target = Double(Swift.max(1, targetCount))
    // Candidate steps m × 10^e around span / target; keep the one whose interval count is closest to the target
    // (ties to the larger step). Each step is kept as (m, e) so ticks can be computed exactly as integers × 10^e.
    let e0 = Int(floor(log10((hi - lo) / target)))
    var best: (m: Int, e: Int, k0: Double, k1: Double)?
    var bestScore = Double.infinity
    for e in (e0 - 1)...(e0 + 1) {
      for m in [1, 2, 5] {
        let step = Double(m) * pow10(e)
        let k0 = floor(lo / step)
        let k1 = ceil(hi / step)
        let intervals = k1 - k0
        guard intervals >= 1, intervals <= 40 else { continue }
        let score = abs(intervals - target)
        if score <= bestScore {
          if score == bestScore, let b = best, Double(b.m) * pow10(b.e) > step { continue }
          bestScore = score
          best = (m, e, k0, k1)
        }
      }
    }
    guard let b = best else {
      return AxisTicks(lower: lo, upper: hi, isLog: false, major: [lo, hi], labels: [label(lo), label(hi)], minor: [])
    }
    let ticks = (Int(b.k0)...Int(b.k1)).map { k in tickValue(k * b.m, b.e) }
    return AxisTicks(
      lower: ticks.first!, upper: ticks.last!, isLog: false, major: ticks, labels: labels(ticks, decimals: max(0, -b.e)),
      minor: [])
  }

  /// Logarithmic ticks covering `min...max` (both must be positive; otherwise the range 1…10 is used). The range is
  /// widened to the nearest 1, 2 or 5 × 10^k. Spanning two decades or more, major ticks are the decades (every n-th
  /// one when there are more than `maxLabels`) and minor ticks are 2…9 × 10^k (or the skipped decades); spanning
  /// less, the major ticks are 1, 2, 5 × 10^k and the minor ticks the other integer multiples.
  public static func log(min a: Double, max b: Double, maxLabels: Int = 8) -> AxisTicks {
    var lo = a, hi = b
    if !(lo > 0 && lo.isFinite && hi > 0 && hi.isFinite) { lo = 1; hi = 10 }
    if lo > hi { swap(&lo, &hi) }
    if hi / lo < 1 + 1e-9 {
      lo /= 2
      hi *= 2
    }
    let (lm, le) = snap(lo, up: false)
    let (hm, he) = snap(hi, up: true)
    lo = tickValue(lm, le)
    hi = tickValue(hm, he)
    let decades = log10(hi) - log10(lo)
    var major: [Double] = []
    var minor: [Double] = []
    func inside(_ v: Double) -> Bool { v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) }
    if decades >= 2 - 1e-9 {
      let ks = Array(le...he).filter { inside(tickValue(1, $0)) }
      let stride = Swift.max(1, Int((Double(ks.count) / Double(Swift.max(1, maxLabels))).rounded(.up)))
      for k in le...he {
        let d = tickValue(1, k)
        if ks.contains(k) {
          if k.isMultiple(of: stride) { major.append(d) } else { minor.append(d) }
        }
        if stride == 1 {
          for m in 2...9 where inside(tickValue(m, k)) { minor.append(tickValue(m, k)) }
        }
      }
    } else {
      for k in le...he {
        for m in 1...9 where inside(tickValue(m, k)) {
          if m == 1 || m == 2 || m == 5 { major.append(tickValue(m, k)) } else { minor.append(tickValue(m, k)) }
        }
      }
    }
    return AxisTicks(lower: lo, upper: hi, isLog: true, major: major, labels: major.map { label($0) }, minor: minor)
  }

  /// A compact tick label: the shortest `%g` form that reads back as `value` ("0.001", "1e-05", "2.5", "1e+06").
  public static func label(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
    if value == 0 { return "0" }
    var precision = 17
    for p in 1...17 where Double(String(format: "%.\(p)g", value)) == value {
      precision = p
      break
    }
    // Plain digits rather than an exponent for magnitudes 1e-4 ≤ |value| < 1e6 ("100", not "1e+02").
    let exponent = Int(floor(log10(abs(value))))
    if exponent >= 0 && exponent < 6 { precision = max(precision, exponent + 1) }
    return String(format: "%.\(precision)g", value)
  }

  /// Labels for evenly spaced ticks, in one notation for the whole axis: plain decimals with at most `decimals`
  /// places ("0", "0.5", "1234567.5"), or exponent form ("1.5e-07", "2e+09") where that is clearly shorter.
  static func labels(_ ticks: [Double], decimals: Int) -> [String] {
    func trimmed(_ s: String) -> String {
      var s = s
      if s.contains(".") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
      }
      return s == "-0" ? "0" : s
    }
    let plain = ticks.map { trimmed(String(format: "%.\(decimals)f", $0)) }
    let exponent = ticks.map { v -> String in
      if v == 0 { return "0" }
      for p in 0...16 {
        let s = String(format: "%.\(p)e", v)
        if Double(s) == v { return s }
      }
      return String(format: "%.16e", v)
    }
    let plainWidth = plain.map(\.count).max() ?? 0, exponentWidth = exponent.map(\.count).max() ?? 0
    let useExponent = exponentWidth < plainWidth && (plainWidth > 8 || exponentWidth + 3 <= plainWidth)
    return useExponent ? exponent : plain
  }

  /// m × 10^e as the double nearest to the exact decimal value (so 3 × 10^-1 is exactly `0.3`).
  static func tickValue(_ m: Int, _ e: Int) -> Double {
    if m == 0 { return 0 }
    return Double("\(m)e\(e)") ?? Double(m) * pow10(e)
  }

  static func pow10(_ e: Int) -> Double { Double("1e\(e)") ?? Foundation.pow(10, Double(e)) }

  /// The nearest 1, 2 or 5 × 10^e at or below (or, with `up`, at or above) a positive value.
  static func snap(_ v: Double, up: Bool) -> (m: Int, e: Int) {
    let e = Int(floor(log10(v)))
    // Candidates from 5 × 10^(e-1) to 2 × 10^(e+1), so rounding in log10 cannot skip the right one.
    let candidates = [(5, e - 1), (1, e), (2, e), (5, e), (1, e + 1), (2, e + 1)]
    if up {
      for c in candidates where tickValue(c.0, c.1) >= v * (1 - 1e-12) { return c }
      return (5, e + 1)
    } else {
      for c in candidates.reversed() where tickValue(c.0, c.1) <= v * (1 + 1e-12) { return c }
      return (2, e - 1)
    }
  }
}
