import Foundation
import LinearAlgebra
import SolverAPI

/// The Kozachenko–Leonenko k-nearest-neighbour estimator of entropies of a particle cloud (docs/math.md §4),
/// used to trace the free energy F_τ = F + τ H(μ | ρ).
///
/// ## Sign conventions
/// Two different quantities are called "entropy", with opposite signs:
/// - `entropy` is the *differential* entropy Ĥ(μ) = −∫ log p dμ, with p the density of μ with respect
///   to the volume measure of the domain: Lebesgue on ℝ^d, the Riemannian volume of the unit sphere
///   S^n (total mass vol(S^n) = 2π^{(n+1)/2}/Γ((n+1)/2)), Lebesgue on T^d = [0, 1)^d (total mass 1).
///   It is large for spread-out clouds: N(0, σ²I) on ℝ^d has (d/2) log(2πeσ²); the uniform law has
///   log vol(Ω) (0 on T^d, log 4π on S^2).
/// - `relativeEntropy` is H(μ | ρ) = ∫ log(dμ/dρ) dμ ≥ 0, the term of docs/math.md's F + τ H(μ | ρ). For
///   ρ = e^{−U}/Z it equals −Ĥ(μ) + ∫ U dμ + log Z; for a flat reference (U = 0, Z = vol(Ω)) it is
///   log vol(Ω) − Ĥ(μ): small for spread-out clouds, large for concentrated ones.
///
/// ## The estimator
///     Ĥ = ψ(m) − ψ(k) + (1/m) Σ_i log vol B(X_i, ε_i),
/// with ε_i the distance from X_i to its k-th nearest other particle and vol B(x, ε) the volume of the
/// ball of radius ε: V_n ε^n on ℝ^n and T^n (n the intrinsic dimension), so that this is the textbook
/// ψ(m) − ψ(k) + log V_n + (n/m) Σ_i log ε_i; on S^n the exact geodesic ball volume
/// vol(S^{n−1}) ∫_0^ε sin^{n−1}(t) dt. With exact ball volumes the estimator is *exactly unbiased* for
/// the uniform law: then vol B(X_i, ε_i)/vol(Ω) ~ Beta(k, m − k), whose log has mean ψ(k) − ψ(m).
///
/// Distances: Euclidean on ℝ^d, periodic on T^d, great-circle on S^n (points are expected on the unit
/// sphere, as `Sphere` keeps them). On T^d the ball formula V_n ε^n
/// is exact while ε ≤ ½ (the ball does not wrap around); larger radii only occur for clouds far too
/// sparse for the estimate to mean anything, and the volume is then capped at vol(T^d) = 1 (exact on
/// T^1). Any other `Geometry` is treated as flat: its `distance` and Euclidean ball volumes in
/// `dimension` dimensions.
///
/// ## Duplicates and non-finite points
/// Exact copies of X_i (other particles at distance exactly 0) are not counted as its neighbours: ε_i is
/// the k-th smallest *positive* distance from X_i (other neighbours count with multiplicity). So a cloud
/// containing a few copies of a point gets a finite estimate; with k = 1, a cloud in which every point
/// appears twice has exactly the estimate of the single cloud plus ψ(2m) − ψ(m). A particle with fewer
/// than k other particles at positive distance (e.g. a cloud that has collapsed to a point) has ε_i = 0,
/// and then `entropy` returns −∞ and `relativeEntropy` +∞ — the values for a measure with an atom.
/// A cloud with a non-finite coordinate (NaN or ±∞) gives NaN.
///
/// ## Cost and determinism
/// Exact neighbours, O(m² d) in the worst case; on ℝ^d, S^n and T^d the scan is pruned along the first
/// coordinate (see `logBallVolumes`), which makes it far cheaper in low dimension without changing a
/// bit of the result. Particles are split over threads with `Parallel.forEachChunk`; each particle's
/// neighbour search runs on one thread and writes its own slot, and the slots are summed in index
/// order, so the result has the same bits for every thread count. On T^d, coordinates are expected
/// in canonical form (as `Torus` keeps them); any real values are accepted.
///
public enum KozachenkoLeonenko {
  /// Euler–Mascheroni constant γ = −ψ(1).
  public static let eulerGamma = 0.5772156649015329

