import LinearAlgebra
import SolverAPI

/// The square-loss inner problem of the bilevel reduction (docs/math.md §2). With F the m × n feature matrix
/// (row i = Φ(w_i), the Pᵀ of docs/math.md), K = (1/m) FᵀF and A = K + nλI, it solves
///     A a = y
/// to a relative residual ‖y − A a‖ / ‖y‖ ≤ `tolerance`, and fills r = F a and f = (1/m) Fᵀ r = K a.
/// Solves with A go through one of two systems, with the Cholesky factor LLᵀ of its matrix:
///     kernel    (n × n):  (1/m) FᵀF + nλI                      A δ = ρ directly
///     Woodbury  (m × m):  FFᵀ + mnλI,   (FFᵀ + mnλI) c = F ρ,   δ = (ρ − Fᵀc)/(nλ)
///
/// `cholesky` factors afresh at every solve and solves directly. `pcg` starts from the previous step's
/// a and corrects it, a ← a + δ with A δ = ρ = y − A a, solving for the correction by conjugate
/// gradients preconditioned by the factor of an *earlier* step's system (the particles move little
/// per step): each iteration is two products with F — v ↦ (1/m)Fᵀ(F v) + nλv, or v ↦ F(Fᵀv) + mnλv —
/// and two triangular solves with L; the Gram matrix is never formed. Correcting a rather than
/// recomputing it keeps Woodbury's rounding (amplified by 1/(nλ)) relative to the small δ, so both
/// systems reach residuals near machine precision; a direct solve is corrected the same way when
/// rounding leaves it above the tolerance. `pcg` refactors, at the current cloud, and solves directly
///   - when there is no factor of this system: the first solve, a new minibatch (`signed` is another
///     object, compared by identity while the factor keeps it alive), other sizes;
///   - when the iterations PCG has paid, since the factor was made, beyond what the first solve with it
///     took have added up to the cost of a factorization (`refactorCost`, in iterations): the
///     rent-or-buy rule, never more than twice the cheapest schedule in hindsight;
///   - when PCG misses the tolerance within `iterationCap` iterations (so the tolerance always holds),
///     and then for a run of solves that doubles with each consecutive miss (`skip`, `backoff`).
/// Every decision depends on the solve history only; that history is the checkpointed state (the
/// warm start, the refactor flag, and the factor by the positions it was computed at), so runs do not
/// depend on the thread count, and a resumed run continues bit for bit.
final class SquareLossInnerSolve {
  let solver: BilevelObjective.InnerSolver
  let method: BilevelObjective.InnerMethod
  let tolerance: Double
  /// The objective on all its data: the only system whose factor a checkpoint carries.
  let full: any SignedObjective

  /// A factorization's cost in PCG iterations: its flops, m n² + n³/3 (kernel) or n m² + m³/3
  /// (Woodbury, symmetric products count half), over an iteration's 4mn + 2N², divided by 4 because
  /// the blocked product runs about four times as many flops per second as the memory-bound
  /// matrix–vector products. Measured on the benchmark networks (relu teacher, λ = 1e-3, tolerance
  /// 1e-12), a one-step-old factor needs 4–9 iterations and the count creeps up as the particles
  /// drift — at (n, m, d) = (1000, 1000, 20), η = 0.1, from 4 to 9 over 200 steps (cost ≈ 55: refactor
  /// every ~50 steps); at (500, 200, 10) from 7 to 15 over ~80 steps (cost ≈ 12: every ~11 steps).
  fileprivate static func refactorCost(_ s: System) -> Int {
    let m = Double(s.m), n = Double(s.n), N = Double(s.size)
    let factor = (s.kernel ? m * n * n : n * m * m) + N * N * N / 3 + 4 * N * N * N / 3  // Gram, L, then (LLᵀ)⁻¹
    return max(1, Int(factor / (4 * m * n + 2 * N * N) / 4))
  }
  /// PCG gives up after this many iterations in one solve and falls back to a fresh factorization.
  static let iterationCap = 50

  /// Cholesky factorizations so far (a diagnostic: the cost that PCG saves).
  private(set) var factorizations = 0

