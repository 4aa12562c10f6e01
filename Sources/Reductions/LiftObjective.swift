import LinearAlgebra
import SolverAPI

/// The lifted objective over probability measures μ on ℝ × W (docs/math.md §2, reduction A).
///
/// Wasserstein parametrization (mass r):
///     F_lift(μ) = R(∫ r Φ(w) dμ) + (λ/2) ∫ r² dμ,
///     V(r, w) = r g(w) + (λ/2) r²,  g(w) = ⟨∇R(f), Φ(w)⟩,  ∂_r V = g + λ r,  ∇_w V = r Σ_k ∇R_k ∇Φ_k(w).
/// Conic parametrization (mass r|r|, Chizat 2019), ‖ν‖_TV = ∫ r² dμ:
///     F(μ) = R(∫ r|r| Φ(w) dμ) + (λ/2) (∫ r² dμ)²,
///     V(r, w) = r|r| g(w) + λ ‖ν‖_TV r²,  ∂_r V = 2|r| g + 2λ‖ν‖_TV r,  ∇_w V = r|r| ∇g(w).
/// Both satisfy min F = min_ν G_λ.
public final class LiftObjective: MinibatchObjective, SignedMeasureView {
  /// The signed objective on all its data.
  public let full: any SignedObjective
  /// The signed objective in force: `full`, or its restriction to the current minibatch.
  public private(set) var signed: any SignedObjective
  public let conic: Bool
  private var positions: ParticleCloud
  private var phi = Scratch(), jac = Scratch(), mass = Scratch(), f = Scratch(), dR = Scratch(), g = Scratch(), pull = Scratch(), ones = Scratch()

  public init(_ signed: any SignedObjective, conic: Bool) {
    self.signed = signed
    self.full = signed
    self.conic = conic
    self.positions = ParticleCloud(count: 0, dimension: signed.domain.dimension)
  }

  public var dimension: Int { signed.domain.dimension + 1 }

  /// r ↦ the particle's mass in ν.
  @inline(__always) func massOf(_ r: Double) -> Double { conic ? r * abs(r) : r }

