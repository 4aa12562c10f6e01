import Foundation
import MFLD

/// Benchmarks `mfld bench` runs: each row is one measured figure, printed as a table or JSON.
/// Release builds only give meaningful numbers. The suites live beside this file:
///
///     expressions   formula-defined potentials against the built-ins (here)
///     steps         whole solver steps/s at the standard sizes, 1 and 2 threads   (Benchmark+Steps.swift)
///     scaling       steps/s against m and against n                                 (Benchmark+Steps.swift)
///     peers         the same steps in NumPy: agreement to 1e-9 and the speed ratio  (Benchmark+Peers.swift)
///     kernels       GFLOP/s of the dominant dense kernels, and NumPy's              (Benchmark+Kernels.swift)
///     memory        peak RSS of a child `mfld run` for two run lengths              (Benchmark+Memory.swift)
///     plugins       plugin copies of built-in parts against the built-ins            (Benchmark+Plugins.swift)
public enum Benchmark {
  public struct Row: Sendable {
    public var suite: String
    public var name: String
    /// NaN when the row carries no figure (a skipped suite); written as null in JSON, "—" in the table.
    public var value: Double
    public var unit: String
    public var note: String
    /// A check this row stands for failed (a peer mismatch, the NumPy reference erred): `mfld bench`
    /// exits nonzero. A performance target not met is not a failure: its note says "NOT MET".
    public var failed: Bool

    public init(suite: String, name: String, value: Double, unit: String, note: String, failed: Bool = false) {
      self.suite = suite
      self.name = name
      self.value = value
      self.unit = unit
      self.note = note
      self.failed = failed
    }
  }

  /// What every suite is told: how long to measure, where the NumPy peer is, how to report progress.
  public struct Options {
    /// The small sizes only, measured briefly (tests, a first look).
    public var quick: Bool
    /// The folder holding `numpy_steps.py`.
    public var peersDirectory: String
    /// The `mfld` binary the memory suite runs as a child (default: this process's own executable).
    public var executable: String?
    /// The plugin library the plugins suite loads (default: the example plugin's release build).
    public var pluginLibrary: String?
    /// Called with a short description of what is being measured next.
    public var progress: (String) -> Void

    public init(quick: Bool = false, peersDirectory: String = "bench/peers", executable: String? = nil, pluginLibrary: String? = nil,
                progress: @escaping (String) -> Void = { _ in }) {
      self.quick = quick
      self.peersDirectory = peersDirectory
      self.executable = executable
      self.pluginLibrary = pluginLibrary
      self.progress = progress
    }

    /// How long to time one case: at least `minSeconds` and `minRuns` runs, but stop after
    /// `maxSeconds` once one run is in (a single step that long is a measurement of its own).
    var budget: Budget { quick ? Budget(minSeconds: 0.2, minRuns: 2, maxSeconds: 2) : Budget(minSeconds: 1, minRuns: 3, maxSeconds: 10) }
  }

  /// How long a measurement lasts (see `Options.budget`).
  struct Budget {
    var minSeconds: Double
    var minRuns: Int
    var maxSeconds: Double
    /// A rate is the best of this many windows, each an equal share of the budget.
    var windows = 3

    func done(runs: Int, seconds: Double) -> Bool {
      runs >= 1 && ((runs >= minRuns && seconds >= minSeconds) || seconds >= maxSeconds)
    }

    /// One window of a rate: a `windows`-th of this budget (at least one run).
    var window: Budget {
      let k = Double(windows)
      return Budget(minSeconds: minSeconds / k, minRuns: max(1, minRuns / windows), maxSeconds: maxSeconds / k, windows: 1)
    }

