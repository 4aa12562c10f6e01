import Foundation
import MFLD

/// V(x) = ((ν + d)/2) log(1 + |x − c|²/(ν s²)): the negative log-density (up to a constant) of the
/// d-dimensional Student-t law t_ν(c, s² I). ∇V(x) = (ν + d)(x − c) / (ν s² + |x − c|²).
///
/// With temperature τ = 1 and a flat reference, Langevin dynamics sample t_ν(c, s² I); its tails
/// are polynomial, so the drift vanishes far out (unlike a quadratic confinement).
public struct StudentTPotential: ScalarField {
  public let dimension: Int
  public let nu: Double
  public let scale: Double
  public let center: [Double]

  public init(dimension: Int, nu: Double, scale: Double = 1, center: [Double]? = nil) {
    self.dimension = dimension
    self.nu = nu
    self.scale = scale
    self.center = center ?? [Double](repeating: 0, count: dimension)
  }

  public func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    let a = nu * scale * scale, weight = nu + Double(dimension)
    var r2 = 0.0
    for k in 0..<dimension {
      let z = x[k] - center[k]
      r2 += z * z
    }
    if let g = gradient {
      let f = weight / (a + r2)
      for k in 0..<dimension { g[k] = f * (x[k] - center[k]) }
    }
    return 0.5 * weight * log1p(r2 / a)
  }
}

/// F(μ) = ∫ V_ν dμ + (κ/2)|∫x dμ − m|²: the Student-t energy plus a mean-field pull of the cloud's
/// mean toward m. δF/δμ(y) = V_ν(y) + κ⟨∫x dμ − m, y⟩, so ∇V_μ(y) = ∇V_ν(y) + κ(∫x dμ − m).
/// Records `t_energy` (∫V_ν dμ) and `mean_offset` (|∫x dμ − m|).
public final class StudentTObjective: Objective {
  public let potential: StudentTPotential
  public let pull: Double
  public let target: [Double]
  private var mean: [Double]

  public init(potential: StudentTPotential, pull: Double, target: [Double]? = nil) {
    self.potential = potential
    self.pull = pull
    self.target = target ?? [Double](repeating: 0, count: potential.dimension)
    mean = [Double](repeating: 0, count: potential.dimension)
  }

  public var dimension: Int { potential.dimension }
  public var observableNames: [String] { ["t_energy", "mean_offset"] }

  /// mean ← ∫x dμ − m (in particle order: the same bits on any thread count); returns |mean|².
  private func offset(_ cloud: ParticleCloud) -> Double {
    let d = dimension, m = cloud.count
    for k in 0..<d { mean[k] = 0 }
    cloud.coordinates.withUnsafeBufferPointer { x in
      for i in 0..<m { for k in 0..<d { mean[k] += x[i * d + k] } }
    }
    var s = 0.0
    for k in 0..<d {
      mean[k] = mean[k] / Double(m) - target[k]
      s += mean[k] * mean[k]
    }
    return s
  }

  private func energy(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) -> Double {
    let d = dimension, V = potential
    return cloud.coordinates.withUnsafeBufferPointer { xp -> Double in
      let x = xp.baseAddress!, g = gradient?.baseAddress
      return parallel.sum(cloud.count, grain: 512) { range in
        var s = 0.0
        for i in range { s += V.evaluate(x + i * d, gradient: g.map { $0 + i * d }) }
        return s
      }
    } / Double(cloud.count)
  }

