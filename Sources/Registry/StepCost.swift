import Formats
import Foundation
import SolverAPI

/// What one step will cost, estimated from the resolved config before anything runs, so that a step that
/// would take hours is refused with the estimate instead of running without end (`mfld run`, unless
/// `--force`), and so that a run's first step is guarded against a stop request only when it may be long
/// (`RunPlan.expectedStepSeconds`). Counted, and added up: every particle's move (about 10 ns a coordinate
/// and 20 a particle), pairwise kernel sums (an interaction with a kernel other than the quadratic one,
/// whose moments make it O(m), or random batches of p, (p − 1)/2 pairs a particle; an mmd's m × (m + target) sums) at about 3d + 20 flops a pair, and a signed
/// objective's feature products (m × n × D, about 6 passes a step: features, pullback, predictions), at
/// rates this machine's release build sustains (about 2 GFLOP/s for kernel sums, 20 for products).
public enum StepCost {
  public struct Estimate {
    public var seconds: Double
    public var what: String
    public var path: String
  }

  /// The budget for one step.
  public static let budgetSeconds = 600.0

  public static func estimate(for resolved: ConfigObject) -> Estimate? {
    func int(_ v: ConfigValue?) -> Int? { if case .integer(let i)? = v { return i } else { return nil } }
    func object(_ v: ConfigValue?) -> ConfigObject? { if case .object(let o)? = v { return o } else { return nil } }
    func type(_ v: ConfigValue?) -> String? {
      if case .string(let s)? = v { return s }
      if case .string(let s)? = object(v)?["type"] { return s }
      return nil
    }
    guard let m = int(object(resolved["particles"])?["count"]) else { return nil }
    let (mm, d) = (Double(m), Double(int(object(resolved["domain"])?["dimension"]) ?? 1))
    // The step's costs add up; the estimate names the largest of the objective's (the moves when it has none).
    let moves = mm * (d + 2) * 1e-8
    var best: Estimate?, total = moves
    func consider(_ seconds: Double, _ what: String) {
      total += seconds
      if seconds > (best?.seconds ?? -1) { best = Estimate(seconds: seconds, what: what, path: "particles.count") }
    }
    func visit(_ o: ConfigObject) {
      switch type(.object(o)) {
      case "interaction"? where (int(o["batch"]) ?? 0) >= 2:
        let p = int(o["batch"])!
        consider(mm * Double(p - 1) / 2 * (3 * d + 20) / 2e9, "\(m) particles interacting in random batches of \(p): \(m) × \(p - 1)/2 kernel evaluations a step")
      case "interaction"? where type(o["W"]) != "quadratic":
        consider(mm * mm * (3 * d + 20) / 2e9, "\(m) particles interacting in pairs: \(m)² kernel evaluations a step")
      case "mmd"?:
        let target = Double(int(o["target_count"]) ?? 0), p = int(o["batch"]) ?? 0
        let own = p >= 2 ? Double(p - 1) / 2 : mm
        consider(mm * (own + target) * (3 * d + 20) / 2e9, "\(m) particles against \(p >= 2 ? "random batches of \(p)" : "themselves") and \(Int(target)) target points a step")
      case "sum"?:
        if case .array(let terms)? = o["terms"] { for case .object(let t) in terms { visit(t) } }
      default:
        let data = object(o["data"])
        let n = Double(int(data?["samples"]) ?? int(o["samples"]) ?? 0)
        let D = Double((int(data?["dimension"]) ?? int(o["dimension"]) ?? 0) + 1)
        if n > 0 { consider(6 * 2 * mm * n * D / 2e10, "\(m) particles × \(Int(n)) data points × \(Int(D)) coordinates of feature products a step") }
      }
    }
    if let o = object(resolved["objective"]) { visit(o) }
    var estimate = best ?? Estimate(seconds: 0, what: "\(m) particles' moves (a noise draw and an update a coordinate)", path: "particles.count")
    estimate.seconds = total
    return estimate
  }

  /// Throws when one step is estimated to take longer than the budget.
  public static func check(_ resolved: ConfigObject, file: String?) throws {
    guard let e = estimate(for: resolved), e.seconds > budgetSeconds else { return }
    let time = e.seconds >= 86400 ? String(format: "%.3g days", e.seconds / 86400) : String(format: "%.3g hours", e.seconds / 3600)
    throw ConfigError(file: file, path: e.path, "one step would take about \(time) on this kind of machine (\(e.what)), over the 10-minute budget",
                      fix: "use fewer particles or data points, or pass --force to run it anyway")
  }
}
