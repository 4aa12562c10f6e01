/// The law of a potential, a kernel or a reference potential: its gradient is the derivative of its value,
///     ⟨∇f(x), v⟩ = d/dh f(x + h v),
/// by central differences at the given points along random unit directions (ambient: f is a function on
/// ℝ^d, whatever domain its points come from). Error relative to max(|both|, 1e-3 × the largest gradient).
public struct ScalarFieldCheck {
  public var step: Double = 1e-5
  public var tolerance: Double = 1e-5

  public init() {}

  public func law(_ field: any ScalarField, at points: ParticleCloud, random: RandomStream) -> LawResult {
    var rng = random.generator()
    let d = field.dimension
    precondition(points.dimension == d, "the points have \(points.dimension) coordinates, the field takes \(d)")
    var worst = 0.0
    let gradients = (0..<points.count).map { field.gradient(at: points.particle($0)) }
    let scale = max(gradients.flatMap { $0 }.map(abs).max() ?? 0, 1e-12)
    for p in 0..<points.count {
      let x = points.particle(p)
      var v = (0..<d).map { _ in rng.normal() }
      let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      v = v.map { $0 / max(n, 1e-300) }
      let plus = zip(x, v).map { $0 + step * $1 }, minus = zip(x, v).map { $0 - step * $1 }
      let fd = (field.value(at: plus) - field.value(at: minus)) / (2 * step)
      let an = zip(gradients[p], v).reduce(0) { $0 + $1.0 * $1.1 }
      let error = abs(fd - an) / max(abs(fd), abs(an), 1e-3 * scale)
      worst = max(worst, error.isNaN ? .infinity : error)
    }
    return LawResult(law: "∇f(x)·v = d/dh f(x + hv)", error: worst, tolerance: tolerance)
  }
}