  // The state that decides future iterates (checkpointed).
  private let factor = Workspace(), factorPositions = Workspace(), start = Workspace()
  /// `pcg`: (LLᵀ)⁻¹ itself, made the first time a stale factor preconditions CG, so that each
  /// iteration applies it as one matrix–vector product split over threads rather than two sequential
  /// triangular solves. Solves at the cloud of the factor (and minibatch systems, which never go
  /// stale) use L, exactly as `cholesky` does. `inverseWork` holds L⁻¹ while it is made.
  private let inverse = Workspace(), inverseWork = Workspace()
  private var inverseReady = false
  private var factorOwner: (any SignedObjective)?
  private var factorKernel = true
  private var refactorNext = false
  /// Iterations of the first PCG solve with the current factor (−1 before it), and the iterations
  /// paid beyond that count since.
  private var baseline = -1, excess = 0
  /// Back-off after a PCG solve that missed the tolerance: the next `skip` solves go straight to a
  /// fresh factor; the run doubles with each consecutive failure (up to 64) and resets when PCG
  /// succeeds. Where a stale factor preconditions badly (low-rank features: band-limited
  /// deconvolution) a step then costs about what `cholesky` costs, not a failed PCG on top.
  private var skip = 0, backoff = 0
  /// Woodbury's ‖Fᵀρ_s‖/(mnλ) over ‖ρ_s‖ at the last convergence check (0 before one): where the
  /// cheap test of the next solve aims (`conjugateGradients`).
  private var checkRatio = 0.0
  /// Positions of `full`'s factor from a checkpoint, rebuilt at the next solve.
  private var pendingPositions: [Double]?

  // Per-solve scratch.
  private let labels = Workspace(), rho = Workspace(), b = Workspace(), x = Workspace()
  private let residual = Workspace(), z = Workspace(), p = Workspace(), q = Workspace(), t = Workspace()

  init(full: any SignedObjective, solver: BilevelObjective.InnerSolver, method: BilevelObjective.InnerMethod, tolerance: Double) {
    self.full = full
    self.solver = solver
    self.method = method
    self.tolerance = tolerance
  }

  /// Solves at the cloud whose features F (m × n, m = cloud.count) are given, for `signed`'s labels
  /// and λ; fills a (n), r (m) and f (n). Returns the relative residual and the CG iterations taken
  /// (0 for a direct solve that needed no correction).
  func solve(_ signed: any SignedObjective, at cloud: ParticleCloud, features F: UnsafePointer<Double>,
             a: UnsafeMutablePointer<Double>, r: UnsafeMutablePointer<Double>, f: UnsafeMutablePointer<Double>,
             parallel: Parallel) throws -> (residual: Double, iterations: Int) {
    let m = cloud.count, n = signed.features.sampleCount
    let y = labels.resize(n)
    signed.labels.withUnsafeBufferPointer { y.update(from: $0.baseAddress!, count: n) }
    let s = System(F: F, y: y, m: m, n: n, nl: Double(n) * signed.lambda, kernel: usesKernel(n: n, m: m), parallel: parallel)
    if pendingPositions != nil { rebuildFactor(m: m, dimension: cloud.dimension, parallel: parallel) }
    let N = s.size
    var iterations = 0
    var attempt = false
    if method == .pcg, !refactorNext, let owner = factorOwner, owner === signed, factorKernel == s.kernel,
       factor.count == N * N, start.count == n {
      attempt = skip == 0
      if skip > 0 { skip -= 1 }
    }
    if attempt {
      if !inverseReady {
        Dense.choleskyInverse(factor.pointer, n: N, work: inverseWork.resize(N * N), into: inverse.resize(N * N), parallel: s.parallel)
        inverseReady = true
      }
      a.update(from: start.pointer, count: n)
      let (res, k) = correct(s, a: a, r: r, f: f)
      iterations = k
      if res <= tolerance {
        if baseline < 0 { baseline = k }
        excess += max(0, k - baseline)
        refactorNext = excess >= Self.refactorCost(s)
        backoff = 0
        start.pointer.update(from: a, count: n)
        return (res, iterations)
      }
      backoff = min(64, max(1, 2 * backoff))
      skip = backoff
    }
    // A fresh factor at this cloud and a direct solve, corrected (now with the exact preconditioner)
    // where rounding leaves the residual above the tolerance.
    try refactor(s, signed: signed, positions: cloud.coordinates)
    let x = self.x.resize(N)
    s.rightHandSide(y, into: x)
    Dense.choleskySolve(factor.pointer, n: N, x)
    s.recover(a, from: x, rightHandSide: y)
    let (res, k) = correct(s, a: a, r: r, f: f)
    iterations += k
    guard res <= tolerance else {
      throw RunError(.numerical, "the bilevel inner solve stopped at relative residual \(res), above reduction.tolerance = \(tolerance); "
                       + "try a larger tolerance (at most 1e-10) or a larger λ (objective.lambda)")
    }
    refactorNext = false
    baseline = -1
    excess = 0
    start.resize(n).update(from: a, count: n)
    return (res, iterations)
  }

