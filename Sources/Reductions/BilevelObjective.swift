import Foundation
import SolverAPI

/// Reduction B, bilevel (MATH.md §2; Wang, Mousavi-Hosseini, Chizat 2024): particles w ∈ W only; the
/// outer weights are solved exactly at every step,
///     J_λ(μ) = min_r R((1/m) P r) + (λ/2m)|r|²,   P_ki = Φ(w_i)_k,
///     r_μ(w) = −(1/λ)⟨∇R(f_μ), Φ(w)⟩,   δJ_λ/δμ(w) = −(λ/2) r_μ(w)²,
///     ∇_w δJ_λ/δμ(w) = r_μ(w) Σ_k ∇R(f_μ)_k ∇_w Φ(w)_k    (envelope theorem).
///
/// Square loss, closed form with K = (1/m) P Pᵀ:
///     a = (K + nλI)⁻¹ y,   r = Pᵀa,   f = K a,   ∇R(f) = −λ a,   J_λ = (λ/2) yᵀa,
/// through the n × n system or, when m < n, Woodbury's m × m one:
///     (K + nλI)⁻¹ y = (y − P (mnλ I + PᵀP)⁻¹ Pᵀ y) / (nλ).
/// Both by Cholesky, never an explicit inverse. Other losses: Newton on r, warm-started from the
/// previous step, to a relative optimality residual ‖λr + Pᵀ∇R(f)‖ / (λ‖r‖ + ‖Pᵀ∇R(f)‖) ≤ 1e-12.
public final class BilevelObjective: MinibatchObjective, SignedMeasureView, Checkpointable {
  public enum InnerSolver: String, Sendable { case auto, kernel, woodbury }

  /// The signed objective on all its data.
  public let full: any SignedObjective
  /// The signed objective in force: `full`, or its restriction to the current minibatch.
  public private(set) var signed: any SignedObjective
  public let solver: InnerSolver
  /// Relative residual of the last inner solve (recorded as `inner_residual`).
  public private(set) var lastResidual = 0.0
  /// Newton iterations of the last inner solve (0 for the closed form).
  public private(set) var lastIterations = 0

  private var phi = Scratch(), jac = Scratch(), system = Scratch(), a = Scratch(), r = Scratch(), f = Scratch(), dR = Scratch()
  private var work = Scratch(), work2 = Scratch(), gradientCopy = Scratch()
  private var warmStart: [Double] = []

  public init(_ signed: any SignedObjective, solver: InnerSolver = .auto) {
    self.signed = signed
    self.full = signed
    self.solver = solver
  }

  public var dimension: Int { signed.domain.dimension }

  /// The Newton warm start (other losses): part of the state, since it decides the iterations taken.
  public func checkpointState() -> [String: [Double]] { ["warm_start": warmStart] }
  public func restoreCheckpoint(_ state: [String: [Double]]) throws { warmStart = state["warm_start"] ?? [] }

  /// Features of the cloud, then the inner solve: fills r, f, ∇R(f). Returns J_λ.
  private func solve(_ cloud: ParticleCloud, jacobian: Bool, parallel: Parallel) throws -> Double {
    let m = cloud.count, n = signed.features.sampleCount
    phi.resize(m * n); jac.resize(jacobian ? m * n * signed.features.jacobianWidth : 0)
    r.resize(m); f.resize(n); dR.resize(n); a.resize(n)
    phi.withPointer { P in
      if jacobian { jac.withPointer { signed.features.evaluate(cloud, features: P, jacobian: $0, parallel: parallel) } } else {
        signed.features.evaluate(cloud, features: P, jacobian: nil, parallel: parallel)
      }
    }
    if signed.loss.isSquare { return try solveSquare(m: m, n: n, parallel: parallel) }
    return try solveNewton(m: m, n: n, parallel: parallel)
  }

