/// The admissible range of a real parameter, with open or closed ends: `(0, ∞)` for a step size,
/// `[0, ∞)` for a temperature.
public struct Interval: Sendable, Equatable, CustomStringConvertible {
  public var lower: Double?
  public var lowerIncluded: Bool
  public var upper: Double?
  public var upperIncluded: Bool

  public init(lower: Double? = nil, included lowerIncluded: Bool = true, upper: Double? = nil, included upperIncluded: Bool = true) {
    self.lower = lower
    self.lowerIncluded = lowerIncluded
    self.upper = upper
    self.upperIncluded = upperIncluded
  }

  /// (−∞, ∞): any finite number.
  public static let any = Interval()
  /// (0, ∞).
  public static let positive = Interval(lower: 0, included: false)
  /// [0, ∞).
  public static let nonNegative = Interval(lower: 0, included: true)
  /// [0, 1].
  public static let unit = Interval(lower: 0, included: true, upper: 1, included: true)
  /// (0, 1].
  public static let positiveUnit = Interval(lower: 0, included: false, upper: 1, included: true)

  public func contains(_ x: Double) -> Bool {
    guard x.isFinite else { return false }
    if let l = lower, lowerIncluded ? x < l : x <= l { return false }
    if let u = upper, upperIncluded ? x > u : x >= u { return false }
    return true
  }

  public var description: String {
    let l = lower.map { (lowerIncluded ? "[" : "(") + Interval.format($0) } ?? "(-∞"
    let u = upper.map { Interval.format($0) + (upperIncluded ? "]" : ")") } ?? "∞)"
    return l + ", " + u
  }

  /// "> 0", "≥ 0 and ≤ 1": the condition in words, for error messages.
  public var condition: String {
    var parts: [String] = []
    if let l = lower { parts.append((lowerIncluded ? "≥ " : "> ") + Interval.format(l)) }
    if let u = upper { parts.append((upperIncluded ? "≤ " : "< ") + Interval.format(u)) }
    return parts.isEmpty ? "finite" : parts.joined(separator: " and ")
  }

  static func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  }
}
