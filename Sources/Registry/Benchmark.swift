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
