import Foundation

extension Comparison {
  /// The varied key and its numeric values, when exactly one `--vary` key varies, over positive numbers.
  var numericSweep: (key: String, values: [Double])? {
    guard let keys = variants.first?.sweptKeys, variants.allSatisfy({ $0.sweptKeys == keys && $0.sweptValues.count == keys.count }) else { return nil }
    let varied = keys.indices.filter { k in Set(variants.map { $0.sweptValues[k] }).count > 1 }
    guard varied.count == 1, let k = varied.first else { return nil }
    let values = variants.map { Double($0.sweptValues[k].trimmingCharacters(in: .whitespaces)) }
    guard values.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
    return (keys[k], values.map { $0! })
  }

  /// Least-squares slope of log y against log x, with its standard error.
  static func logLogSlope(x: [Double], y: [Double]) -> (slope: Double, standardError: Double)? {
    let pts = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.1.isFinite }.map { (log($0.0), log($0.1)) }
    guard pts.count >= 3 else { return nil }
    let n = Double(pts.count)
    let mx = pts.reduce(0) { $0 + $1.0 } / n, my = pts.reduce(0) { $0 + $1.1 } / n
    let sxx = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
    let slope = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
    let residual = pts.reduce(0) { let e = $1.1 - my - slope * ($1.0 - mx); return $0 + e * e }
    return (slope, (residual / (n - 2) / sxx).squareRoot())
  }

  /// Mean and sample standard deviation.
  static func meanAndSD(_ x: [Double]) -> (Double, Double) {
    let v = x.filter(\.isFinite)
    guard !v.isEmpty else { return (.nan, .nan) }
    let mean = v.reduce(0, +) / Double(v.count)
    guard v.count > 1 else { return (mean, 0) }
    return (mean, (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot())
  }

  static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "—" }
}
