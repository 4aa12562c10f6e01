import Foundation
import SolverAPI

/// A periodic kernel ψ on the torus T^p = [0, 1)^p for sparse deconvolution (docs/math.md §2), the product of a
/// 1-periodic kernel k over the coordinates:
///
///     ψ(t) = Π_c k(t_c),      ∂ψ/∂t_c (t) = k'(t_c) Π_{c' ≠ c} k(t_{c'}).
///
/// Profiles k:
/// - Dirichlet of cutoff K: D_K(t) = 1 + 2 Σ_{j=1..K} cos(2π j t) = sin((2K+1)πt) / sin(πt),
///   D_K'(t) = −4π Σ_{j=1..K} j sin(2π j t). Peak D_K(0) = 2K + 1.
/// - periodized Gaussian of width σ: G_σ(t) = Σ_{z ∈ ℤ} exp(−(t − z)²/(2σ²)),
///   G_σ'(t) = −Σ_z ((t − z)/σ²) exp(−(t − z)²/(2σ²)). Peak ≈ 1 for small σ.
///
/// Every argument is first reduced to its periodic representative in [−½, ½] (`reduce`),
/// so both profiles are evaluated where they are well conditioned. The product is taken in coordinate
/// order, so `TranslationFeatures` (which multiplies the same 1-D factors in the same order) reproduces
/// ψ(x_k − w) bit for bit.
public struct PeriodicKernel: ScalarField, Sendable {
  /// The 1-D profile k.
  public enum Profile: Sendable, Equatable {
    /// D_K, K ≥ 1.
    case dirichlet(cutoff: Int)
    /// G_σ, σ > 0.
    case gaussian(width: Double)
  }

  /// p, the torus dimension.
  public let dimension: Int
  public let profile: Profile
  /// For the Gaussian: the images z = −Z...Z kept, Z = ⌈9σ + 1⌉. For |t| ≤ ½ the first dropped image sits at
  /// distance ≥ Z + ½ > 9σ, where exp(−(9σ)²/(2σ²)) = e^{−40.5} ≈ 2.6·10⁻¹⁸ is below double precision relative
  /// to the nearest image (and the dropped images decay faster than that for small σ).
  public let images: Int

  public init(dimension: Int, profile: Profile) {
    precondition(dimension >= 1, "the torus dimension must be ≥ 1")
    switch profile {
    case .dirichlet(let k): precondition(k >= 1, "the Dirichlet cutoff must be ≥ 1")
    case .gaussian(let s): precondition(s > 0 && s.isFinite, "the Gaussian width must be > 0")
    }
    self.dimension = dimension
    self.profile = profile
    if case .gaussian(let s) = profile { images = Int((9 * s + 1).rounded(.up)) } else { images = 0 }
  }

  /// The 1-D value k(t) and derivative k'(t).
  @inlinable
  public func profileValue(_ t: Double) -> (value: Double, derivative: Double) {
    switch profile {
    case .dirichlet(let k): return PeriodicKernel.dirichlet(t, cutoff: k)
    case .gaussian(let s): return PeriodicKernel.periodizedGaussian(t, width: s, images: images)
    }
  }

