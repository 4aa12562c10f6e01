import Foundation
import MFLD

/// A cosine annealing schedule, a new schedule: over the run's T steps,
///     s_t = end + (start − end) (1 + cos(π t / T)) / 2,   t ≤ T;   s_t = end after.
/// It reads T from the build context (the config's `steps`), so it always spans the whole run.
public struct CosineSchedule: Schedule {
  public let start: Double
  public let end: Double
  public let steps: Int

  public init(start: Double, end: Double, steps: Int) {
    self.start = start
    self.end = end
    self.steps = max(1, steps)
  }

  public func value(at step: Int) -> Double {
    guard step < steps else { return end }
    return end + (start - end) * (1 + cos(Double.pi * Double(step) / Double(steps))) / 2
  }

  public static let component = Component(
    .schedule, "cosine",
    summary: "s_t = end + (start − end)(1 + cos(πt/T))/2 over the run's T steps, then end",
    parameters: [.real("start", "s_0"), .real("end", default: 0, "s_T (and after)")],
    notes: "T is the config's steps (a resumed run keeps it).",
    example: ["type": "cosine", "start": 1, "end": 0.01]
  ) { args in
    guard let steps = args.context.totalSteps else {
      throw args.error(nil, "'cosine' spans the run's steps, and none are known here", fix: "use it inside a config with \"steps\"")
    }
    return CosineSchedule(start: args.real("start"), end: args.real("end"), steps: steps) as any Schedule
  }
}
