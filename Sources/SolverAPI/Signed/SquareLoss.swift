import Foundation

/// ℓ(f, y) = ½(f − y)²: R = (1/2n)|f − y|², ∇R = (f − y)/n.
public struct SquareLoss: Loss {
  public init() {}
  public var name: String { "square" }
  public var isSquare: Bool { true }
  public func value(_ f: Double, _ y: Double) -> Double { 0.5 * (f - y) * (f - y) }
  public func derivative(_ f: Double, _ y: Double) -> Double { f - y }
  public func secondDerivative(_ f: Double, _ y: Double) -> Double { 1 }
}
