import Foundation

/// A convex, separable loss on predictions f ∈ ℝ^n with labels y (MATH.md §2):
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

/// ℓ(f, y) = ½(f − y)²: R = (1/2n)|f − y|², ∇R = (f − y)/n.
public struct SquareLoss: Loss {
  public init() {}
  public var name: String { "square" }
  public var isSquare: Bool { true }
  public func value(_ f: Double, _ y: Double) -> Double { 0.5 * (f - y) * (f - y) }
  public func derivative(_ f: Double, _ y: Double) -> Double { f - y }
  public func secondDerivative(_ f: Double, _ y: Double) -> Double { 1 }
}

/// ℓ(f, y) = log(1 + exp(−y f)) for y ∈ {−1, +1}, computed without overflow.
public struct LogisticLoss: Loss {
  public init() {}
  public var name: String { "logistic" }

  public func value(_ f: Double, _ y: Double) -> Double {
    let t = -y * f
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t))
  }

  /// −y σ(−y f), with σ the logistic function.
  public func derivative(_ f: Double, _ y: Double) -> Double { -y * LogisticLoss.sigmoid(-y * f) }

  /// σ(y f) σ(−y f) (y² = 1).
  public func secondDerivative(_ f: Double, _ y: Double) -> Double {
    let s = LogisticLoss.sigmoid(y * f)
    return s * (1 - s)
  }

  public func checkLabels(_ y: [Double]) -> String? {
    y.firstIndex { $0 != 1 && $0 != -1 }.map { "the logistic loss needs labels ±1; label \($0 + 1) is \(y[$0])" }
  }

  @inlinable public static func sigmoid(_ t: Double) -> Double {
    t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t))
  }
}
