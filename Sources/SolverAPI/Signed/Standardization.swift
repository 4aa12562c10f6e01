/// Feature standardization x ↦ (x − μ) / s, with μ and s the training split's column means and population
/// standard deviations (a constant column keeps s = 1). The same statistics apply to the test split and to
/// any later input (`mfld predict`), so a model sees its inputs on one scale.
public struct Standardization: Sendable, Equatable {
  public var mean: [Double]
  public var scale: [Double]

  public init(mean: [Double], scale: [Double]) {
    self.mean = mean
    self.scale = scale
  }

  /// The statistics of n × d row-major `rows`.
  public init(rows x: [Double], dimension d: Int) {
    let n = x.count / d
    var mean = [Double](repeating: 0, count: d), scale = [Double](repeating: 0, count: d)
    for k in 0..<n { for c in 0..<d { mean[c] += x[k * d + c] } }
    for c in 0..<d { mean[c] /= Double(max(n, 1)) }
    for k in 0..<n { for c in 0..<d { let z = x[k * d + c] - mean[c]; scale[c] += z * z } }
    for c in 0..<d {
      let s = (scale[c] / Double(max(n, 1))).squareRoot()
      scale[c] = s > 0 && s.isFinite ? s : 1
    }
    self.init(mean: mean, scale: scale)
  }

  /// (x − μ) / s for each row of n × d row-major `x`.
  public func apply(_ x: [Double]) -> [Double] {
    let d = mean.count
    var out = x
    for i in out.indices { out[i] = (out[i] - mean[i % d]) / scale[i % d] }
    return out
  }
}
