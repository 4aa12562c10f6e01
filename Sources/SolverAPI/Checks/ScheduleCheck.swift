/// The law of a schedule: finite and within its range at every step of the run (t = 0, 1, …, steps − 1;
/// every step up to a million, a million evenly spaced steps and the last one beyond). The error is the
/// number of steps where it fails.
public struct ScheduleCheck {
  public init() {}

  public func law(_ schedule: any Schedule, steps: Int, positive: Bool) -> LawResult {
    let probes: [Int] = steps <= 1_000_000 ? Array(0..<max(steps, 1))
      : (0..<1_000_000).map { $0 * (steps / 1_000_000) } + [steps - 1]
    let bad = probes.reduce(0) { count, t in
      let v = schedule.value(at: t)
      return count + (v.isFinite && (positive ? v > 0 : v >= 0) ? 0 : 1)
    }
    return LawResult(law: positive ? "finite and > 0 at every step" : "finite and ≥ 0 at every step", error: Double(bad), tolerance: 0)
  }
}
