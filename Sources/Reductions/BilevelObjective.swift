import Foundation
import LinearAlgebra
import SolverAPI

/// Reduction B, bilevel (docs/math.md §2; Wang, Mousavi-Hosseini, Chizat 2024): particles w ∈ W only; the
/// outer weights are solved exactly at every step,
///     J_λ(μ) = min_r R((1/m) P r) + (λ/2m)|r|²,   P_ki = Φ(w_i)_k,
///     r_μ(w) = −(1/λ)⟨∇R(f_μ), Φ(w)⟩,   δJ_λ/δμ(w) = −(λ/2) r_μ(w)²,
///     ∇_w δJ_λ/δμ(w) = r_μ(w) Σ_k ∇R(f_μ)_k ∇_w Φ(w)_k    (envelope theorem).
///
/// Square loss, closed form with K = (1/m) P Pᵀ:
///     a = (K + nλI)⁻¹ y,   r = Pᵀa,   f = K a,   ∇R(f) = −λ a,   J_λ = (λ/2) yᵀa,
/// through the n × n system or, when m < n, Woodbury's m × m one:
///     (K + nλI)⁻¹ y = (y − P (mnλ I + PᵀP)⁻¹ Pᵀ y) / (nλ),
/// to a relative residual ‖(K + nλI) a − y‖ / ‖y‖ ≤ `tolerance` at every step (`SquareLossInnerSolve`):
/// by a fresh Cholesky factorization (`cholesky`), or from the previous step's a, corrected by
/// conjugate gradients preconditioned by an earlier step's Cholesky factor (`pcg`, refactoring only
/// when that factor has gone stale). The solution never goes through an explicit inverse (only the
/// preconditioner does). Other losses: Newton on r,
/// warm-started from the previous step, to a relative optimality residual
/// ‖λr + Pᵀ∇R(f)‖ / (λ‖r‖ + ‖Pᵀ∇R(f)‖) ≤ 1e-12.
///
/// The last solve is kept with the exact cloud (bitwise) and system it was for: the run loop observes a
/// cloud and then steps from it, and solving twice there would advance the warm starts twice — a
/// recorded step would then leave another state than an unrecorded one.
public final class BilevelObjective: MinibatchObjective, SignedMeasureView, Checkpointable {
  /// Which square-loss system: n × n (kernel), m × m (Woodbury), or the smaller (auto).
  public enum InnerSolver: String, Sendable { case auto, kernel, woodbury }
  /// How the square-loss system is solved: warm-started PCG on a stale factor, or a fresh Cholesky.
  public enum InnerMethod: String, Sendable { case pcg, cholesky }

  /// The signed objective on all its data.
  public let full: any SignedObjective
  /// The signed objective in force: `full`, or its restriction to the current minibatch.
  public private(set) var signed: any SignedObjective
  public let solver: InnerSolver
  public let method: InnerMethod
  /// The square-loss solve's relative residual target, in (0, 1e-10].
  public let tolerance: Double
  /// Relative residual of the last inner solve (recorded as `inner_residual`).
  public private(set) var lastResidual = 0.0
  /// Iterations of the last inner solve, recorded as `inner_iterations`: Newton steps (other losses)
  /// or conjugate-gradient steps (square loss; 0 for a direct solve that needed no correction).
  public private(set) var lastIterations = 0
  /// Cholesky factorizations of the square-loss system so far.
  public var factorizations: Int { square.factorizations }

  private var phi = Scratch(), jac = Scratch(), system = Scratch(), a = Scratch(), r = Scratch(), f = Scratch(), dR = Scratch()
  private var work = Scratch(), work2 = Scratch(), gradientCopy = Scratch()
  private var warmStart: [Double] = []
  private let square: SquareLossInnerSolve

  // The last solve: for which system, at which cloud, with or without the Jacobian data, and J_λ.
  private var solvedFor: (any SignedObjective)?
  private let solvedAt = Workspace()
  private var solvedCount = 0, solvedWithJacobian = false, solvedValue = 0.0

  public init(_ signed: any SignedObjective, solver: InnerSolver = .auto, method: InnerMethod = .pcg, tolerance: Double = 1e-12) {
    self.signed = signed
    self.full = signed
    self.solver = solver
    self.method = method
    self.tolerance = tolerance
    self.square = SquareLossInnerSolve(full: signed, solver: solver, method: method, tolerance: tolerance)
  }

  public var dimension: Int { signed.domain.dimension }

  /// What decides the next inner solves: the Newton warm start (other losses); the PCG warm start,
  /// refactor flag and factor positions (square loss). Taken between steps, as the run loop does.
  public func checkpointState() -> [String: [Double]] {
    square.checkpointState().merging(["warm_start": warmStart]) { $1 }
  }

  public func restoreCheckpoint(_ state: [String: [Double]]) throws {
    warmStart = state["warm_start"] ?? []
    try square.restoreCheckpoint(state)
    solvedFor = nil
  }

