import Foundation

/// A convex, separable loss on predictions f ∈ ℝ^n with labels y (docs/math.md §2):
///     R(f) = (1/n) Σ_k ℓ(f_k, y_k),   ∇R(f)_k = ℓ'(f_k, y_k)/n,   ∇²R(f) = diag(ℓ''(f_k, y_k)/n).
public protocol Loss: Sendable {
  var name: String { get }
  /// ℓ(f, y).
  func value(_ f: Double, _ y: Double) -> Double
  /// ∂ℓ/∂f.
  func derivative(_ f: Double, _ y: Double) -> Double
  /// ∂²ℓ/∂f².
  func secondDerivative(_ f: Double, _ y: Double) -> Double
  /// True for the square loss, whose bilevel inner problem has a closed form.
  var isSquare: Bool { get }
  /// Checks the labels (e.g. ±1 for the logistic loss); returns a message when they do not fit.
  func checkLabels(_ y: [Double]) -> String?
}

extension Loss {
  public var isSquare: Bool { false }
  public func checkLabels(_ y: [Double]) -> String? { nil }

  /// R(f) = (1/n) Σ ℓ(f_k, y_k).
  public func risk(_ f: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count n: Int) -> Double {
    var s = 0.0
    for k in 0..<n { s += value(f[k], y[k]) }
    return s / Double(n)
  }

  public func risk(_ f: [Double], _ y: [Double]) -> Double {
    f.withUnsafeBufferPointer { fp in y.withUnsafeBufferPointer { risk(fp.baseAddress!, $0.baseAddress!, count: f.count) } }
  }

  /// g ← ∇R(f) = ℓ'(f, y)/n.
  public func gradient(_ f: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count n: Int, into g: UnsafeMutablePointer<Double>) {
    let inv = 1 / Double(n)
    for k in 0..<n { g[k] = derivative(f[k], y[k]) * inv }
  }
}
