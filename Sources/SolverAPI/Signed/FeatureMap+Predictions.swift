import LinearAlgebra

extension FeatureMap {
  /// Default: `evaluate`, then f = α Fᵀ c in one more pass over the m × n features (`Dense.weightedRowSum`:
  /// the same sums in the same order as the ridge features form them in cache, so a map behind the plugin
  /// boundary gives the built-in's bits, on any thread count).
  public func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?,
                       summing c: UnsafePointer<Double>, alpha: Double, into f: UnsafeMutablePointer<Double>, parallel: Parallel) {
    evaluate(w, features: features, jacobian: jacobian, parallel: parallel)
    Dense.weightedRowSum(features, weights: c, into: f, m: w.count, n: sampleCount, alpha: alpha, parallel: parallel)
  }

  /// The predictions of the signed measure ν = (1/m) Σ_i r_i δ_{w_i} on this map's n data points
  /// (docs/math.md §2): f = ∫Φ dν = (1/m) Φ(W)ᵀ r.
  public func predictions(weights r: [Double], positions w: ParticleCloud, parallel: Parallel) -> [Double] {
    let m = w.count, n = sampleCount
    guard m > 0, n > 0 else { return [Double](repeating: 0, count: n) }
    var phi = [Double](repeating: 0, count: m * n), f = [Double](repeating: 0, count: n)
    phi.withUnsafeMutableBufferPointer { p in
      r.withUnsafeBufferPointer { rp in
        f.withUnsafeMutableBufferPointer {
          evaluate(w, features: p.baseAddress!, jacobian: nil, summing: rp.baseAddress!, alpha: 1 / Double(m), into: $0.baseAddress!, parallel: parallel)
        }
      }
    }
    return f
  }
}

/// Labels −1 and +1 only (in both splits): a classification task, whose runs record accuracy.
public func isClassification(_ labels: [Double], _ testLabels: [Double] = []) -> Bool {
  !labels.isEmpty && (labels + testLabels).allSatisfy { $0 == 1 || $0 == -1 }
}

/// Classification with labels ±1: the share of rows whose sign of f matches the label (f > 0 predicts +1).
public func classificationAccuracy(_ f: [Double], _ y: [Double]) -> Double {
  guard !y.isEmpty else { return .nan }
  return Double(zip(f, y).filter { ($0 > 0 ? 1.0 : -1.0) == $1 }.count) / Double(y.count)
}