  /// Ĥ(μ) = −∫ log p dμ estimated from the cloud: ψ(m) − ψ(k) + log V_n + (n/m) Σ_i log ε_i (n the intrinsic
  /// dimension, ε_i the distance to the k-th nearest distinct other particle, V_n the volume of the unit n-ball); on
  /// the sphere the exact geodesic ball volume vol(S^{n−1}) ∫_0^ε sin^{n−1}(t) dt replaces V_n ε^n.
  /// "Distinct" means at positive distance: copies of X_i itself are skipped (see the type's notes).
  ///
  /// The density p is with respect to Lebesgue measure on ℝ^d and T^d and the Riemannian volume on S^n.
  /// Requires 1 ≤ k < m. Returns −∞ if some particle has fewer than k distinct other points (see the type's notes).
  public static func entropy(_ cloud: ParticleCloud, geometry: any Geometry, k: Int = 1, parallel: Parallel) -> Double {
    let m = cloud.count
    precondition(k >= 1, "the Kozachenko–Leonenko estimator needs k ≥ 1")
    precondition(m > k, "the Kozachenko–Leonenko estimator needs more than k = \(k) particles (got \(m))")
    precondition(cloud.dimension == geometry.dimension,
                 "cloud has \(cloud.dimension) coordinates per particle, \(geometry.name) needs \(geometry.dimension)")
    if cloud.firstNonFinite() != nil { return .nan }
    let logBall = logBallVolumes(cloud, geometry: geometry, k: k, parallel: parallel)
    var total = 0.0
    for v in logBall { total += v }
    return digamma(m) - digamma(k) + total / Double(m)
  }

  /// H(μ | ρ) = ∫ log(dμ/dρ) dμ for ρ = e^{−U}/Z (U = nil: flat, U = 0), estimated as −Ĥ(μ) + (1/m) Σ_i U(X_i) + log Z.
  ///
  /// `logNormalizer` is log Z = log ∫ e^{−U} over the domain (with respect to the same volume measure as `entropy`),
  /// supplied by the caller: for a uniform reference the log-volume, `logSphereVolume(n)` on S^n and 0 on T^d; for
  /// the standard Gaussian on ℝ^d, U = |x|²/2 and log Z = (d/2) log 2π. U is evaluated at the ambient coordinates and
  /// must take `geometry.dimension` inputs. Returns +∞ where `entropy` returns −∞.
  public static func relativeEntropy(_ cloud: ParticleCloud, geometry: any Geometry, potential: (any ScalarField)?,
                                     logNormalizer: Double, k: Int = 1, parallel: Parallel) -> Double {
    let h = entropy(cloud, geometry: geometry, k: k, parallel: parallel)
    var meanU = 0.0
    if let potential {
      precondition(potential.dimension == geometry.dimension,
                   "the potential takes \(potential.dimension) inputs, \(geometry.name) has \(geometry.dimension) coordinates")
      let m = cloud.count, d = cloud.dimension
      var values = [Double](repeating: 0, count: m)
      cloud.coordinates.withUnsafeBufferPointer { xs in
        values.withUnsafeMutableBufferPointer { out in
          let x = xs.baseAddress!, u = out.baseAddress!
          parallel.forEachChunk(m, grain: 256) { range in
            potential.evaluate(batch: x + range.lowerBound * d, count: range.count, values: u + range.lowerBound, gradients: nil)
          }
        }
      }
      var total = 0.0
      for v in values { total += v }
      meanU = total / Double(m)
    }
    return -h + meanU + logNormalizer
  }

  // MARK: - Special functions

  /// The digamma function at a positive integer: ψ(m) = −γ + Σ_{j=1}^{m−1} 1/j (ψ(1) = −γ, ψ(2) = 1 − γ).
  public static func digamma(_ m: Int) -> Double {
    precondition(m >= 1, "digamma is only provided at positive integers")
    var harmonic = 0.0
    var j = m - 1
    while j >= 1 { harmonic += 1 / Double(j); j -= 1 }  // smallest terms first
    return harmonic - eulerGamma
  }

  /// log V_n, the log-volume of the unit ball in ℝ^n: V_n = π^{n/2} / Γ(n/2 + 1) (V_1 = 2, V_2 = π, V_3 = 4π/3).
  public static func logUnitBallVolume(_ n: Int) -> Double {
    precondition(n >= 0, "dimension must be non-negative")
    return Double(n) / 2 * log(Double.pi) - lgamma(Double(n) / 2 + 1)
  }

  /// log vol(S^n), the log-volume of the unit sphere S^n ⊂ ℝ^{n+1}: vol(S^n) = 2π^{(n+1)/2} / Γ((n+1)/2)
  /// (vol S^0 = 2, vol S^1 = 2π, vol S^2 = 4π, vol S^3 = 2π²).
  public static func logSphereVolume(_ n: Int) -> Double {
    precondition(n >= 0, "dimension must be non-negative")
    return Sphere.logVolume(n)
  }