  public func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, values: UnsafeMutableBufferPointer<Double>?,
                       parallel: Parallel) throws -> Double {
    // The first variation's values, when a metric asks for them (birth–death): the same formula as below.
    if let values { try firstVariation(of: cloud, at: cloud, values: values, gradients: nil, parallel: parallel) }
    let offset2 = offset(cloud)
    let e = energy(cloud, gradient: gradient, parallel: parallel)
    if let gradient, pull != 0 {
      let d = dimension
      for i in 0..<cloud.count { for k in 0..<d { gradient[i * d + k] += pull * mean[k] } }
    }
    return e + 0.5 * pull * offset2
  }

  public func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                             gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    _ = offset(cloud)
    let d = dimension
    points.coordinates.withUnsafeBufferPointer { yp in
      for p in 0..<points.count {
        let y = yp.baseAddress! + p * d
        var v = potential.evaluate(y, gradient: gradients.map { $0.baseAddress! + p * d })
        for k in 0..<d {
          v += pull * mean[k] * y[k]
          if let gradients { gradients[p * d + k] += pull * mean[k] }
        }
        values[p] = v
      }
    }
  }

  public func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    let offset2 = offset(cloud)
    return [energy(cloud, gradient: nil, parallel: parallel), offset2.squareRoot()]
  }
}

/// The parts, declared exactly as built-in parts are: the same declarations drive validation,
/// defaults, `mfld describe`, and (through the plugin bridge) the host's view of them.
public enum StudentT {
  static let shape: [Parameter] = [
    .real("nu", default: 3, in: .positive, "degrees of freedom ν (heavier tails when small)"),
    .real("scale", default: 1, in: .positive, "scale s"),
  ]

  public static let potential = Component(
    .potential, "student-t", summary: "V(x) = ((ν + d)/2) log(1 + |x − c|²/(ν s²)): Student-t negative log-likelihood",
    parameters: shape + [.reals("center", default: [], "center c (empty: the origin)")],
    notes: "At temperature 1 with a flat reference the particles sample t_ν(c, s² I).") { args in
    let d = try args.domain.dimension
    return StudentTPotential(dimension: d, nu: args.real("nu"), scale: args.real("scale"), center: try vector(args, "center", d)) as any ScalarField
  }

  public static let objective = Component(
    .objective, "student-t", summary: "F(μ) = ∫ V_ν dμ + (κ/2)|∫x dμ − m|²: Student-t energy with a mean-field pull; records t_energy, mean_offset",
    parameters: shape + [
      .reals("center", default: [], "center c of V_ν (empty: the origin)"),
      .real("pull", default: 0, in: .nonNegative, "κ: strength of the pull of the cloud's mean toward m"),
      .reals("target_mean", default: [], "m (empty: the origin)"),
    ]) { args in
    let d = try args.domain.dimension
    let v = StudentTPotential(dimension: d, nu: args.real("nu"), scale: args.real("scale"), center: try vector(args, "center", d))
    return StudentTObjective(potential: v, pull: args.real("pull"), target: try vector(args, "target_mean", d)) as any Objective
  }

  public static let kernel = Component(
    .kernel, "student-t", summary: "W(z) = c ((ν + d)/2) log(1 + |z|²/(ν s²)): heavy-tailed attraction",
    parameters: shape + [.real("strength", default: 1, "c (negative: repulsion)")]) { args in
    StudentTKernel(base: StudentTPotential(dimension: try args.domain.dimension, nu: args.real("nu"), scale: args.real("scale")),
                   strength: args.real("strength")) as any ScalarField
  }

  /// Everything this package provides.
  public static let all: [Component] = [objective, potential, kernel]

  /// A declared vector parameter of the domain's length (empty: nil, meaning the origin).
  static func vector(_ args: Arguments, _ key: String, _ d: Int) throws -> [Double]? {
    let v = args.reals(key)
    if v.isEmpty { return nil }
    guard v.count == d else {
      throw args.error(key, "has \(v.count) numbers, the domain has \(d) coordinates", fix: "give \(d) numbers, or [] for the origin")
    }
    return v
  }
}

/// W(z) = c · V_ν(z) with center 0: even, so it is a valid interaction kernel.
public struct StudentTKernel: ScalarField {
  public let base: StudentTPotential
  public let strength: Double
  public var dimension: Int { base.dimension }

  public func evaluate(_ z: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    let v = base.evaluate(z, gradient: gradient)
    if let gradient { for k in 0..<dimension { gradient[k] *= strength } }
    return strength * v
  }
}