  private func solveSquare(m: Int, n: Int, parallel: Parallel) throws -> Double {
    let lambda = signed.lambda, nl = Double(n) * lambda
    let useKernel = solver == .kernel || (solver == .auto && n <= m)
    try signed.labels.withUnsafeBufferPointer { yb in
      let y = yb.baseAddress!
      try phi.withPointer { F in
        try a.withPointer { ap in
          if useKernel {
            // (K + nλI) a = y,  K = (1/m) Fᵀ F  (n × n).
            system.resize(n * n)
            try system.withPointer { S in
              Dense.gramOfColumns(F, into: S, m: m, n: n, alpha: 1 / Double(m), parallel: parallel)
              for k in 0..<n { S[k * n + k] += nl }
              guard Dense.choleskyFactor(S, n: n, parallel: parallel) else { throw notPositive(n) }
              ap.update(from: y, count: n)
              Dense.choleskySolve(S, n: n, ap)
            }
          } else {
            // Woodbury: c = (mnλ I + F Fᵀ)⁻¹ F y (m × m), a = (y − Fᵀ c)/(nλ).
            system.resize(m * m); work.resize(m)
            try system.withPointer { S in
              try work.withPointer { c in
                Dense.multiplyTransposed(F, F, into: S, m: m, n: m, k: n, parallel: parallel)
                for i in 0..<m { S[i * m + i] += Double(m) * nl }
                guard Dense.choleskyFactor(S, n: m, parallel: parallel) else { throw notPositive(m) }
                Dense.multiply(F, vector: y, into: c, m: m, n: n, parallel: parallel)
                Dense.choleskySolve(S, n: m, c)
                Dense.multiplyTransposed(F, vector: c, into: ap, m: m, n: n, parallel: parallel)
                for k in 0..<n { ap[k] = (y[k] - ap[k]) / nl }
              }
            }
          }
          // r = F a, f = (1/m) Fᵀ r = K a, ∇R(f) = −λ a.
          r.withPointer { rp in
            Dense.multiply(F, vector: ap, into: rp, m: m, n: n, parallel: parallel)
            f.withPointer { fp in Dense.multiplyTransposed(F, vector: rp, into: fp, m: m, n: n, alpha: 1 / Double(m), parallel: parallel) }
          }
          dR.withPointer { d in for k in 0..<n { d[k] = -lambda * ap[k] } }
          // Residual of the linear system: ‖f + nλ a − y‖ / ‖y‖.
          var num = 0.0, den = 0.0
          f.withPointer { fp in for k in 0..<n { let e = fp[k] + nl * ap[k] - y[k]; num += e * e; den += y[k] * y[k] } }
          lastResidual = (num / max(den, 1e-300)).squareRoot()
          lastIterations = 0
        }
      }
    }
    var yTa = 0.0
    a.withPointer { ap in for k in 0..<n { yTa += signed.labels[k] * ap[k] } }
    return 0.5 * lambda * yTa
  }

  private func notPositive(_ size: Int) -> RunError {
    RunError(.numerical, "the bilevel inner system (\(size) × \(size)) is not positive definite; features are not finite or λ is too small")
  }

