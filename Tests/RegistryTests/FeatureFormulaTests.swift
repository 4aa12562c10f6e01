import Foundation
import Formats
import Registry
import SolverAPI
import Testing

/// Signed problems by formula (`feature-formula`): the same runs as the built-in network and deconvolution
/// objectives they spell out, exact Jacobians, and errors at the formula's key path.
struct FeatureFormulaTests {
  static let teacher: ConfigValue = ["type": "teacher", "dimension": 5, "samples": 200, "test_samples": 200, "neurons": 3]

  static func network(_ objective: ConfigValue, reduction: ConfigValue) -> ConfigValue {
    ["seed": 1, "objective": objective, "reduction": reduction,
     "integrator": ["type": "euler-maruyama", "step": 0.5, "temperature": 1e-4],
     "particles": ["count": 100, "init": "uniform"], "steps": 150, "record": ["every": 10]]
  }

  static let truth: ConfigObject = ["spikes": [[0.2], [0.45], [0.8]], "masses": [1.0, -0.6, 0.8], "grid": 64]

  static func deconvolution(_ objective: ConfigValue, reduction: ConfigValue) -> ConfigValue {
    ["seed": 4, "objective": objective, "reduction": reduction,
     "integrator": ["type": "euler-maruyama", "step": 0.001, "temperature": 1e-7],
     "particles": ["count": 60, "init": "uniform"], "steps": 150, "record": ["every": 10]]
  }

  func trace(_ config: ConfigValue) throws -> TraceTable {
    let t = TraceTable()
    _ = try Solver.run(try Composition.compose(config).plan, sink: t)
    return t
  }

  /// Every column both traces record (but the inner solve's iteration count) agrees to `tolerance`,
  /// relative to max(1, |value|), on every row.
  func expectSameRun(_ a: TraceTable, _ b: TraceTable, tolerance: Double, _ label: String) throws {
    let common = a.columns.filter { b.columns.contains($0) && $0 != "inner_iterations" }
    #expect(common.contains("G_lambda") && a.rows.count == b.rows.count && a.rows.count == 16, "\(label): \(a.rows.count) rows")
    var worst = 0.0
    for c in common {
      for (x, y) in zip(try a.column(c), try b.column(c)) where !(x.isNaN && y.isNaN) {
        worst = max(worst, abs(x - y) / max(1, abs(x)))
      }
    }
    #expect(worst <= tolerance, "\(label): largest difference \(worst)")
  }

  @Test("relu(dot(w, x)) with a bias on S^5 is the built-in relu network, to 1e-10, under both reductions", arguments: ["bilevel", "lift"])
  func reluNetwork(_ reduction: String) throws {
    let builtin = try trace(Self.network(["type": "two-layer-network", "data": Self.teacher, "activation": "relu", "lambda": 0.001],
                                         reduction: .string(reduction)))
    let formula = try trace(Self.network(["type": "feature-formula", "feature": "relu(dot(w, x))", "bias": true,
                                          "domain": ["type": "sphere", "dimension": 5], "data": Self.teacher, "lambda": 0.001],
                                         reduction: .string(reduction)))
    #expect(builtin.columns == formula.columns)
    try expectSameRun(builtin, formula, tolerance: 1e-10, "relu, \(reduction)")
  }

  @Test("exp(-|z|^2/(2*s^2)) on T^1 with spikes data is Gaussian sparse deconvolution, to 1e-10, under both reductions",
        arguments: ["bilevel", "lift"])
  func gaussianDeconvolution(_ reduction: String) throws {
    var builtin = Self.truth, data = Self.truth
    builtin["type"] = "sparse-deconvolution"; builtin["kernel"] = "gaussian"; builtin["width"] = 0.05; builtin["lambda"] = 1e-4
    data["type"] = "spikes"; data["kernel"] = "gaussian"; data["width"] = 0.05
    let a = try trace(Self.deconvolution(.object(builtin), reduction: .string(reduction)))
    let b = try trace(Self.deconvolution(["type": "feature-formula", "feature": "exp(-|z|^2/(2*s^2))", "constants": ["s": 0.05],
                                          "domain": ["type": "torus", "dimension": 1], "data": .object(data), "lambda": 1e-4],
                                         reduction: .string(reduction)))
    // The built-in's periodized Gaussian adds the images beyond the nearest (≤ e^{−1/(8s²)} = e^{−50}): below the tolerance.
    try expectSameRun(a, b, tolerance: 1e-10, "gaussian deconvolution, \(reduction)")
  }

  @Test("a formula objective passes the feature-map law, composes with every metric it fits and the minibatch integrators, and runs")
  func composesAndChecks() throws {
    let objective: ConfigValue = ["type": "feature-formula", "feature": "tanh(dot(w, x)) + 0.1*sin(w1*x2)", "bias": true,
                                  "domain": ["type": "sphere", "dimension": 3],
                                  "data": ["type": "teacher", "dimension": 3, "samples": 40], "lambda": 0.01]
    for (reduction, metric) in [("bilevel", "wasserstein-fisher-rao"), ("lift", "conic"), ("bilevel", "wasserstein")] as [(ConfigValue, ConfigValue)] {
      let base: ConfigValue = ["objective": objective, "reduction": reduction, "metric": metric,
                               "integrator": ["type": "svrg", "step": 0.1, "temperature": 1e-4, "batch_size": 10],
                               "particles": ["count": 8, "init": "uniform"], "steps": 5]
      let registry = Registry.standard()
      let laws = try ConfigCheck.laws(try Composition.compose(base, registry: registry), registry: registry)
      #expect(laws.contains { $0.part == "feature map of 'feature-formula'" && $0.passed })
      for failure in laws where !failure.passed { Issue.record("\(reduction), \(metric): \(failure)") }
      let outcome = try Solver.run(try Composition.compose(base).plan, sink: TraceTable())
      #expect(outcome.failure == nil && outcome.stepsTaken == 5)
    }
  }

  @Test("a bad formula is refused at objective.feature with the column; z needs data of the particles' dimension")
  func errors() {
    func error(_ feature: String, bias: Bool = true) -> String {
      do {
        _ = try Composition.compose(Self.network(["type": "feature-formula", "feature": .string(feature), "bias": .bool(bias),
                                                  "domain": ["type": "sphere", "dimension": 5], "data": Self.teacher], reduction: "bilevel"),
                                    file: "f.json")
        return ""
      } catch { return "\(error)" }
    }
    #expect(error("relu(dott(w, x))").hasPrefix("f.json: objective.feature: unknown function 'dott' at column 6 (did you mean 'dot'?)"))
    let z = error("exp(-|z|^2)", bias: false)
    #expect(z.hasPrefix("f.json: objective.feature: ") && z.contains("z = w − x needs data points of 6 coordinates (5 here)"), "\(z)")
  }
}