    /// `count` windows as long as these: the budget scaled by count / windows.
    func windows(_ count: Int) -> Budget {
      let scale = Double(count) / Double(windows)
      return Budget(minSeconds: minSeconds * scale, minRuns: minRuns * count / windows, maxSeconds: maxSeconds * scale, windows: count)
    }
  }

  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  /// Runs per second of `body`: one untimed warm-up call unless `warmUp` is false (it allocates the
  /// scratch buffers), then the best of `budget.windows` windows (three unless asked), each an equal
  /// share of `budget` (at least one call).
  /// The best window measures the code rather than a neighbour's load on a shared machine; the NumPy
  /// peer is timed the same way. Returns the rate and the number of timed calls.
  static func rate(_ budget: Budget, warmUp: Bool = true, _ body: () throws -> Void) rethrows -> (perSecond: Double, runs: Int) {
    if warmUp { try body() }
    let clock = ContinuousClock()
    let window = budget.window
    var best = 0.0, total = 0
    for _ in 0..<budget.windows {
      let start = clock.now
      var runs = 0, elapsed = 0.0
      repeat {
        try body()
        runs += 1
        elapsed = seconds(clock.now - start)
      } while !window.done(runs: runs, seconds: elapsed)
      best = max(best, Double(runs) / elapsed)
      total += runs
    }
    return (best, total)
  }

  /// The median seconds of `body` over repetitions until `budget` is met; `prepare` runs untimed
  /// before each one (e.g. to restore a matrix a factorization overwrote).
  static func medianSeconds(_ budget: Budget, prepare: () -> Void = {}, _ body: () -> Void) -> (seconds: Double, runs: Int) {
    let clock = ContinuousClock()
    var samples: [Double] = [], total = 0.0
    repeat {
      prepare()
      let start = clock.now
      body()
      let s = seconds(clock.now - start)
      samples.append(s)
      total += s
    } while !budget.done(runs: samples.count, seconds: total)
    samples.sort()
    let k = samples.count
    return (k % 2 == 1 ? samples[k / 2] : 0.5 * (samples[k / 2 - 1] + samples[k / 2]), k)
  }

  /// Median seconds per call of `a` and of `b` over `rounds` rounds of `calls` calls each. Every
  /// round times one after the other, so that both see the same load on a shared machine and their
  /// ratio stays steady when the absolute times do not.
  static func time(rounds: Int = 15, calls: Int, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    var samples: ([Double], [Double]) = ([], [])
    let clock = ContinuousClock()
    func perCall(_ body: () -> Void) -> Double {
      let start = clock.now
      for _ in 0..<calls { body() }
      return seconds(clock.now - start) / Double(calls)
    }
    for _ in 0..<rounds {
      samples.0.append(perCall(a))
      samples.1.append(perCall(b))
    }
    return (samples.0.sorted()[rounds / 2], samples.1.sorted()[rounds / 2])
  }

  /// Expression-defined potentials against their built-in equivalents: nanoseconds per value and
  /// gradient through `ScalarField` (as `PotentialEnergy` calls them), and the ratio.
  public static func expressions() throws -> [Row] {
    var rows: [Row] = []
    func compare(_ label: String, builtin: any ScalarField, formula: String, constants: [String: Double]) throws {
      let d = builtin.dimension
      let e = ExpressionField(try CompiledExpression(formula, signature: .euclidean(dimension: d, constants: constants)))
      var rng = RandomStream(seed: 1).generator()
      let points = (0..<(4096 * d)).map { _ in rng.normal() }
      var gradient = [Double](repeating: 0, count: d)
      var sink = 0.0
      func sweep(_ f: any ScalarField) {
        points.withUnsafeBufferPointer { p in
          gradient.withUnsafeMutableBufferPointer { g in
            for i in 0..<4096 { sink += f.evaluate(p.baseAddress! + i * d, gradient: g.baseAddress!) }
          }
        }
      }
      let (tb, tx) = time(calls: 20, { sweep(builtin) }, { sweep(e) })
      let b = tb / 4096 * 1e9, x = tx / 4096 * 1e9
      rows.append(Row(suite: "expressions", name: "\(label) built-in", value: b, unit: "ns/eval", note: "value + gradient"))
      rows.append(Row(suite: "expressions", name: "\(label) formula", value: x, unit: "ns/eval", note: formula))
      rows.append(Row(suite: "expressions", name: "\(label) ratio", value: x / b, unit: "×", note: "target ≤ 3" + (sink.isNaN ? " " : "")))
    }
    try compare("quadratic d=2", builtin: QuadraticPotential(dimension: 2, a: 1.5), formula: "0.5*a*|x|^2", constants: ["a": 1.5])
    try compare("quadratic d=10", builtin: QuadraticPotential(dimension: 10, a: 1.5), formula: "0.5*a*|x|^2", constants: ["a": 1.5])
    try compare("double well d=2", builtin: DoubleWellPotential(dimension: 2, height: 1, separation: 1, a: 1),
                formula: "h*(x1^2 - 1)^2 + 0.5*a*x2^2", constants: ["h": 1, "a": 1])
    try compare("gaussian wells d=2",
                builtin: GaussianWellsPotential(centers: [[1, 0], [-1, 0]], depths: [1, 1], widths: [0.5, 0.5], confinement: 0.1),
                formula: "-h*exp(-((x1 - 1)^2 + x2^2)/(2*s^2)) - h*exp(-((x1 + 1)^2 + x2^2)/(2*s^2)) + 0.5*a*|x|^2",
                constants: ["h": 1, "s": 0.5, "a": 0.1])
    return rows
  }

