import Foundation
import SolverAPI

/// A schedule that is 0 from step `zeroFrom` on: the noiseless final fraction (Chizat 2022 switches
/// the noise off for the last 20% of the steps).
public struct NoiselessTail: Schedule {
  public let base: any Schedule
  public let zeroFrom: Int
  public init(base: any Schedule, zeroFrom: Int) {
    self.base = base
    self.zeroFrom = zeroFrom
  }
  public func value(at step: Int) -> Double { step >= zeroFrom ? 0 : base.value(at: step) }
}
