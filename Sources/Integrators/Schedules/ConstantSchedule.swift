import SolverAPI

/// τ_t = c.
public struct ConstantSchedule: Schedule {
  public let value: Double
  public init(_ value: Double) { self.value = value }
  public func value(at step: Int) -> Double { value }
}
