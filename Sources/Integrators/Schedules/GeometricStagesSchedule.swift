import Foundation
import SolverAPI

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