  /// The kernel system when asked, or for `auto` when it is the smaller one.
  func usesKernel(n: Int, m: Int) -> Bool { solver == .kernel || (solver == .auto && n <= m) }

  /// The warm start, the refactor flag and, when the factor is `full`'s, the positions it was computed at.
  func checkpointState() -> [String: [Double]] {
    guard method == .pcg else { return [:] }
    let owned = factorOwner.map { $0 === full } ?? false
    return ["pcg_start": start.values,
            "pcg_refactor": [refactorNext ? 1 : 0, Double(baseline), Double(excess), Double(skip), Double(backoff), checkRatio],
            "pcg_factor_positions": pendingPositions ?? (owned ? factorPositions.values : [])]
  }

  func restoreCheckpoint(_ state: [String: [Double]]) throws {
    let saved = state["pcg_start"] ?? []
    let flags = state["pcg_refactor"] ?? []
    // Untrusted input: counters are whole numbers of a sane size (a step count at most).
    func counter(_ k: Int, _ fallback: Int) throws -> Int {
      guard k < flags.count else { return fallback }
      guard let v = Int(exactly: flags[k]), (-1...1 << 40).contains(v) else {
        throw ConfigError(path: "state.objective.pcg_refactor[\(k)]", "\(flags[k]) is not a counter this solver writes",
                          fix: "the checkpoint is damaged; start the run again without resuming")
      }
      return v
    }
    let (b, e, s, o) = (try counter(1, -1), try counter(2, 0), try counter(3, 0), try counter(4, 0))
    guard flags.count < 6 || (flags[5].isFinite && flags[5] >= 0) else {
      throw ConfigError(path: "state.objective.pcg_refactor[5]", "\(flags[5]) is not a ratio", fix: "the checkpoint is damaged; start the run again without resuming")
    }
    start.resize(saved.count).update(from: saved, count: saved.count)
    refactorNext = flags.first == 1
    baseline = flags.count >= 3 ? b : -1
    excess = flags.count >= 3 ? e : 0
    skip = flags.count >= 5 ? s : 0
    backoff = flags.count >= 5 ? o : 0
    checkRatio = flags.count >= 6 ? flags[5] : 0
    factorOwner = nil
    pendingPositions = state["pcg_factor_positions"].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Recomputes `full`'s factor at the checkpointed positions: features, system, Cholesky — the same
  /// deterministic kernels as when it was first computed, so the same bits.
  private func rebuildFactor(m: Int, dimension: Int, parallel: Parallel) {
    guard let saved = pendingPositions else { return }
    pendingPositions = nil
    guard saved.count == m * dimension else { return }
    let n = full.features.sampleCount
    let cloud = ParticleCloud(count: m, dimension: dimension, coordinates: saved)
    var F = [Double](repeating: 0, count: m * n)  // once per resume
    F.withUnsafeMutableBufferPointer { fp in
      full.features.evaluate(cloud, features: fp.baseAddress!, jacobian: nil, parallel: parallel)
      // (`factor` does not read the labels.)
      let s = System(F: fp.baseAddress!, y: fp.baseAddress!, m: m, n: n, nl: Double(n) * full.lambda,
                     kernel: usesKernel(n: n, m: m), parallel: parallel)
      try? refactor(s, signed: full, positions: saved)
    }
  }

  private func refactor(_ s: System, signed: any SignedObjective, positions: [Double]) throws {
    factorOwner = nil
    let S = factor.resize(s.size * s.size)
    guard s.factor(into: S) else {
      throw RunError(.numerical, "the bilevel inner system (\(s.size) × \(s.size)) is not positive definite; features are not finite or λ is too small")
    }
    inverseReady = false
    factorizations += 1
    factorOwner = signed
    factorKernel = s.kernel
    factorPositions.resize(positions.count).update(from: positions, count: positions.count)
  }

  /// Defect correction from a: while ‖ρ‖ = ‖y − A a‖ > tolerance ‖y‖, a ← a + δ with A δ ≈ ρ by PCG,
  /// each correction aiming at the tolerance itself (the recursive residual it stops on drifts from
  /// the true one by rounding only), up to `iterationCap` iterations in all. Leaves r and f for the
  /// final a; returns its relative residual and the iterations taken.
  private func correct(_ s: System, a: UnsafeMutablePointer<Double>, r: UnsafeMutablePointer<Double>,
                       f: UnsafeMutablePointer<Double>) -> (residual: Double, iterations: Int) {
    let n = s.n, rho = self.rho.resize(n), bound = tolerance * dot(s.y, s.y, n).squareRoot()
    var res = s.outputs(a, r: r, f: f, residual: rho), spent = 0
    for _ in 0..<4 {
      guard res > tolerance, res.isFinite, spent < Self.iterationCap else { break }
      let delta = x.resize(n)
      spent += conjugateGradients(s, rho, into: delta, bound: bound, budget: Self.iterationCap - spent)
      for k in 0..<n { a[k] += delta[k] }
      res = s.outputs(a, r: r, f: f, residual: rho)
    }
    return (res, spent)
  }

  /// z = (LLᵀ)⁻¹ v: one product with the inverse once it is made, else two triangular solves with L.
  private func precondition(_ v: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>, _ N: Int, _ parallel: Parallel) {
    if inverseReady {
      Dense.multiply(inverse.pointer, vector: v, into: z, m: N, n: N, parallel: parallel)
    } else {
      z.update(from: v, count: N)
      Dense.choleskySolve(factor.pointer, n: N, z)
    }
  }

  /// δ ≈ A⁻¹ρ (n values) by conjugate gradients from 0 on the system in use — A δ = ρ, or
  /// (FFᵀ + mnλI) c = F ρ and δ = (ρ − Fᵀc)/(nλ) — preconditioned by (LLᵀ)⁻¹ with L = `factor`, until
  /// the residual it leaves on A δ = ρ is at most `bound`, or `budget` iterations; returns the
  /// iterations taken. That residual is the recursive one, ρ_s, on the kernel system; on Woodbury's
  /// it is Fᵀρ_s/(mnλ), whose norm costs a product with F: it is checked only once a cheap test on
  /// ‖ρ_s‖ passes: ‖ρ_s‖ ≤ 0.9 bound / `checkRatio`, the ratio the last check found (the first solve
  /// scales the bound by ‖F ρ‖/‖ρ‖ instead), tightened by what each check finds. The check computes the
  /// Fᵀx that recovering δ needs in the same pass over F, so the check that passes costs nothing.
  /// (Aiming at the first solve's ratio, two checks in three failed and cost a pass over F each; at
  /// the last check's, 54 in 2000 at (500, 200, 10), for 0.013 more iterations per solve.)
  private func conjugateGradients(_ s: System, _ rhoA: UnsafePointer<Double>, into delta: UnsafeMutablePointer<Double>,
                                  bound: Double, budget: Int) -> Int {
    let N = s.size
    let x = s.kernel ? delta : self.b.resize(N), res = residual.resize(N)
    let z = self.z.resize(N), p = self.p.resize(N), q = self.q.resize(N), t = self.t.resize(s.kernel ? s.m : s.n)
    s.rightHandSide(rhoA, into: res)
    x.update(repeating: 0, count: N)
    let aim = checkRatio > 0 && checkRatio.isFinite ? 0.9 * bound / checkRatio : 0
    var cheapBound = s.kernel ? bound * bound : aim > 0 ? aim * aim : bound * bound * dot(res, res, N) / max(dot(rhoA, rhoA, s.n), 1e-300)
    var transformed = false   // delta holds Fᵀx for the final x (Woodbury)
    func converged() -> Bool {
      let rr = dot(res, res, N)
      guard rr <= cheapBound else { return false }
      if s.kernel { return true }
      Dense.multiplyTransposed(s.F, vectors: res, x, into: t, delta, m: s.m, n: s.n, parallel: s.parallel)
      let e = dot(t, t, s.n).squareRoot() / s.shift
      checkRatio = e / max(rr.squareRoot(), .leastNormalMagnitude)
      if e <= bound { transformed = true; return true }
      cheapBound = rr * (0.5 * bound / e) * (0.5 * bound / e)
      return false
    }
    // At least one iteration: a correction is asked for only when ρ is above the bound.
    precondition(res, into: z, N, s.parallel)
    p.update(from: z, count: N)
    var rz = dot(res, z, N), k = 0
    while k < budget {
      s.apply(p, into: q, through: t)
      k += 1
      let pq = dot(p, q, N)
      guard pq > 0, pq.isFinite else { break }
      let alpha = rz / pq
      for i in 0..<N {
        x[i] += alpha * p[i]
        res[i] -= alpha * q[i]
      }
      if converged() { break }
      precondition(res, into: z, N, s.parallel)
      let next = dot(res, z, N), beta = next / rz
      rz = next
      for i in 0..<N { p[i] = z[i] + beta * p[i] }
    }
    if transformed {
      s.recover(transformed: delta, rightHandSide: rhoA)
    } else if !s.kernel {
      s.recover(delta, from: x, rightHandSide: rhoA)
    }
    return k
  }
}

/// One square-loss system at one cloud (see `SquareLossInnerSolve`).
private struct System {
  let F: UnsafePointer<Double>, y: UnsafePointer<Double>
  let m: Int, n: Int, nl: Double, kernel: Bool, parallel: Parallel