  /// Splits the cloud into weights (into `mass`) and positions; computes features and f (in one pass,
  /// `FeatureMap.evaluate(summing:)`), ∇R(f), and — unless `potentials` is false — g(w_i) = ⟨∇R(f), Φ(w_i)⟩.
  /// Returns (R(f), Σ r²/m).
  private func prepare(_ cloud: ParticleCloud, jacobian: Bool, potentials: Bool = true, parallel: Parallel) -> (risk: Double, meanSquare: Double) {
    let m = cloud.count, D = signed.domain.dimension, n = signed.features.sampleCount
    if positions.count != m { positions = ParticleCloud(count: m, dimension: D) }
    mass.resize(m)
    var meanSquare = 0.0
    cloud.coordinates.withUnsafeBufferPointer { x in
      positions.coordinates.withUnsafeMutableBufferPointer { p in
        mass.withPointer { mp in
          for i in 0..<m {
            let r = x[i * (D + 1)]
            mp[i] = massOf(r)
            meanSquare += r * r
            for k in 0..<D { p[i * D + k] = x[i * (D + 1) + 1 + k] }
          }
        }
      }
    }
    phi.resize(m * n); jac.resize(jacobian ? m * n * signed.features.jacobianWidth : 0); f.resize(n); dR.resize(n); g.resize(m)
    let risk: Double = phi.withPointer { P in
      mass.withPointer { mp in
        f.withPointer { fp in
          jac.withPointerIfAny {
            signed.features.evaluate(positions, features: P, jacobian: $0, summing: mp, alpha: 1 / Double(m), into: fp, parallel: parallel)
          }
          return signed.labels.withUnsafeBufferPointer { y in
            dR.withPointer { d in
              signed.loss.gradient(fp, y.baseAddress!, count: n, into: d)
              if potentials { g.withPointer { Dense.multiply(P, vector: d, into: $0, m: m, n: n, parallel: parallel) } }
              return signed.loss.risk(fp, y.baseAddress!, count: n)
            }
          }
        }
      }
    }
    return (risk, meanSquare / Double(m))
  }

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    // With a gradient and homogeneous features (relu), g(w_i) = ⟨w_i, Σ_k ∇R_k ∇Φ_k(w_i)⟩ (Euler's identity)
    // comes from the pullback, which reads the features anyway, instead of a product over them.
    let potentialsFromPullback = gradient != nil && signed.features.isPositivelyHomogeneous
    let (risk, meanSquare) = prepare(cloud, jacobian: gradient != nil, potentials: !potentialsFromPullback, parallel: parallel)
    let lambda = signed.lambda
    let value = conic ? risk + 0.5 * lambda * meanSquare * meanSquare : risk + 0.5 * lambda * meanSquare
    let m = cloud.count, D = signed.domain.dimension
    if gradient != nil {
      // ∇_w V = c_i Σ_k ∇R_k ∇Φ_k(w_i) with c_i = r (Wasserstein) or r|r| (conic).
      pull.resize(m * D)
      func pullback(scales c: UnsafeMutablePointer<Double>) {
        phi.withPointer { P in
          jac.withPointerIfAny { J in
            dR.withPointer { u in
              pull.withPointer { signed.features.pullback(positions, features: P, jacobian: J, weights: u, scales: c, into: $0, parallel: parallel) }
            }
          }
        }
      }
      if !potentialsFromPullback {
        mass.withPointer { pullback(scales: $0) }
      } else {
        // Unscaled (c = 1) first: g_i = ⟨w_i, row i⟩, then the row times c_i, as the pullback scales it.
        if ones.storage.count != m { ones.resize(m); ones.withPointer { $0.update(repeating: 1, count: m) } }
        ones.withPointer { pullback(scales: $0) }
        positions.coordinates.withUnsafeBufferPointer { w in
          mass.withPointer { c in
            g.withPointer { gv in
              pull.withPointer { pw in
                for i in 0..<m {
                  let row = pw + i * D
                  gv[i] = Dense.dot(w.baseAddress! + i * D, row, count: D)
                  for k in 0..<D { row[k] *= c[i] }
                }
              }
            }
          }
        }
      }
    }
    // V(r, w) = mass(r) g(w) + (λ/2) r² (transport) or + λ‖ν‖_TV r² (conic), g = ⟨∇R(f), Φ(w)⟩ (docs/math.md §2.3).
    if let values {
      cloud.coordinates.withUnsafeBufferPointer { x in
        g.withPointer { gv in
          for i in 0..<cloud.count {
            let r = x[i * (D + 1)]
            values[i] = conic ? massOf(r) * gv[i] + lambda * meanSquare * r * r : r * gv[i] + 0.5 * lambda * r * r
          }
        }
      }
    }
    guard let gradient else { return value }
    cloud.coordinates.withUnsafeBufferPointer { x in
      g.withPointer { gv in
        pull.withPointer { pw in
          for i in 0..<m {
            let r = x[i * (D + 1)]
            gradient[i * (D + 1)] = conic ? 2 * abs(r) * gv[i] + 2 * lambda * meanSquare * r : gv[i] + lambda * r
            for k in 0..<D { gradient[i * (D + 1) + 1 + k] = pw[i * D + k] }
          }
        }
      }
    }
    return value
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    let (_, meanSquare) = prepare(cloud, jacobian: false, parallel: parallel)
    let q = points.count, D = signed.domain.dimension, n = signed.features.sampleCount, lambda = signed.lambda
    var w = ParticleCloud(count: q, dimension: D), r = [Double](repeating: 0, count: q), c = r
    for p in 0..<q {
      r[p] = points[p, 0]
      c[p] = massOf(r[p])
      for k in 0..<D { w[p, k] = points[p, 1 + k] }
    }
    var P = [Double](repeating: 0, count: q * n), J = [Double](repeating: 0, count: q * n * signed.features.jacobianWidth)
    var gw = [Double](repeating: 0, count: q), pw = [Double](repeating: 0, count: q * D)
    P.withUnsafeMutableBufferPointer { pp in
      J.withUnsafeMutableBufferPointer { jp in
        let jacobian = signed.features.jacobianWidth == 0 ? nil : jp.baseAddress
        signed.features.evaluate(w, features: pp.baseAddress!, jacobian: jacobian, parallel: parallel)
        dR.withPointer { u in
          gw.withUnsafeMutableBufferPointer { Dense.multiply(pp.baseAddress!, vector: u, into: $0.baseAddress!, m: q, n: n, parallel: parallel) }
          c.withUnsafeBufferPointer { cp in
            pw.withUnsafeMutableBufferPointer {
              signed.features.pullback(w, features: pp.baseAddress!, jacobian: jacobian, weights: u, scales: cp.baseAddress!,
                                       into: $0.baseAddress!, parallel: parallel)
            }
          }
        }
      }
    }
    for p in 0..<q {
      values[p] = conic ? c[p] * gw[p] + lambda * meanSquare * r[p] * r[p] : r[p] * gw[p] + 0.5 * lambda * r[p] * r[p]
      if let gradients {
        gradients[p * (D + 1)] = conic ? 2 * abs(r[p]) * gw[p] + 2 * lambda * meanSquare * r[p] : gw[p] + lambda * r[p]
        for k in 0..<D { gradients[p * (D + 1) + 1 + k] = pw[p * D + k] }
      }
    }
  }

  public func signedMeasure(of cloud: ParticleCloud, parallel: Parallel) throws -> (weights: [Double], positions: ParticleCloud) {
    let D = signed.domain.dimension
    var w = ParticleCloud(count: cloud.count, dimension: D)
    var r = [Double](repeating: 0, count: cloud.count)
    for i in 0..<cloud.count {
      r[i] = massOf(cloud[i, 0])
      for k in 0..<D { w[i, k] = cloud[i, 1 + k] }
    }
    return (r, w)
  }

  public var sampleCount: Int { full.features.sampleCount }

  public func setBatch(_ batch: [Int]?) {
    signed = batch.map { RestrictedSignedObjective(base: full, samples: $0) } ?? full
  }

  public var observableNames: [String] { SignedReport.names(full) }

  public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    let (r, w) = try signedMeasure(of: cloud, parallel: parallel)
    return try SignedReport.values(full, weights: r, positions: w, parallel: parallel)
  }
}
