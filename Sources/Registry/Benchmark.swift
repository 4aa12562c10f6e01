import Foundation
import Objectives
import SolverAPI

/// Benchmarks `mfld bench` runs: each row is one measured figure, printed as a table or JSON.
/// Figures are medians of repeated timed rounds (release builds only give meaningful numbers).
public enum Benchmark {
  public struct Row: Sendable {
    public var suite: String
    public var name: String
    public var value: Double
    public var unit: String
    public var note: String
  }

  /// Median seconds per call of `a` and of `b` over `rounds` rounds of `calls` calls each. Every
  /// round times one after the other, so that both see the same load on a shared machine and their
  /// ratio stays steady when the absolute times do not.
  static func time(rounds: Int = 15, calls: Int, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    var samples: ([Double], [Double]) = ([], [])
    let clock = ContinuousClock()
    func seconds(_ body: () -> Void) -> Double {
      let start = clock.now
      for _ in 0..<calls { body() }
      let d = clock.now - start
      return (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18) / Double(calls)
    }
    for _ in 0..<rounds {
      samples.0.append(seconds(a))
      samples.1.append(seconds(b))
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

  /// A table that pastes into Markdown.
  public static func table(_ rows: [Row]) -> String {
    var out = ["| suite | benchmark | value | unit | note |", "| --- | --- | ---: | --- | --- |"]
    for r in rows {
      out.append("| \(r.suite) | \(r.name) | \(String(format: r.value < 10 ? "%.2f" : "%.1f", r.value)) | \(r.unit) | \(r.note) |")
    }
    return out.joined(separator: "\n")
  }

  /// The rows as a JSON array.
  public static func json(_ rows: [Row]) -> String {
    ConfigValue.array(rows.map { r in
      .object(["suite": .string(r.suite), "name": .string(r.name), "value": .real(r.value), "unit": .string(r.unit), "note": .string(r.note)])
    }).jsonText(pretty: true)
  }
}

extension Benchmark {
  /// Steps per second of whole solver steps at the standard sizes of the performance issue, on 1 and 2
  /// threads, with the peak resident memory so far. `quick` runs the small sizes only.
  public static func steps(quick: Bool) throws -> [Row] {
    struct Case { var name: String; var config: ConfigValue; var steps: Int }
    func network(_ reduction: ConfigValue, n: Int, m: Int, d: Int) -> ConfigValue {
      ["seed": 1, "objective": ["type": "two-layer-network", "data": ["type": "teacher", "dimension": .integer(d), "samples": .integer(n)], "lambda": 0.001],
       "reduction": reduction, "integrator": ["type": "euler-maruyama", "step": 0.1, "temperature": 1e-4],
       "particles": ["count": .integer(m), "init": "uniform"], "steps": 0, "record": ["every": 1_000_000]]
    }
    func mckeanVlasov(m: Int) -> ConfigValue {
      ["seed": 1, "domain": ["type": "euclidean", "dimension": 2],
       "objective": ["type": "sum", "terms": [["type": "potential", "V": "quadratic"],
                                              ["type": "interaction", "W": ["type": "gaussian", "bandwidth": 0.5, "strength": -1.0]]]],
       "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.5],
       "particles": ["count": .integer(m)], "steps": 0, "record": ["every": 1_000_000]]
    }
    var cases: [Case] = []
    let sizes = quick ? [(500, 200, 10)] : [(500, 200, 10), (1000, 1000, 20), (4000, 2000, 50)]
    for (n, m, d) in sizes {
      let k = n * m > 1_000_000 ? 2 : 20
      cases.append(Case(name: "bilevel (n, m, d) = (\(n), \(m), \(d))", config: network("bilevel", n: n, m: m, d: d), steps: k))
      cases.append(Case(name: "lift (n, m, d) = (\(n), \(m), \(d))", config: network(["type": "lift", "metric": "wasserstein"], n: n, m: m, d: d), steps: k))
    }
    for m in quick ? [1000] : [1000, 4000] {
      cases.append(Case(name: "McKean–Vlasov, Gaussian interaction O(m²), m = \(m)", config: mckeanVlasov(m: m), steps: m > 2000 ? 5 : 20))
    }
    var rows: [Row] = []
    for c in cases {
      var rates: [Double] = []
      for threads in [1, 2] {
        var e = try Experiment.compose(c.config, overrides: ["threads=\(threads)"])
        e.plan.lastStep = c.steps
        let clock = ContinuousClock(), start = clock.now
        _ = try Solver.run(e.plan, sink: TraceTable())
        let d = (clock.now - start).components
        rates.append(Double(c.steps) / (Double(d.seconds) + Double(d.attoseconds) * 1e-18))
      }
      rows.append(Row(suite: "steps", name: c.name + ", 1 thread", value: rates[0], unit: "steps/s", note: ""))
      rows.append(Row(suite: "steps", name: c.name + ", 2 threads", value: rates[1], unit: "steps/s",
                      note: String(format: "%.2f× one thread; peak RSS %.0f MB", rates[1] / rates[0], peakResidentMegabytes())))
    }
    return rows
  }

  /// The process's peak resident set size so far.
  static func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
  }
}
