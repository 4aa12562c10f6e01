import LinearAlgebra

/// The law of a feature map Φ: W → ℝ^n (docs/math.md §2.2): its pullback is the derivative of its features,
///     ⟨g_i, v⟩ = d/dh c_i Σ_k u_k Φ(w_i + h v)_k,   g = pullback(u, c),
/// by central differences along random unit tangent directions v at each particle, with random weights u
/// over the samples and scales c over the particles. Error relative to max(|both|, 1e-3 × the largest).
public struct FeatureMapCheck {
  public var step: Double = 1e-5
  public var tolerance: Double = 1e-5

  public init() {}

  public func law(_ features: any FeatureMap, at w: ParticleCloud, geometry: any Geometry, random: RandomStream) -> LawResult {
    var rng = random.generator()
    let m = w.count, n = features.sampleCount, d = features.dimension, jw = features.jacobianWidth
    let u = (0..<n).map { _ in rng.normal() }, c = (0..<m).map { _ in rng.normal() }
    var phi = [Double](repeating: 0, count: m * n), jac = [Double](repeating: 0, count: m * n * jw)
    var g = [Double](repeating: 0, count: m * d)
    phi.withUnsafeMutableBufferPointer { P in
      jac.withUnsafeMutableBufferPointer { J in
        features.evaluate(w, features: P.baseAddress!, jacobian: jw == 0 ? nil : J.baseAddress, parallel: .serial)
        u.withUnsafeBufferPointer { up in
          c.withUnsafeBufferPointer { cp in
            g.withUnsafeMutableBufferPointer {
              features.pullback(w, features: P.baseAddress!, jacobian: jw == 0 ? nil : J.baseAddress, weights: up.baseAddress!,
                                scales: cp.baseAddress!, into: $0.baseAddress!, parallel: .serial)
            }
          }
        }
      }
    }
    /// c_i Σ_k u_k Φ(y)_k at one point y.
    func projection(_ y: [Double], _ i: Int) -> Double {
      var f = [Double](repeating: 0, count: n)
      f.withUnsafeMutableBufferPointer { features.evaluate(ParticleCloud(count: 1, dimension: d, coordinates: y), features: $0.baseAddress!,
                                                           jacobian: nil, parallel: .serial) }
      return c[i] * zip(u, f).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let scale = max(g.map(abs).max() ?? 0, 1e-12)
    var worst = 0.0
    for i in 0..<m {
      let x = w.particle(i)
      var v = (0..<d).map { _ in rng.normal() }
      v.withUnsafeMutableBufferPointer { vp in x.withUnsafeBufferPointer { geometry.projectToTangent(vp.baseAddress!, at: $0.baseAddress!) } }
      let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      v = v.map { $0 / max(norm, 1e-300) }
      let fd = (projection(zip(x, v).map { $0 + step * $1 }, i) - projection(zip(x, v).map { $0 - step * $1 }, i)) / (2 * step)
      let an = (0..<d).reduce(0) { $0 + g[i * d + $1] * v[$1] }
      let error = abs(fd - an) / max(abs(fd), abs(an), 1e-3 * scale)
      worst = max(worst, error.isNaN ? .infinity : error)
    }
    return LawResult(law: "pullback·v = d/dh c_i Σ_k u_k Φ(w_i + hv)_k", error: worst, tolerance: tolerance)
  }

  /// `law`, and the laws of the map's fast paths: the predictions formed with the features equal their
  /// weighted sum, (1/m) Σ_i c_i Φ(w_i) (to 1e-12 of its scale); and when the map says it is positively
  /// homogeneous, Euler's identity ⟨w_i, g_i⟩ = c_i Σ_k u_k Φ(w_i)_k for its pullback g.
  public func laws(_ features: any FeatureMap, at w: ParticleCloud, geometry: any Geometry, random: RandomStream) -> [LawResult] {
    var results = [law(features, at: w, geometry: geometry, random: random)]
    var rng = random.split("fast paths").generator()
    let m = w.count, n = features.sampleCount, d = features.dimension, jw = features.jacobianWidth
    guard m > 0, n > 0 else { return results }
    let u = (0..<n).map { _ in rng.normal() }, c = (0..<m).map { _ in rng.normal() }
    var phi = [Double](repeating: 0, count: m * n), jac = [Double](repeating: 0, count: m * n * jw)
    var f = [Double](repeating: 0, count: n), g = [Double](repeating: 0, count: m * d)
    phi.withUnsafeMutableBufferPointer { P in
      jac.withUnsafeMutableBufferPointer { J in
        c.withUnsafeBufferPointer { cp in
          f.withUnsafeMutableBufferPointer {
            features.evaluate(w, features: P.baseAddress!, jacobian: jw == 0 ? nil : J.baseAddress, summing: cp.baseAddress!,
                              alpha: 1 / Double(m), into: $0.baseAddress!, parallel: .serial)
          }
          u.withUnsafeBufferPointer { up in
            g.withUnsafeMutableBufferPointer {
              features.pullback(w, features: P.baseAddress!, jacobian: jw == 0 ? nil : J.baseAddress, weights: up.baseAddress!,
                                scales: cp.baseAddress!, into: $0.baseAddress!, parallel: .serial)
            }
          }
        }
      }
    }
    var worst = 0.0, scale = 0.0
    for k in 0..<n {
      var sum = 0.0, size = 0.0
      for i in 0..<m { sum += c[i] * phi[i * n + k]; size += abs(c[i] * phi[i * n + k]) }
      scale = max(scale, size / Double(m))
      worst = max(worst, abs(f[k] - sum / Double(m)))
    }
    let sumError = worst / max(scale, 1e-300)
    results.append(LawResult(law: "evaluate(summing: c) = (1/m) Σ_i c_i Φ(w_i)", error: sumError.isNaN ? .infinity : sumError, tolerance: 1e-12))
    if features.isPositivelyHomogeneous {
      worst = 0
      scale = 0
      for i in 0..<m {
        var value = 0.0, size = 0.0, euler = 0.0
        for k in 0..<n { value += u[k] * phi[i * n + k]; size += abs(u[k] * phi[i * n + k]) }
        for j in 0..<d { euler += w[i, j] * g[i * d + j] }
        scale = max(scale, abs(c[i]) * size)
        worst = max(worst, abs(euler - c[i] * value))
      }
      let error = worst / max(scale, 1e-300)
      results.append(LawResult(law: "positively homogeneous: ⟨w_i, g_i⟩ = c_i Σ_k u_k Φ(w_i)_k (Euler)", error: error.isNaN ? .infinity : error,
                               tolerance: 1e-10))
    }
    return results
  }
}