  var size: Int { kernel ? n : m }
  /// The diagonal shift: nλ, or mnλ for Woodbury.
  var shift: Double { kernel ? nl : Double(m) * nl }

  /// q = A v, with t (m doubles for the kernel system, n for Woodbury) for the product in between
  /// (one pass over F for the kernel system; Woodbury's needs all of Fᵀv before F(Fᵀv)).
  func apply(_ v: UnsafePointer<Double>, into q: UnsafeMutablePointer<Double>, through t: UnsafeMutablePointer<Double>) {
    if kernel {
      Dense.multiplyByGramOfColumns(F, vector: v, intermediate: t, into: q, m: m, n: n, alpha: 1 / Double(m), parallel: parallel)
    } else {
      Dense.multiplyTransposed(F, vector: v, into: t, m: m, n: n, parallel: parallel)
      Dense.multiply(F, vector: t, into: q, m: m, n: n, parallel: parallel)
    }
    let c = shift
    for i in 0..<size { q[i] += c * v[i] }
  }

  /// The system's right-hand side for A δ = v: v itself, or F v (Woodbury).
  func rightHandSide(_ v: UnsafePointer<Double>, into b: UnsafeMutablePointer<Double>) {
    if kernel { b.update(from: v, count: n) } else { Dense.multiply(F, vector: v, into: b, m: m, n: n, parallel: parallel) }
  }

