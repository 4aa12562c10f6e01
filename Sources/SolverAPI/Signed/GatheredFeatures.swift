import LinearAlgebra

/// A feature map restricted to some of its samples by gathering columns of the full evaluation.
public final class GatheredFeatures: FeatureMap {
  public let base: any FeatureMap
  public let samples: [Int]
  public init(base: any FeatureMap, samples: [Int]) {
    self.base = base
    self.samples = samples
  }
  public var dimension: Int { base.dimension }
  public var sampleCount: Int { samples.count }
  public var jacobianWidth: Int { base.jacobianWidth }

  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel) {
    let m = w.count, n = base.sampleCount, q = samples.count, jw = base.jacobianWidth
    let jacobian = jw == 0 ? nil : jacobian
    var full = [Double](repeating: 0, count: m * n), fullJ = [Double](repeating: 0, count: jacobian == nil ? 0 : m * n * jw)
    full.withUnsafeMutableBufferPointer { f in
      fullJ.withUnsafeMutableBufferPointer { j in
        base.evaluate(w, features: f.baseAddress!, jacobian: jacobian == nil ? nil : j.baseAddress!, parallel: parallel)
        for i in 0..<m {
          for (c, k) in samples.enumerated() {
            features[i * q + c] = f[i * n + k]
            if let jacobian { for e in 0..<jw { jacobian[(i * q + c) * jw + e] = j[(i * n + k) * jw + e] } }
          }
        }
      }
    }
  }

  public func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                       scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
    // Scatter back to the full layout with zero weights outside the subset.
    let m = w.count, n = base.sampleCount, q = samples.count, jw = base.jacobianWidth
    var fullF = [Double](repeating: 0, count: m * n), fullJ = [Double](repeating: 0, count: m * n * jw)
    var fullU = [Double](repeating: 0, count: n)
    for (c, k) in samples.enumerated() {
      fullU[k] = u[c]
      for i in 0..<m {
        fullF[i * n + k] = features[i * q + c]
        if let jacobian { for e in 0..<jw { fullJ[(i * n + k) * jw + e] = jacobian[(i * q + c) * jw + e] } }
      }
    }
    fullF.withUnsafeBufferPointer { f in
      fullJ.withUnsafeBufferPointer { j in
        fullU.withUnsafeBufferPointer {
          base.pullback(w, features: f.baseAddress!, jacobian: jw == 0 ? nil : j.baseAddress!, weights: $0.baseAddress!, scales: c, into: g, parallel: parallel)
        }
      }
    }
  }
}
