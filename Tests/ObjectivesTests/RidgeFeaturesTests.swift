import Objectives
import SolverAPI
import Testing

/// Ridge features Φ(w)_k = σ(⟨w, x̃_k⟩) and their pullback g_i = c_i Σ_k u_k σ′(⟨w_i, x̃_k⟩) x̃_k
/// (MATH.md §2), against the same sums written out from the preactivations. (Their first variations
/// are checked against finite differences, through both reductions, in FirstVariationTests.)
struct RidgeFeaturesTests {
  let m = 9, n = 23, d = 4

  func inputs() -> [Double] {
    var rng = RandomStream(seed: 7).generator()
    return (0..<(n * d)).map { _ in rng.normal() }
  }

  func cloud() -> ParticleCloud {
    var rng = RandomStream(seed: 8).generator()
    return ParticleCloud(count: m, dimension: d + 1, coordinates: (0..<(m * (d + 1))).map { _ in rng.normal() })
  }

  /// Features and gradients as `BilevelObjective` asks for them: Jacobian data only when the
  /// feature map has any.
  func evaluate(_ features: RidgeFeatures, _ w: ParticleCloud, u: [Double], c: [Double], threads: Int) -> (features: [Double], gradient: [Double]) {
    var f = [Double](repeating: .nan, count: m * n), jac = [Double](repeating: .nan, count: m * n * features.jacobianWidth)
    var g = [Double](repeating: .nan, count: m * (d + 1))
    let parallel = Parallel(threads: threads)
    f.withUnsafeMutableBufferPointer { fp in
      jac.withUnsafeMutableBufferPointer { jp in
        let jacobian = jp.isEmpty ? nil : jp.baseAddress
        features.evaluate(w, features: fp.baseAddress!, jacobian: jacobian, parallel: parallel)
        u.withUnsafeBufferPointer { up in
          c.withUnsafeBufferPointer { cp in
            g.withUnsafeMutableBufferPointer {
              features.pullback(w, features: fp.baseAddress!, jacobian: jacobian, weights: up.baseAddress!, scales: cp.baseAddress!,
                                into: $0.baseAddress!, parallel: parallel)
            }
          }
        }
      }
    }
    return (f, g)
  }

  @Test("relu, tanh and sigmoid keep no Jacobian data (σ′ is read off σ); softplus and formulas keep σ′",
        arguments: ["relu", "tanh", "sigmoid", "softplus", "tanh(t) + 0.1*t"])
  func jacobianWidth(activation: String) throws {
    let features = RidgeFeatures(inputs: inputs(), dimension: d, bias: true, activation: try Activation(activation))
    #expect(features.jacobianWidth == (["relu", "tanh", "sigmoid"].contains(activation) ? 0 : 1))
  }

  /// Each gradient coordinate is a sum of n terms in k order on both sides, so 2γ_n Σ|terms| bounds
  /// the difference (Higham §3.1); the same bits on 1 and 2 threads.
  @Test("features and pullback match the sums written out from the preactivations, on 1 and 2 threads",
        arguments: ["relu", "tanh", "sigmoid", "softplus", "tanh(t) + 0.1*t"])
  func pullbackMatchesSums(activation: String) throws {
    let sigma = try Activation(activation)
    let x = inputs(), w = cloud()
    let features = RidgeFeatures(inputs: x, dimension: d, bias: true, activation: sigma)
    var rng = RandomStream(seed: 9).generator()
    let u = (0..<n).map { _ in rng.normal() }, c = (0..<m).map { _ in rng.normal() }
    let (f, g) = evaluate(features, w, u: u, c: c, threads: 1)
    let D = d + 1, gamma = Double(n) * 0x1p-53 / (1 - Double(n) * 0x1p-53)
    for i in 0..<m {
      var sums = [Double](repeating: 0, count: D), bounds = sums
      for k in 0..<n {
        let xk = (0..<D).map { $0 < d ? x[k * d + $0] : 1 }
        let z = (0..<D).reduce(0.0) { $0 + w[i, $1] * xk[$1] }
        #expect(abs(f[i * n + k] - sigma.value(z)) <= 1e-13 * max(1, abs(sigma.value(z))), "\(activation): Φ(w_\(i))_\(k)")
        for a in 0..<D {
          let term = c[i] * u[k] * sigma.derivative(z) * xk[a]
          sums[a] += term
          bounds[a] += abs(term)
        }
      }
      for a in 0..<D {
        // The preactivations round differently from the product's (another summation order): allow
        // their effect through σ′ too, at the scale of the terms.
        #expect(abs(g[i * D + a] - sums[a]) <= 2 * gamma * bounds[a] + 1e-12 * bounds[a], "\(activation): g_\(i), coordinate \(a)")
      }
    }
    let two = evaluate(features, w, u: u, c: c, threads: 2)
    #expect(two.features == f && two.gradient == g, "\(activation): 2 threads")
  }
}