  /// Features of the cloud, then the inner solve: fills r, f, ∇R(f). Returns J_λ. Nothing is solved
  /// again for the cloud and system of the last solve; only Jacobian data it lacked is added.
  private func solve(_ cloud: ParticleCloud, jacobian: Bool, parallel: Parallel) throws -> Double {
    let m = cloud.count, n = signed.features.sampleCount, width = signed.features.jacobianWidth
    let jacobian = jacobian && width > 0  // a feature map of width 0 rebuilds gradients from the features
    if isLastSolve(cloud) {
      if jacobian && !solvedWithJacobian {
        // Feature values do not depend on whether Jacobians are asked for; the solution stands.
        jac.resize(m * n * width)
        phi.withPointer { P in jac.withPointer { signed.features.evaluate(cloud, features: P, jacobian: $0, parallel: parallel) } }
        solvedWithJacobian = true
      }
      return solvedValue
    }
    solvedFor = nil
    phi.resize(m * n); jac.resize(jacobian ? m * n * width : 0)
    r.resize(m); f.resize(n); dR.resize(n); a.resize(n)
    phi.withPointer { P in jac.withPointerIfAny { signed.features.evaluate(cloud, features: P, jacobian: $0, parallel: parallel) } }
    let value = signed.loss.isSquare ? try solveSquare(cloud, parallel: parallel) : try solveNewton(m: m, n: n, parallel: parallel)
    solvedFor = signed
    solvedCount = m
    solvedAt.resize(cloud.coordinates.count).update(from: cloud.coordinates, count: cloud.coordinates.count)
    solvedWithJacobian = jacobian
    solvedValue = value
    return value
  }

  /// Whether the last solve was for this system at exactly (bit for bit) this cloud.
  private func isLastSolve(_ cloud: ParticleCloud) -> Bool {
    guard let owner = solvedFor, owner === signed, solvedCount == cloud.count, solvedAt.count == cloud.coordinates.count else { return false }
    let saved = solvedAt.pointer
    return cloud.coordinates.withUnsafeBufferPointer { c in
      for k in 0..<c.count where c[k].bitPattern != saved[k].bitPattern { return false }
      return true
    }
  }

  /// a, r = F a, f = K a by `SquareLossInnerSolve`; ∇R(f) = −λ a and J_λ = (λ/2) yᵀa.
  private func solveSquare(_ cloud: ParticleCloud, parallel: Parallel) throws -> Double {
    let lambda = signed.lambda, labels = signed.labels, n = labels.count
    try phi.withPointer { F in
      try a.withPointer { ap in
        try r.withPointer { rp in
          try f.withPointer { fp in
            (lastResidual, lastIterations) = try square.solve(signed, at: cloud, features: F, a: ap, r: rp, f: fp, parallel: parallel)
          }
        }
        dR.withPointer { d in for k in 0..<n { d[k] = -lambda * ap[k] } }
      }
    }
    var yTa = 0.0
    a.withPointer { ap in for k in 0..<n { yTa += labels[k] * ap[k] } }
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

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    let value = try solve(cloud, jacobian: gradient != nil, parallel: parallel)
    // δJ_λ/δμ(w_i) = −(λ/2) r_μ(w_i)², with r_μ(w_i) the inner solve's weights (docs/math.md §2.4).
    if let values {
      let lambda = signed.lambda
      r.withPointer { ri in for i in 0..<cloud.count { values[i] = -0.5 * lambda * ri[i] * ri[i] } }
    }
    if let gradient {
      r.withPointer { c in
        phi.withPointer { P in
          jac.withPointerIfAny { J in
            dR.withPointer { u in
              signed.features.pullback(cloud, features: P, jacobian: J, weights: u, scales: c, into: gradient.baseAddress!, parallel: parallel)
            }
          }
        }
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
        let jacobian = signed.features.jacobianWidth == 0 ? nil : jp.baseAddress
        signed.features.evaluate(points, features: pp.baseAddress!, jacobian: jacobian, parallel: parallel)
        dR.withPointer { u in
          // r_μ(y) = −(1/λ)⟨∇R, Φ(y)⟩.
          rq.withUnsafeMutableBufferPointer { Dense.multiply(pp.baseAddress!, vector: u, into: $0.baseAddress!, m: q, n: n, alpha: -1 / lambda, parallel: parallel) }
          if let gradients {
            rq.withUnsafeBufferPointer { c in
              signed.features.pullback(points, features: pp.baseAddress!, jacobian: jacobian, weights: u, scales: c.baseAddress!,
                                       into: gradients.baseAddress!, parallel: parallel)
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

  public var observableNames: [String] { SignedReport.names(full) + ["inner_residual", "inner_iterations"] }

  public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    let (weights, positions) = try signedMeasure(of: cloud, parallel: parallel)
    return try SignedReport.values(full, weights: weights, positions: positions, parallel: parallel) + [lastResidual, Double(lastIterations)]
  }
}