  /// ψ(t) = Π_c k(t_c); writes ∇ψ(t) when `gradient` is non-nil.
  public func evaluate(_ t: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    let p = dimension
    if p == 1 {
      let (v, d) = profileValue(t[0])
      gradient?[0] = d
      return v
    }
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * p) { scratch in
      let val = scratch.baseAddress!, der = val + p
      for c in 0..<p { (val[c], der[c]) = profileValue(t[c]) }
      var psi = val[0]
      for c in 1..<p { psi *= val[c] }
      if let gradient {
        for c in 0..<p { gradient[c] = PeriodicKernel.productReplacing(val, count: p, at: c, with: der[c]) }
      }
      return psi
    }
  }

  /// Π_{c'} v_{c'} with factor `c` replaced by `x`, multiplied in coordinate order: the partial derivative
  /// ∂ψ/∂t_c when v holds the values k(t_{c'}) and x = k'(t_c).
  @inlinable
  public static func productReplacing(_ v: UnsafePointer<Double>, count p: Int, at c: Int, with x: Double) -> Double {
    var s = c == 0 ? x : v[0]
    for q in 1..<max(1, p) { s *= q == c ? x : v[q] }
    return s
  }

  // MARK: - 1-D profiles

  /// t reduced to its periodic representative t − ⌊t + ½⌋ in [−½, ½] (the same formula as `Torus.difference`;
  /// arguments already in (−½, ½) come back unchanged).
  @inlinable
  public static func reduce(_ t: Double) -> Double { t - (t + 0.5).rounded(.down) }

  /// D_K(t) = 1 + 2 Σ_{j=1..K} cos(2π j t) and D_K'(t) = −4π Σ_{j=1..K} j sin(2π j t), by the cosine sum.
  ///
  /// cos(2π j t), sin(2π j t) come from one sincos of the reduced argument and the rotation recurrence
  /// (c_{j+1}, s_{j+1}) = (c_j c_1 − s_j s_1, s_j c_1 + c_j s_1), whose error grows only like j·ε (a product
  /// of rotations). Stable at every t, including t = 0 where the closed form is 0/0.
  @inlinable
  public static func dirichlet(_ t: Double, cutoff k: Int) -> (value: Double, derivative: Double) {
    let theta = 2 * Double.pi * reduce(t)
    let c1 = cos(theta), s1 = sin(theta)
    var c = c1, s = s1
    var value = 0.0, slope = 0.0
    for j in 1...k {
      value += c
      slope += Double(j) * s
      let cn = c * c1 - s * s1
      s = s * c1 + c * s1
      c = cn
    }
    return (1 + 2 * value, -4 * Double.pi * slope)
  }

  /// The closed form D_K(t) = sin((2K+1)πt) / sin(πt), with D_K(0) = 2K + 1. Exact in exact arithmetic and
  /// equal to `dirichlet(_:cutoff:)`; in floating point accurate to a few ulps of the peak, because the
  /// argument is reduced to [−½, ½] first (so sin(πt) is small only where t itself is small, and both sines
  /// then carry relative error ~ε). Kept as a cross-check of the cosine sum.
  public static func dirichletClosedForm(_ t: Double, cutoff k: Int) -> Double {
    let r = reduce(t)
    if r == 0 { return Double(2 * k + 1) }
    return sin(Double(2 * k + 1) * Double.pi * r) / sin(Double.pi * r)
  }

  /// G_σ(t) = Σ_{|z| ≤ Z} exp(−(t − z)²/(2σ²)) and its derivative, with t reduced to [−½, ½] and Z = `images`.
  ///
  /// The images are added in pairs z, −z (from z = 0 outward), so G_σ(−t) = G_σ(t) and G_σ'(−t) = −G_σ'(t)
  /// hold exactly in floating point.
  @inlinable
  public static func periodizedGaussian(_ t: Double, width sigma: Double, images: Int) -> (value: Double, derivative: Double) {
    let r = reduce(t)
    let inv = 1 / (sigma * sigma)
    let e = exp(-0.5 * r * r * inv)
    var value = e
    var slope = r * e
    if images >= 1 {
      for z in 1...images {
        let a = r - Double(z), b = r + Double(z)
        let ea = exp(-0.5 * a * a * inv), eb = exp(-0.5 * b * b * inv)
        value += ea + eb
        slope += a * ea + b * eb
      }
    }
    return (value, -slope * inv)
  }

  /// The 1-D profile's name and parameter, for messages: "Dirichlet K = 6", "Gaussian σ = 0.05".
  public var profileDescription: String {
    switch profile {
    case .dirichlet(let k): return "Dirichlet K = \(k)"
    case .gaussian(let s): return "Gaussian σ = \(s)"
    }
  }
}