  /// Newton on φ(r) = R((1/m)Fᵀr) + (λ/2m)|r|², scaled by m: gradient F∇R(f) + λr, Hessian (1/m) F H Fᵀ + λI.
  private func solveNewton(m: Int, n: Int, parallel: Parallel) throws -> Double {
    let lambda = signed.lambda, loss = signed.loss
    if warmStart.count != m { warmStart = [Double](repeating: 0, count: m) }
    system.resize(m * m); work.resize(m); work2.resize(m * n)
    let labels = signed.labels
    func predictions(_ rp: UnsafePointer<Double>, _ F: UnsafePointer<Double>) {
      f.withPointer { Dense.multiplyTransposed(F, vector: rp, into: $0, m: m, n: n, alpha: 1 / Double(m), parallel: parallel) }
    }
    func scaledObjective(_ rp: UnsafePointer<Double>) -> Double {
      var s = 0.0
      for i in 0..<m { s += rp[i] * rp[i] }
      return f.withPointer { fp in labels.withUnsafeBufferPointer { loss.risk(fp, $0.baseAddress!, count: n) } } * Double(m) + 0.5 * lambda * s
    }
    var iterations = 0, residual = Double.infinity
    try phi.withPointer { F in
      try r.withPointer { rp in
        rp.update(from: warmStart, count: m)
        predictions(rp, F)
        var value = scaledObjective(rp)
        while true {
          // ∇R(f), the gradient G = F∇R + λr, and the residual.
          labels.withUnsafeBufferPointer { y in f.withPointer { fp in dR.withPointer { loss.gradient(fp, y.baseAddress!, count: n, into: $0) } } }
          var gNorm = 0.0, rNorm = 0.0, pNorm = 0.0
          work.withPointer { G in
            dR.withPointer { Dense.multiply(F, vector: $0, into: G, m: m, n: n, parallel: parallel) }
            for i in 0..<m {
              pNorm += G[i] * G[i]
              rNorm += rp[i] * rp[i]
              G[i] += lambda * rp[i]
              gNorm += G[i] * G[i]
            }
          }
          residual = gNorm.squareRoot() / max(lambda * rNorm.squareRoot() + pNorm.squareRoot(), 1e-300)
          if residual <= 1e-12 || iterations >= 60 { break }
          iterations += 1
          // Hessian (1/m) F diag(h) Fᵀ + λI with h_k = ℓ''(f_k, y_k)/n, via F̃ = F diag(sqrt(h)).
          gradientCopy.resize(m)
          work.withPointer { G in gradientCopy.withPointer { $0.update(from: G, count: m) } }
          try system.withPointer { S in
            try work2.withPointer { Ft in
              f.withPointer { fp in
                for k in 0..<n {
                  let h = (loss.secondDerivative(fp[k], labels[k]) / Double(n)).squareRoot()
                  for i in 0..<m { Ft[i * n + k] = F[i * n + k] * h }
                }
              }
              Dense.multiplyTransposed(Ft, Ft, into: S, m: m, n: m, k: n, alpha: 1 / Double(m), parallel: parallel)
              for i in 0..<m { S[i * m + i] += lambda }
              guard Dense.choleskyFactor(S, n: m, parallel: parallel) else { throw notPositive(m) }
              work.withPointer { G in Dense.choleskySolve(S, n: m, G) }   // G ← H⁻¹g: the Newton step is −G
            }
          }
          // The Newton decrement gᵀH⁻¹g; Armijo backtracking, except at rounding level, where the full
          // step is taken (the line search can no longer see the decrease, the step is still right).
          var decrement = 0.0
          work.withPointer { step in gradientCopy.withPointer { g in for i in 0..<m { decrement += g[i] * step[i] } } }
          let old = Array(UnsafeBufferPointer(start: rp, count: m))
          let tiny = decrement <= 1e-12 * max(1, abs(value))
          var t = 1.0
          while true {
            work.withPointer { step in for i in 0..<m { rp[i] = old[i] - t * step[i] } }
            predictions(rp, F)
            let trial = scaledObjective(rp)
            if tiny || trial <= value - 1e-4 * t * decrement || t < 1e-8 { value = trial; break }
            t *= 0.5
          }
        }
        warmStart = Array(UnsafeBufferPointer(start: rp, count: m))
      }
    }
    guard residual <= 1e-10 else {
      throw RunError(.numerical, "the bilevel inner Newton solve stopped at residual \(residual) after \(iterations) iterations; try a larger λ (objective.lambda)")
    }
    lastResidual = residual
    lastIterations = iterations
    // J = R(f) + (λ/2m)|r|².
    var s = 0.0
    r.withPointer { rp in for i in 0..<m { s += rp[i] * rp[i] } }
    let risk = f.withPointer { fp in labels.withUnsafeBufferPointer { loss.risk(fp, $0.baseAddress!, count: n) } }
    return risk + 0.5 * lambda * s / Double(m)
  }

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double {
    let value = try solve(cloud, jacobian: gradient != nil, parallel: parallel)
    if let gradient {
      r.withPointer { c in
        jac.withPointer { J in dR.withPointer { u in signed.features.pullback(cloud, jacobian: J, weights: u, scales: c, into: gradient.baseAddress!, parallel: parallel) } }
      }
    }
    return value
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    _ = try solve(cloud, jacobian: false, parallel: parallel)
    let q = points.count, n = signed.features.sampleCount, lambda = signed.lambda
    var P = [Double](repeating: 0, count: q * n), J = [Double](repeating: 0, count: q * n * signed.features.jacobianWidth)
    var rq = [Double](repeating: 0, count: q)
    P.withUnsafeMutableBufferPointer { pp in
      J.withUnsafeMutableBufferPointer { jp in
        signed.features.evaluate(points, features: pp.baseAddress!, jacobian: jp.baseAddress!, parallel: parallel)
        dR.withPointer { u in
          // r_μ(y) = −(1/λ)⟨∇R, Φ(y)⟩.
          rq.withUnsafeMutableBufferPointer { Dense.multiply(pp.baseAddress!, vector: u, into: $0.baseAddress!, m: q, n: n, alpha: -1 / lambda, parallel: parallel) }
          if let gradients {
            rq.withUnsafeBufferPointer { c in
              signed.features.pullback(points, jacobian: jp.baseAddress!, weights: u, scales: c.baseAddress!, into: gradients.baseAddress!, parallel: parallel)
            }
          }
        }
      }
    }
    for p in 0..<q { values[p] = -0.5 * lambda * rq[p] * rq[p] }
  }

  public func signedMeasure(of cloud: ParticleCloud, parallel: Parallel) throws -> (weights: [Double], positions: ParticleCloud) {
    _ = try solve(cloud, jacobian: false, parallel: parallel)
    return (r.storage, cloud)
  }

  public var sampleCount: Int { full.features.sampleCount }

  public func setBatch(_ batch: [Int]?) {
    signed = batch.map { RestrictedSignedObjective(base: full, samples: $0) } ?? full
  }

  public var observableNames: [String] { SignedReport.names(full) + ["inner_residual"] }

  public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    let (weights, positions) = try signedMeasure(of: cloud, parallel: parallel)
    return try SignedReport.values(full, weights: weights, positions: positions, parallel: parallel) + [lastResidual]
  }
}

/// Reduction B as a `Reduction`.
public final class BilevelReduction: Reduction {
  public let solver: BilevelObjective.InnerSolver
  public init(solver: BilevelObjective.InnerSolver) { self.solver = solver }
  public func particleDomain(for objective: any SignedObjective) -> any Geometry { objective.domain }
  public func reduce(_ objective: any SignedObjective, reference: ReferenceMeasure) throws -> Problem {
    Problem(objective: BilevelObjective(objective, solver: solver), metric: makeWassersteinMetric(geometry: objective.domain, reference: reference))
  }
  public func initialParticles(positions: ParticleCloud, random: RandomStream) -> ParticleCloud { positions }
}