  /// A performance target's verdict for a note: "target ≥ 5×: met" or "target ≥ 5×: NOT MET".
  static func target(_ goal: String, met: Bool) -> String { "target \(goal): " + (met ? "met" : "NOT MET") }

  /// The rows whose performance target was not met (shown, but they do not fail the run).
  public static func unmetTargets(_ rows: [Row]) -> [Row] { rows.filter { $0.note.contains(": NOT MET") } }

  /// What `mfld bench` ends with: status 3 and an error naming the failed checks when a row failed (a
  /// peer mismatch or error), else 0; a warning naming the targets not met, which never change the status.
  public static func outcome(_ rows: [Row]) -> (status: Int32, warning: String?, error: String?) {
    let unmet = unmetTargets(rows), failed = rows.filter(\.failed)
    let warning = unmet.isEmpty ? nil : "\(unmet.count) performance target\(unmet.count == 1 ? "" : "s") not met (not a failure): "
      + unmet.map(\.name).joined(separator: "; ")
    let error = failed.isEmpty ? nil : "\(failed.count) check\(failed.count == 1 ? "" : "s") failed (see the table): "
      + failed.map(\.name).joined(separator: "; ")
    return (failed.isEmpty ? 0 : 3, warning, error)
  }

  /// A figure as the table prints it: 4 significant digits at most, scientific for tiny values.
  static func format(_ v: Double) -> String {
    if !v.isFinite { return v.isNaN ? "—" : (v > 0 ? "∞" : "−∞") }
    if v != 0 && abs(v) < 0.01 { return String(format: "%.1e", v) }
    return String(format: abs(v) < 10 ? "%.2f" : (abs(v) < 1000 ? "%.1f" : "%.0f"), v)
  }

  /// A table that pastes into Markdown (`|` inside a cell is escaped).
  public static func table(_ rows: [Row]) -> String {
    func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
    var out = ["| suite | benchmark | value | unit | note |", "| --- | --- | ---: | --- | --- |"]
    for r in rows {
      out.append("| \(cell(r.suite)) | \(cell(r.name)) | \(format(r.value)) | \(cell(r.unit)) | \(cell(r.note)) |")
    }
    return out.joined(separator: "\n")
  }

  /// The rows as a JSON array of {suite, name, value, unit, note, failed} (value null when there is none).
  public static func json(_ rows: [Row]) -> String {
    ConfigValue.array(rows.map { r in
      .object(["suite": .string(r.suite), "name": .string(r.name), "value": .real(r.value), "unit": .string(r.unit),
               "note": .string(r.note), "failed": .bool(r.failed)])
    }).jsonText(pretty: true)
  }

  /// The process's peak resident set size so far.
  static func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  }
}