  /// log of the Riemannian volume of a geodesic ball of radius ε ∈ [0, π] on the unit sphere S^n (n ≥ 1):
  /// vol(S^{n−1}) ∫_0^ε sin^{n−1}(t) dt — 2ε on S^1, 2π(1 − cos ε) on S^2, vol(S^n) at ε = π; −∞ at ε = 0.
  ///
  /// Computed to near machine precision in relative terms for every ε (no cancellation at small radii):
  /// ∫_0^ε sin^{n−1} t dt = ε^n ∫_0^1 (sin(εu)/ε)^{n−1} du by composite Gauss–Legendre quadrature, summed in log space.
  public static func logGeodesicBallVolume(radius epsilon: Double, sphereDimension n: Int) -> Double {
    precondition(n >= 1, "the sphere S^n needs n ≥ 1")
    guard epsilon > 0 else { return epsilon == 0 ? -.infinity : .nan }
    let eps = min(epsilon, Double.pi)
    let logSurface = logSphereVolume(n - 1)
    switch n {
    case 1:
      return logSurface + log(eps)
    case 2:  // 1 − cos ε = 2 sin²(ε/2)
      return logSurface + log(2.0) + 2 * log(sin(eps / 2))
    default:
      return logSurface + Double(n) * log(eps) + logScaledSineIntegral(eps, power: n - 1)
    }
  }

  // MARK: - Internals

  /// log ∫_0^1 (sin(εu)/ε)^p du for ε ∈ (0, π], p ≥ 1. The integrand is entire with frequencies up to pε ≤ pπ;
  /// with ⌈p/4⌉ panels of 16 Gauss–Legendre nodes each panel sees at most ~2π radians per half-width, far inside
  /// the rule's exactness range. Log-sum-exp keeps large p free of underflow.
  private static func logScaledSineIntegral(_ eps: Double, power p: Int) -> Double {
    let panels = max(1, (p + 3) / 4)
    let h = 1 / Double(panels)
    let nodes = gaussLegendre16
    let count = panels * nodes.count
    var logs = [Double](repeating: 0, count: count)
    var maxLog = -Double.infinity
    var idx = 0
    for panel in 0..<panels {
      let a = Double(panel) * h
      for (x, w) in nodes {
        let u = a + h * x
        let s = sin(eps * u) / eps
        let l = log(w * h) + Double(p) * log(s)
        logs[idx] = l
        idx += 1
        if l > maxLog { maxLog = l }
      }
    }
    var total = 0.0
    for l in logs { total += exp(l - maxLog) }
    return maxLog + log(total)
  }

  /// 16-point Gauss–Legendre rule on [0, 1] as (node, weight), computed once by Newton's method on P_16.
  private static let gaussLegendre16: [(Double, Double)] = {
    let n = 16
    var rule: [(Double, Double)] = []
    for i in 1...n {
      var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
      var derivative = 0.0
      for _ in 0..<100 {
        var p0 = 1.0, p1 = x
        for j in 2...n {
          let p2 = ((2 * Double(j) - 1) * x * p1 - (Double(j) - 1) * p0) / Double(j)
          p0 = p1; p1 = p2
        }
        derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
        let dx = p1 / derivative
        x -= dx
        if abs(dx) < 1e-16 { break }
      }
      let w = 2 / ((1 - x * x) * derivative * derivative)
      rule.append(((1 + x) / 2, w / 2))  // map [−1, 1] → [0, 1]
    }
    return rule
  }()

  /// How pairs are compared: a monotone key (squared distance where possible, so no square root or arcsine per pair)
  /// and the map from the k-th smallest key to the log ball volume.
  private enum Kind {
    case euclidean(n: Int)
    case torus(n: Int)
    case sphere(n: Int)
    case other(any Geometry)
  }

  private static func kind(of geometry: any Geometry) -> Kind {
    if let g = geometry as? Euclidean { return .euclidean(n: g.dimension) }
    if let g = geometry as? Torus { return .torus(n: g.dimension) }
    if let g = geometry as? Sphere { return .sphere(n: g.intrinsicDimension) }
    return .other(geometry)
  }

  /// The k smallest positive keys offered so far, sorted ascending in `best`.
  private struct NearestKeys {
    let best: UnsafeMutablePointer<Double>
    let k: Int
    /// best[k − 1]: only keys below it can change the k-th smallest.
    var worst = Double.infinity
    var sawNaN = false

