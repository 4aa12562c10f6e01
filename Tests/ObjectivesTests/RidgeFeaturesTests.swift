import LinearAlgebra
import Objectives
import SolverAPI
import Testing

/// Ridge features Φ(w)_k = σ(⟨w, x̃_k⟩) and their pullback g_i = c_i Σ_k u_k σ′(⟨w_i, x̃_k⟩) x̃_k
/// (docs/math.md §2), against the same sums written out from the preactivations. (Their first variations
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

  /// The claim `Activation.slopeFromValue` makes: reading σ′ off the features inside the product
  /// gives the same bits as storing σ′(Z) (`Activation.apply` with a derivative buffer) and
  /// multiplying by it.
  @Test("relu, tanh and sigmoid: the pullback is the same bits as the product with stored σ′(Z)",
        arguments: ["relu", "tanh", "sigmoid"])
  func pullbackEqualsStoredSlopes(activation: String) throws {
    let sigma = try Activation(activation)
    let x = inputs(), w = cloud(), D = d + 1
    let features = RidgeFeatures(inputs: x, dimension: d, bias: true, activation: sigma)
    var rng = RandomStream(seed: 10).generator()
    let u = (0..<n).map { _ in rng.normal() }, c = (0..<m).map { _ in rng.normal() }
    let (_, g) = evaluate(features, w, u: u, c: c, threads: 1)
    // Z by the same product the features use, then σ and σ′ stored, then diag(c) σ′(Z) (diag(u) X̃).
    let xt = (0..<(D * n)).map { e in e / n < d ? x[(e % n) * d + e / n] : 1.0 }
    var z = [Double](repeating: 0, count: m * n), slope = z
    let weighted = (0..<(n * D)).map { e in u[e / D] * (e % D < d ? x[(e / D) * d + e % D] : 1) }
    var expected = [Double](repeating: 0, count: m * D)
    w.coordinates.withUnsafeBufferPointer { wp in
      xt.withUnsafeBufferPointer { xp in
        z.withUnsafeMutableBufferPointer { zp in
          Dense.product(m: m, n: n, k: D, wp.baseAddress!, aRow: D, aColumn: 1, xp.baseAddress!, bRow: n, bColumn: 1,
                        into: zp.baseAddress!, ldc: n, parallel: .serial)
          slope.withUnsafeMutableBufferPointer { sp in
            sigma.apply(zp.baseAddress!, derivative: sp.baseAddress!, count: m * n)
            weighted.withUnsafeBufferPointer { up in
              expected.withUnsafeMutableBufferPointer {
                Dense.multiply(sp.baseAddress!, up.baseAddress!, into: $0.baseAddress!, m: m, n: D, k: n, parallel: .serial)
              }
            }
          }
        }
      }
    }
    for i in 0..<m { for a in 0..<D { expected[i * D + a] *= c[i] } }
    #expect(g == expected, "\(activation)")
  }

  /// `GatheredFeatures` (evaluate everything, keep some columns; scatter back with zero weights) is
  /// the generic minibatch path; ridge features restrict their inputs instead. Both must agree.
  @Test("the generic gathered subset agrees with the ridge features' own subset, with and without Jacobian data",
        arguments: ["relu", "softplus"])
  func gatheredSubset(activation: String) throws {
    let full = RidgeFeatures(inputs: inputs(), dimension: d, bias: true, activation: try Activation(activation))
    let samples = [3, 0, 17, 8, 22, 11]
    let own = full.subset(samples), gathered = GatheredFeatures(base: full, samples: samples)
    #expect(own.jacobianWidth == gathered.jacobianWidth && gathered.sampleCount == samples.count)
    let w = cloud(), q = samples.count, width = own.jacobianWidth
    var rng = RandomStream(seed: 11).generator()
    let u = (0..<q).map { _ in rng.normal() }, c = (0..<m).map { _ in rng.normal() }
    func run(_ map: any FeatureMap) -> (features: [Double], gradient: [Double]) {
      var f = [Double](repeating: .nan, count: m * q), jac = [Double](repeating: .nan, count: m * q * width)
      var g = [Double](repeating: .nan, count: m * (d + 1))
      f.withUnsafeMutableBufferPointer { fp in
        jac.withUnsafeMutableBufferPointer { jp in
          let jacobian = width == 0 ? nil : jp.baseAddress
          map.evaluate(w, features: fp.baseAddress!, jacobian: jacobian, parallel: .serial)
          u.withUnsafeBufferPointer { up in
            c.withUnsafeBufferPointer { cp in
              g.withUnsafeMutableBufferPointer {
                map.pullback(w, features: fp.baseAddress!, jacobian: jacobian, weights: up.baseAddress!, scales: cp.baseAddress!,
                             into: $0.baseAddress!, parallel: .serial)
              }
            }
          }
        }
      }
      return (f, g)
    }
    let a = run(own), b = run(gathered)
    #expect(a.features == b.features, "\(activation): features")
    // The gathered pullback sums over all n samples (zero weights outside the subset): the same terms,
    // grouped differently.
    for e in 0..<a.gradient.count {
      #expect(abs(a.gradient[e] - b.gradient[e]) <= 1e-13 * (1 + abs(a.gradient[e])), "\(activation): gradient entry \(e)")
    }
  }
}
