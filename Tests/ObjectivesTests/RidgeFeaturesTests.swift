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

  /// f = (1/m) Σ_i c_i Φ(w_i), formed tile by tile as the product finishes the features: m and n large
  /// enough for several chunks of rows and tiles of columns. Each f_k is a sum of m terms, so 2γ_m Σ|terms|/m
  /// bounds its difference from the sum written out (Higham §3.1).
  @Test("the predictions formed with the features match their weighted sum, the features are unchanged, the same bits on 1 and 2 threads",
        arguments: ["relu", "tanh", "softplus"])
  func predictionsWithFeatures(activation: String) throws {
    let (m, n) = (300, 700)
    var rng = RandomStream(seed: 12).generator()
    let features = RidgeFeatures(inputs: (0..<(n * d)).map { _ in rng.normal() }, dimension: d, bias: true, activation: try Activation(activation))
    let w = ParticleCloud(count: m, dimension: d + 1, coordinates: (0..<(m * (d + 1))).map { _ in rng.normal() })
    let c = (0..<m).map { _ in rng.normal() }
    func run(threads: Int, summing: Bool) -> (phi: [Double], f: [Double]) {
      var phi = [Double](repeating: .nan, count: m * n), jac = [Double](repeating: .nan, count: m * n * features.jacobianWidth)
      var f = [Double](repeating: .nan, count: n)
      phi.withUnsafeMutableBufferPointer { P in
        jac.withUnsafeMutableBufferPointer { J in
          let jacobian = J.isEmpty ? nil : J.baseAddress
          if summing {
            c.withUnsafeBufferPointer { cp in
              f.withUnsafeMutableBufferPointer {
                features.evaluate(w, features: P.baseAddress!, jacobian: jacobian, summing: cp.baseAddress!, alpha: 1 / Double(m),
                                  into: $0.baseAddress!, parallel: Parallel(threads: threads))
              }
            }
          } else {
            features.evaluate(w, features: P.baseAddress!, jacobian: jacobian, parallel: Parallel(threads: threads))
          }
        }
      }
      return (phi, f)
    }
    let one = run(threads: 1, summing: true), two = run(threads: 2, summing: true), plain = run(threads: 1, summing: false)
    #expect(one.phi == plain.phi, "the features are those of evaluate")
    #expect(one.f == two.f, "the same bits on 1 and 2 threads")
    let gamma = Double(m) * Double.ulpOfOne / 2 / (1 - Double(m) * Double.ulpOfOne / 2)
    for k in 0..<n {
      var sum = 0.0, size = 0.0
      for i in 0..<m { sum += c[i] * plain.phi[i * n + k]; size += abs(c[i] * plain.phi[i * n + k]) }
      #expect(abs(one.f[k] - sum / Double(m)) <= 2 * gamma * size / Double(m) + 1e-300, "\(activation): f[\(k)]")
    }
  }

  /// A map that claims homogeneity it does not have (tanh ridge features): its fast-path law must fail.
  final class ClaimsHomogeneity: FeatureMap {
    let base: RidgeFeatures
    init(_ base: RidgeFeatures) { self.base = base }
    var dimension: Int { base.dimension }
    var sampleCount: Int { base.sampleCount }
    var jacobianWidth: Int { base.jacobianWidth }
    var isPositivelyHomogeneous: Bool { true }
    func evaluate(_ w: ParticleCloud, features: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, parallel: Parallel) {
      base.evaluate(w, features: features, jacobian: jacobian, parallel: parallel)
    }
    func pullback(_ w: ParticleCloud, features: UnsafePointer<Double>, jacobian: UnsafePointer<Double>?, weights u: UnsafePointer<Double>,
                  scales c: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, parallel: Parallel) {
      base.pullback(w, features: features, jacobian: jacobian, weights: u, scales: c, into: g, parallel: parallel)
    }
  }

  @Test("relu features are positively homogeneous (Euler's identity holds, and mfld check says so); tanh's are not, and a map claiming it fails the law")
  func homogeneity() throws {
    let x = inputs(), w = cloud()
    let relu = RidgeFeatures(inputs: x, dimension: d, bias: true, activation: .relu)
    let tanh = RidgeFeatures(inputs: x, dimension: d, bias: true, activation: .tanh)
    #expect(relu.isPositivelyHomogeneous && !tanh.isPositivelyHomogeneous)
    let geometry = Euclidean(dimension: d + 1), random = RandomStream(seed: 13)
    let reluLaws = FeatureMapCheck().laws(relu, at: w, geometry: geometry, random: random)
    #expect(reluLaws.count == 3 && reluLaws.allSatisfy(\.passed), "\(reluLaws)")
    let tanhLaws = FeatureMapCheck().laws(tanh, at: w, geometry: geometry, random: random)
    #expect(tanhLaws.count == 2 && tanhLaws.allSatisfy(\.passed), "\(tanhLaws)")
    let false_ = FeatureMapCheck().laws(ClaimsHomogeneity(tanh), at: w, geometry: geometry, random: random)
    #expect(false_.count == 3 && false_[0].passed && false_[1].passed && !false_[2].passed, "\(false_)")
  }
}
