/// A smooth scalar function on ℝ^d with its gradient: a potential V(x), a reference potential U(x),
/// or a translation-invariant kernel W(z) evaluated at z = x − y.
public protocol ScalarField: Sendable {
  /// Number of inputs d.
  var dimension: Int { get }
  /// f(x); also writes ∇f(x) into `gradient` (d entries, overwritten) when it is non-nil.
  func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double
  /// b when f(z) = b|z|²/2 exactly, so that pairwise sums reduce to moments (O(m) instead of O(m²)).
  var quadraticCoefficient: Double? { get }
  /// f at `count` points (the rows of x, count × d) into `values`, and ∇f into `gradients` (count × d) when
  /// non-nil: the same numbers as `count` calls of `evaluate`, which is what the default does.
  func evaluate(batch x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>?)
  /// True when callers should gather points and call `evaluate(batch:)` — a field across the plugin
  /// boundary, whose per-point call would cross it once per point. False (the default) for fields whose
  /// per-point call is cheap.
  var prefersBatches: Bool { get }
}

extension ScalarField {
  public var quadraticCoefficient: Double? { nil }
  public var prefersBatches: Bool { false }

  public func evaluate(batch x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>?) {
    let d = dimension
    for i in 0..<count { values[i] = evaluate(x + i * d, gradient: gradients.map { $0 + i * d }) }
  }

  /// Convenience for tests and tools (allocates).
  public func value(at x: [Double]) -> Double { x.withUnsafeBufferPointer { evaluate($0.baseAddress!, gradient: nil) } }

  /// Convenience for tests and tools (allocates).
  public func gradient(at x: [Double]) -> [Double] {
    var g = [Double](repeating: 0, count: dimension)
    x.withUnsafeBufferPointer { xp in g.withUnsafeMutableBufferPointer { _ = evaluate(xp.baseAddress!, gradient: $0.baseAddress!) } }
    return g
  }
}
