import Foundation
import SolverAPI

/// τ_t = τ₀ / log(e + t) (Chizat 2022), t counted from 0.
public struct LogarithmicSchedule: Schedule {
  public let initial: Double
  public init(initial: Double) { self.initial = initial }
  public func value(at step: Int) -> Double { initial / log(M_E + Double(step)) }
}