  /// δ from the system's solution x for the right-hand side v: x itself, or (v − Fᵀx)/(nλ) (Woodbury).
  func recover(_ delta: UnsafeMutablePointer<Double>, from x: UnsafePointer<Double>, rightHandSide v: UnsafePointer<Double>) {
    if kernel { delta.update(from: x, count: n); return }
    Dense.multiplyTransposed(F, vector: x, into: delta, m: m, n: n, parallel: parallel)
    recover(transformed: delta, rightHandSide: v)
  }

  /// Woodbury's δ = (v − Fᵀx)/(nλ), in place over the n values of Fᵀx.
  func recover(transformed delta: UnsafeMutablePointer<Double>, rightHandSide v: UnsafePointer<Double>) {
    for k in 0..<n { delta[k] = (v[k] - delta[k]) / nl }
  }

  /// S = A, factored in place (S = LLᵀ); false when A is not positive definite.
  func factor(into S: UnsafeMutablePointer<Double>) -> Bool {
    if kernel {
      Dense.gramOfColumns(F, into: S, m: m, n: n, alpha: 1 / Double(m), parallel: parallel)
    } else {
      Dense.multiplyTransposed(F, F, into: S, m: m, n: m, k: n, parallel: parallel)
    }
    let c = shift, N = size
    for i in 0..<N { S[i * N + i] += c }
    return Dense.choleskyFactor(S, n: N, parallel: parallel)
  }

  /// r = F a, f = (1/m) Fᵀ r = K a (one pass over F) and the residual ρ = y − f − nλa; returns ‖ρ‖ / ‖y‖.
  func outputs(_ a: UnsafePointer<Double>, r: UnsafeMutablePointer<Double>, f: UnsafeMutablePointer<Double>,
               residual rho: UnsafeMutablePointer<Double>) -> Double {
    Dense.multiplyByGramOfColumns(F, vector: a, intermediate: r, into: f, m: m, n: n, alpha: 1 / Double(m), parallel: parallel)
    var num = 0.0, den = 0.0
    for k in 0..<n {
      let e = f[k] + nl * a[k] - y[k]
      rho[k] = -e
      num += e * e
      den += y[k] * y[k]
    }
    return (num / max(den, 1e-300)).squareRoot()
  }
}

/// xᵀy on the calling thread (the systems are at most a few thousand long).
private func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ count: Int) -> Double {
  Dense.dot(x, y, count: count)
}

/// A growable buffer of doubles at a stable address, reused across steps (no allocation once warm).
final class Workspace {
  private(set) var count = 0
  private var capacity = 0
  private(set) var pointer = UnsafeMutablePointer<Double>.allocate(capacity: 0)

  /// Makes room for `count` doubles (contents unspecified after growing) and returns the address.
  @discardableResult
  func resize(_ count: Int) -> UnsafeMutablePointer<Double> {
    if count > capacity {
      pointer.deallocate()
      pointer = .allocate(capacity: count)
      pointer.initialize(repeating: 0, count: count)
      capacity = count
    }
    self.count = count
    return pointer
  }

  /// The contents, copied (for checkpoints).
  var values: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  deinit { pointer.deallocate() }
}
