import Foundation

extension LinePlot {
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
}
