import Foundation
import SolverAPI

/// τ_t = τ₀ / log(e + t) (Chizat 2022), t counted from 0.
public struct LogarithmicSchedule: Schedule {
  public let initial: Double
  public init(initial: Double) { self.initial = initial }
  public func value(at step: Int) -> Double { initial / log(M_E + Double(step)) }
}

/// τ_t = τ₀ / (1 + t).
public struct InverseSchedule: Schedule {
  public let initial: Double
  public init(initial: Double) { self.initial = initial }
  public func value(at step: Int) -> Double { initial / (1 + Double(step)) }
}

/// τ_t = τ₀ γ^⌊t/S⌋: stages of S steps, each γ times the last (Suzuki et al. 2023; Wang et al. 2024).
/// The particles carry over from stage to stage (warm start).
public struct GeometricStagesSchedule: Schedule {
  public let initial: Double
  public let factor: Double
  public let stepsPerStage: Int
  public init(initial: Double, factor: Double, stepsPerStage: Int) {
    self.initial = initial
    self.factor = factor
    self.stepsPerStage = stepsPerStage
  }
  public func value(at step: Int) -> Double { initial * pow(factor, Double(step / stepsPerStage)) }
}

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
