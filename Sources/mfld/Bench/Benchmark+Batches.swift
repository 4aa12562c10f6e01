import Foundation
import MFLD

extension Benchmark {
  /// Random-batch interactions at scale (docs/math.md §6): the steps suite's McKean–Vlasov problem in ℝ² (a
  /// quadratic confinement and a Gaussian interaction) with m = 10⁴, 10⁵, 10⁶ particles and batches of
  /// p = 2, 4, 8, beside the exact O(m²) interaction where a step fits in a second (m = 10⁴); quick: m = 2000, p = 4. Each case is a
  /// `mfld run` child on 2 threads (through `--child-rusage`, so that its peak RSS is its own): steps/s from
  /// its timing.csv after the first recorded step (so without the start and the final writing), and its peak
  /// RSS against the process baseline (the same run with 10 particles) in clouds of m × 2 doubles.
  /// Targets: m = 10⁶ with p = 4 at ≥ 20 steps/s, its memory beyond the baseline within 2.1 clouds: the cloud and its
  /// gradient (2, the floor of an explicit step) and the partition, drawn a sixteenth at a time (0.8 bytes a particle,
  /// 0.05 clouds). Nothing else is kept: not the starting cloud (`Experiment.run` moves the particles in place), not a
  /// guard's copy (the steps are estimated short).
  public static func batches(_ options: Options) throws -> [Row] {
    guard let executable = options.executable else {
      return [Row(suite: "batches", name: "child mfld run", value: .nan, unit: "", note: "skipped: no mfld executable to run")]
    }
    let directory = try NumPyPeer.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    func config(m: Int, batch: Int, steps: Int, every: Int) -> ConfigValue {
      guard case .object(var c) = mckeanVlasovConfig(m: m), case .object(var o) = c["objective"],
            case .array(var terms)? = o["terms"], case .object(var w) = terms[1] else { preconditionFailure("the McKean–Vlasov config") }
      w["batch"] = .integer(batch)
      terms[1] = .object(w)
      o["terms"] = .array(terms)
      c["objective"] = .object(o)
      c["steps"] = .integer(steps)
      c["record"] = ["every": .integer(every)]
      return .object(c)
    }
    /// Runs one case; (steps/s, peak bytes) or a failure message.
    func measure(_ name: String, m: Int, batch: Int) throws -> Result<(Double, Double), PeerError> {
      // About two seconds of steps: a pair costs a few ns, a particle's move some tens.
      let pairs = batch == 0 ? Double(m) * Double(m) : Double(m) * Double(batch - 1) / 2
      let perStep = (pairs * 3e-9 + Double(m) * 4e-8) / 2
      let steps = max(10, min(options.quick ? 20 : 400, Int(2 / perStep))), every = max(1, steps / 10)
      let file = directory + "/\(name).json", out = directory + "/\(name)", log = directory + "/\(name).log"
      try Data((config(m: m, batch: batch, steps: steps, every: every).jsonText(pretty: true) + "\n").utf8).write(to: URL(fileURLWithPath: file))
      let child = try childUsage(executable, ["run", file, "--out", out, "--quiet", "--threads", "2"], log: log, scratch: out)
      guard child.status == 0 else {
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(2).joined(separator: " / ")
        return .failure(PeerError("the child exited with \(child.status): \(tail)"))
      }
      let rows = try String(contentsOfFile: out + "/timing.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        .map { $0.split(separator: ",").compactMap { Double($0) } }.filter { $0.count == 2 }
      guard rows.count >= 3 else { return .failure(PeerError("timing.csv has \(rows.count) rows")) }
      let first = rows[1], last = rows[rows.count - 1]
      return .success(((last[0] - first[0]) / (last[1] - first[1]), child.peakBytes))
    }
    options.progress("batches: the process baseline")
    guard case .success(let (_, baseline)) = try measure("baseline", m: 10, batch: 4) else {
      return [Row(suite: "batches", name: "baseline", value: .nan, unit: "", note: "FAILED: the 10-particle run failed", failed: true)]
    }
    var rows: [Row] = []
    let sizes = options.quick ? [2000] : [10_000, 100_000, 1_000_000]
    for m in sizes {
      for batch in (options.quick ? [4] : [2, 4, 8]) + (m <= 10_000 ? [0] : []) {
        let label = "m = \(m), " + (batch == 0 ? "exact O(m²)" : "batches of \(batch)")
        options.progress("batches: McKean–Vlasov, \(label)")
        switch try measure("m\(m)-p\(batch)", m: m, batch: batch) {
        case .failure(let e):
          rows.append(Row(suite: "batches", name: "McKean–Vlasov, \(label)", value: .nan, unit: "steps/s", note: "FAILED: \(e)", failed: true))
        case .success(let (rate, peak)):
          let cloud = Double(m) * 2 * 8, clouds = (peak - baseline) / cloud
          var note = String(format: "peak RSS %.1f MB: the baseline %.1f MB + %.2f clouds of %.1f MB", peak / 1e6, baseline / 1e6, clouds, cloud / 1e6)
          if m == 1_000_000 && batch == 4 {
            // The floor is 2: the cloud and its gradient (an explicit step evaluates every drift before it moves a
            // particle). The batches add the partition, drawn in sixteenths: 0.8 bytes a particle, 0.05 of a 2-D cloud.
            note += "; targets ≥ 20 steps/s: " + (rate >= 20 ? "met" : "NOT MET")
              + ", the cloud and its gradient (2) and the partition (0.05) within 2.1 clouds: " + (clouds <= 2.1 ? "met" : "NOT MET")
          }
          rows.append(Row(suite: "batches", name: "McKean–Vlasov, \(label)", value: rate, unit: "steps/s", note: note))
        }
      }
    }
    return rows
  }
}