    init(_ best: UnsafeMutablePointer<Double>, k: Int) {
      self.best = best
      self.k = k
      best.initialize(repeating: .infinity, count: k)
    }

    /// Exact duplicates of the query point (key 0) are not neighbours.
    @inline(__always) mutating func offer(_ key: Double) {
      if key.isNaN { sawNaN = true; return }
      guard key > 0, key < worst else { return }
      var slot = k - 1
      while slot > 0 && best[slot - 1] > key { best[slot] = best[slot - 1]; slot -= 1 }
      best[slot] = key
      worst = best[k - 1]
    }

    /// The k-th smallest positive key: 0 if fewer than k were offered, NaN if a key was NaN.
    var result: Double { sawNaN ? .nan : (worst == .infinity ? 0 : worst) }
  }

  /// Squared Euclidean (chordal on the sphere) or periodic distance, summed over coordinates in order: the first
  /// summand is the bound the pruned scans use, and the sum of non-negative terms never falls below it.
  @inline(__always)
  private static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, d: Int,
                                      periodic: Bool) -> Double {
    var key = 0.0, c = 0
    if periodic {
      while c < d { let t = Torus.difference(a[c], b[c]); key += t * t; c += 1 }
    } else {
      while c < d { let t = a[c] - b[c]; key += t * t; c += 1 }
    }
    return key
  }

  /// log vol B(X_i, ε_i) for every particle (−∞ when X_i has fewer than k distinct other points).
  ///
  /// Exact k-th nearest neighbours, found by a pruned scan: particles are sorted by their first coordinate, and from
  /// each particle the scan walks outwards in that order, stopping in a direction once the first coordinate alone is
  /// at least as far as the current k-th neighbour (every later key is then ≥ it and cannot change the result). The
  /// k-th key found is the one the full O(m²) scan finds, to the bit, at a fraction of the cost in low dimension.
  /// Other geometries get the full scan with their own `distance`.
  private static func logBallVolumes(_ cloud: ParticleCloud, geometry: any Geometry, k: Int,
                                     parallel: Parallel) -> [Double] {
    let m = cloud.count, d = cloud.dimension
    let kind = kind(of: geometry)
    var result = [Double](repeating: 0, count: m)
    let periodic: Bool
    switch kind {
    case .euclidean, .sphere: periodic = false
    case .torus: periodic = true
    case .other(let g):
      cloud.coordinates.withUnsafeBufferPointer { xs in
        result.withUnsafeMutableBufferPointer { out in
          let x = xs.baseAddress!, o = out.baseAddress!
          parallel.forEachChunk(m, grain: 32) { range in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { scratch in
              for i in range {
                var nearest = NearestKeys(scratch.baseAddress!, k: k)
                let a = x + i * d
                var j = 0
                while j < m { if j != i { nearest.offer(g.distance(a, x + j * d)) }; j += 1 }
                o[i] = logBallVolume(key: nearest.result, kind: kind)
              }
            }
          }
        }
      }
      return result
    }

    // Sort by the first coordinate (wrapped into [0, 1) on the torus), ties by index: a fixed order.
    let lead: [Double] = (0..<m).map { periodic ? Torus.wrap(cloud.coordinates[$0 * d]) : cloud.coordinates[$0 * d] }
    let order = (0..<m).sorted { lead[$0] < lead[$1] || (lead[$0] == lead[$1] && $0 < $1) }
    var sorted = [Double](repeating: 0, count: m * d)  // the cloud in that order, for contiguous scans
    var sortedLead = [Double](repeating: 0, count: m)
    var largest = 1.0  // largest |first coordinate|, for the torus walks' rounding margin
    for i in 0..<m { largest = max(largest, abs(cloud.coordinates[i * d])) }
    let margin = 1e-14 * largest
    for (p, i) in order.enumerated() {
      sortedLead[p] = lead[i]
      for c in 0..<d { sorted[p * d + c] = cloud.coordinates[i * d + c] }
    }

    sorted.withUnsafeBufferPointer { xs in
      sortedLead.withUnsafeBufferPointer { ws in
        order.withUnsafeBufferPointer { ord in
          result.withUnsafeMutableBufferPointer { out in
            let x = xs.baseAddress!, w = ws.baseAddress!, o = out.baseAddress!
            parallel.forEachChunk(m, grain: 32) { range in
              withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { scratch in
                for p in range {
                  let key = periodic
                    ? kthKeyOnTorus(p, x: x, lead: w, m: m, d: d, k: k, margin: margin, scratch: scratch.baseAddress!)
                    : kthKeyOnLine(p, x: x, m: m, d: d, k: k, scratch: scratch.baseAddress!)
                  o[ord[p]] = logBallVolume(key: key, kind: kind)
                }
              }
            }
          }
        }
      }
    }
    return result
  }

  /// The k-th smallest positive squared distance from sorted particle p (Euclidean or chordal): walk up and down the
  /// order; (a₀ − b₀)² grows monotonically along each walk, and key ≥ (a₀ − b₀)².
  private static func kthKeyOnLine(_ p: Int, x: UnsafePointer<Double>, m: Int, d: Int, k: Int,
                                   scratch: UnsafeMutablePointer<Double>) -> Double {
    var nearest = NearestKeys(scratch, k: k)
    let a = x + p * d
    var q = p + 1
    while q < m {
      let b = x + q * d
      let t = a[0] - b[0]
      if t * t >= nearest.worst { break }
      nearest.offer(squaredDistance(a, b, d: d, periodic: false))
      q += 1
    }
    q = p - 1
    while q >= 0 {
      let b = x + q * d
      let t = a[0] - b[0]
      if t * t >= nearest.worst { break }
      nearest.offer(squaredDistance(a, b, d: d, periodic: false))
      q -= 1
    }
    return nearest.result
  }

  /// The same on the torus, walking around the circle of first coordinates (sorted into [0, 1)) in both directions.
  /// A walk stops once the periodic first-coordinate gap alone reaches the current k-th neighbour (with a margin
  /// covering rounding in the periodic difference), or gives way to a full scan if it gets halfway round the circle
  /// (then the cloud is so sparse that the two walks could meet).
  /// `margin` must exceed the rounding error of |Torus.difference| on the first coordinates (a few ulps of their size).
  private static func kthKeyOnTorus(_ p: Int, x: UnsafePointer<Double>, lead: UnsafePointer<Double>, m: Int, d: Int,
                                    k: Int, margin: Double, scratch: UnsafeMutablePointer<Double>) -> Double {
    let halfway = 0.5 - 1e-9
    var nearest = NearestKeys(scratch, k: k)
    let a = x + p * d
    var tooSparse = false
    // Upwards: gaps lead[q] − lead[p] (+ 1 after wrapping), nondecreasing.
    var step = 1
    while step < m {
      let q = p + step < m ? p + step : p + step - m
      let gap = p + step < m ? lead[q] - lead[p] : lead[q] + 1 - lead[p]
      if gap > halfway { tooSparse = true; break }
      let b = x + q * d
      let t = abs(Torus.difference(a[0], b[0])) - margin
      if t > 0 && t * t >= nearest.worst { break }
      nearest.offer(squaredDistance(a, b, d: d, periodic: true))
      step += 1
    }
    // Downwards: gaps lead[p] − lead[q] (+ 1 after wrapping). Both walks stay within half a turn, so they are disjoint.
    step = 1
    while !tooSparse && step < m {
      let q = p - step >= 0 ? p - step : p - step + m
      let gap = p - step >= 0 ? lead[p] - lead[q] : lead[p] + 1 - lead[q]
      if gap > halfway { tooSparse = true; break }
      let b = x + q * d
      let t = abs(Torus.difference(a[0], b[0])) - margin
      if t > 0 && t * t >= nearest.worst { break }
      nearest.offer(squaredDistance(a, b, d: d, periodic: true))
      step += 1
    }
    if tooSparse {
      nearest = NearestKeys(scratch, k: k)
      var q = 0
      while q < m { if q != p { nearest.offer(squaredDistance(a, x + q * d, d: d, periodic: true)) }; q += 1 }
    }
    return nearest.result
  }

  private static func logBallVolume(key: Double, kind: Kind) -> Double {
    if key.isNaN { return .nan }
    if key == 0 { return -.infinity }
    switch kind {
    case .euclidean(let n):
      return logUnitBallVolume(n) + Double(n) / 2 * log(key)
    case .torus(let n):
      return min(0, logUnitBallVolume(n) + Double(n) / 2 * log(key))  // capped at vol(T^n) = 1
    case .sphere(let n):
      let epsilon = 2 * asin(min(1, key.squareRoot() / 2))
      return logGeodesicBallVolume(radius: epsilon, sphereDimension: n)
    case .other(let g):
      let n = g.dimension
      return logUnitBallVolume(n) + Double(n) * log(key)
    }
  }
}
