import Foundation
import SolverAPI

/// τ_t = τ₀ / (1 + t).
public struct InverseSchedule: Schedule {
  public let initial: Double
  public init(initial: Double) { self.initial = initial }
  public func value(at step: Int) -> Double { initial / (1 + Double(step)) }
}
