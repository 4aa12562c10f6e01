import Foundation

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
