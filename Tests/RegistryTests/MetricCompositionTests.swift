import Formats
import Integrators
import Registry
import SolverAPI
import Testing

/// The metric as a part: composed for every problem, documented and validated like every other part, and
/// refused — with the key path, both parts and a fix — where it cannot serve.
struct MetricCompositionTests {
  static let potential: ConfigValue = [
    "domain": ["type": "euclidean", "dimension": 1],
    "objective": ["type": "potential", "V": ["type": "quadratic"]],
    "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.5],
    "particles": ["count": 20],
    "steps": 3,
  ]

  static let network: ConfigValue = [
    "objective": ["type": "two-layer-network", "data": ["type": "teacher", "dimension": 3, "samples": 20], "lambda": 0.01],
    "reduction": "bilevel",
    "integrator": ["type": "euler-maruyama", "step": 0.1, "temperature": 1e-4],
    "particles": ["count": 10, "init": "uniform"],
    "steps": 3,
  ]

  static func with(_ base: ConfigValue, _ changes: [String: ConfigValue]) -> ConfigValue {
    guard case .object(var o) = base else { return base }
    for (k, v) in changes { o[k] = v }
    return .object(o)
  }

  /// The one-line error composing `config` gives, or nil.
  func error(_ config: ConfigValue) -> String? {
    do { _ = try Composition.compose(config, file: "c.json"); return nil } catch { return "\(error)" }
  }

  @Test("every config shows its metric, wasserstein by default, and composes the metric that moves its particles")
  func defaultMetric() throws {
    let c = try Composition.compose(Self.potential)
    guard case .object(let o) = c.config else { Issue.record("not an object"); return }
    #expect(o["metric"] == ["type": "wasserstein", "ratio": 1.0])
    #expect(c.plan.problem.metric is WassersteinMetric<Euclidean>)
    let lifted = try Composition.compose(Self.with(Self.network, ["reduction": "lift"]))
    #expect(lifted.plan.problem.metric is LiftedWassersteinMetric)
    let conic = try Composition.compose(Self.with(Self.network, ["reduction": "lift", "metric": "conic"]))
    #expect(conic.plan.problem.metric is ConicMetric && conic.plan.problem.metric.liftedMass == .signedSquare)
  }

  @Test("the birth–death metrics serve objectives over probability measures and the bilevel reduction's J_λ")
  func birthDeathComposes() throws {
    for metric: ConfigValue in ["fisher-rao", ["type": "wasserstein-fisher-rao", "alpha": 2.0]] {
      let p = try Composition.compose(Self.with(Self.potential, ["metric": metric]))
      #expect(p.plan.problem.metric.needsFirstVariationValues)
      let b = try Composition.compose(Self.with(Self.network, ["metric": metric]))
      #expect(b.plan.problem.metric.needsFirstVariationValues)
    }
  }

  @Test("an unknown metric gets a did-you-mean and the list of metrics")
  func unknownMetric() {
    let e = error(Self.with(Self.potential, ["metric": "wasserstien"]))
    #expect(e == "c.json: metric.type: unknown metric 'wasserstien' (did you mean 'wasserstein'?) — please provide one of conic, fisher-rao, wasserstein, wasserstein-fisher-rao")
  }

  @Test("conic on an unlifted problem is refused, naming the domain and the fix", arguments: [potential, network])
  func conicNeedsLift(_ base: ConfigValue) {
    let e = error(Self.with(base, ["metric": "conic"])) ?? ""
    #expect(e.hasPrefix("c.json: metric: the conic metric moves lifted particles (r, w) ∈ ℝ × W; these particles live on "), "\(e)")
    #expect(e.contains("\"reduction\": \"lift\""), "\(e)")
  }

  @Test("a reaction rate α ≤ 0 is refused at metric.alpha", arguments: [0.0, -1.0])
  func nonPositiveRate(_ alpha: Double) {
    for type in ["fisher-rao", "wasserstein-fisher-rao"] {
      let e = error(Self.with(Self.potential, ["metric": ["type": .string(type), "alpha": .real(alpha)]])) ?? ""
      #expect(e.hasPrefix("c.json: metric.alpha: must be > 0, found \(CSVFormat.number(alpha))"), "\(e)")
    }
  }

  @Test("a parameter of another metric is refused with the keys this one takes")
  func wrongMetricParameter() {
    #expect(error(Self.with(Self.potential, ["metric": ["type": "wasserstein", "alpha": 1.0]]))
            == "c.json: metric.alpha: unknown key for metric 'wasserstein' — valid keys: ratio")
    #expect(error(Self.with(Self.network, ["reduction": "lift", "metric": ["type": "conic", "ratio": 2.0]]))
            == "c.json: metric.ratio: unknown key for metric 'conic' — valid keys: alpha, retraction")
    #expect(error(Self.with(Self.potential, ["metric": ["type": "wasserstein", "ratio": 2.0]]))?
              .hasPrefix("c.json: metric.ratio: applies to lifted particles (r, w) ∈ ℝ × W; these particles live on ℝ^1") == true)
  }

  @Test("birth and death refuse lifted particles (use conic), and the integrators whose chains need transport refuse fisher-rao")
  func birthDeathRefusals() {
    let lifted = error(Self.with(Self.network, ["reduction": "lift", "metric": "fisher-rao"])) ?? ""
    #expect(lifted.hasPrefix("c.json: metric: 'fisher-rao' reweights particles of a probability measure on their domain"), "\(lifted)")
    #expect(lifted.contains("use \"conic\""), "\(lifted)")
    for integrator: ConfigValue in [["type": "best-response", "step": 0.01, "temperature": 0.5],
                                    ["type": "dual-averaging", "step": 0.01, "temperature": 0.5]] {
      let e = error(Self.with(Self.potential, ["metric": "fisher-rao", "integrator": integrator])) ?? ""
      #expect(e.hasPrefix("c.json: integrator.type: '") && e.contains("cannot serve 'potential'") && e.contains("by transport, and the metric has none"),
              "\(e)")
      #expect(error(Self.with(Self.potential, ["metric": "wasserstein-fisher-rao", "integrator": integrator])) == nil)
    }
  }

  @Test("the lift reduction's old metric keys are refused with the new spelling", arguments: ["metric", "ratio", "alpha", "retraction"])
  func movedLiftKeys(_ key: String) {
    let old: ConfigValue = ["type": "lift", .init(stringLiteral: key): key == "metric" || key == "retraction" ? "conic" : 1.0]
    let e = error(Self.with(Self.network, ["reduction": old])) ?? ""
    #expect(e.hasPrefix("c.json: reduction.\(key): is no longer a key of reduction 'lift' — the metric is a part of its own"), "\(e)")
    #expect(e.contains("\"metric\": {\"type\": \"conic\""), "\(e)")
  }
}

/// Every built-in integrator with every metric, on the problems each metric serves: it composes and runs,
/// or it is refused when composed — never a crash at the first step.
struct IntegratorMetricMatrixTests {
  static let integrators: [ConfigValue] = [
    ["type": "euler-maruyama", "step": 0.05, "temperature": 1e-3],
    ["type": "sgd", "step": 0.05, "temperature": 1e-3, "batch_size": 8],
    ["type": "svrg", "step": 0.05, "temperature": 1e-3, "batch_size": 8, "anchor_period": 3],
    ["type": "dual-averaging", "step": 0.05, "temperature": 1e-3, "inner_steps": 2],
    ["type": "best-response", "step": 0.05, "temperature": 1e-3, "inner_steps": 2],
  ]

  /// (problem, metrics it serves).
  static let problems: [(name: String, config: ConfigValue, metrics: [ConfigValue])] = [
    ("potential", MetricCompositionTests.potential, ["wasserstein", "fisher-rao", "wasserstein-fisher-rao"]),
    ("bilevel", MetricCompositionTests.network, ["wasserstein", "fisher-rao", "wasserstein-fisher-rao"]),
    ("lift", MetricCompositionTests.with(MetricCompositionTests.network, ["reduction": "lift"]), ["wasserstein", "conic"]),
  ]

  @Test("integrator × metric: runs, or is refused when composed for the documented reason", arguments: problems.indices)
  func matrix(_ index: Int) throws {
    let (name, base, metrics) = Self.problems[index]
    var ran = 0, refused = 0
    defer { #expect(ran + refused == Self.integrators.count * metrics.count && ran >= 7, "\(name): \(ran) ran, \(refused) refused") }
    for integrator in Self.integrators {
      for metric in metrics {
        let config = MetricCompositionTests.with(base, ["integrator": integrator, "metric": metric])
        let label = "\(name), \(integrator.jsonText(pretty: false)), \(metric.jsonText(pretty: false))"
        guard case .object(let i) = integrator, case .string(let type)? = i["type"] else { continue }
        let minibatch = type == "sgd" || type == "svrg", chain = type == "dual-averaging" || type == "best-response"
        let refusal: String? = minibatch && name == "potential" ? "a minibatch needs data"
          : chain && metric == "fisher-rao" ? "by transport, and the metric has none" : nil
        do {
          let composed = try Composition.compose(config, file: "m.json")
          #expect(refusal == nil, "\(label): composed, expected a refusal (\(refusal ?? ""))")
          let outcome = try Solver.run(composed.plan, sink: TraceTable())
          #expect(outcome.failure == nil && outcome.stepsTaken == 3, "\(label): \(String(describing: outcome.failure))")
          ran += 1
        } catch let e as ConfigError {
          refused += 1
          #expect(refusal.map { e.description.contains($0) && e.path == "integrator.type" } == true, "\(label): \(e)")
        }
      }
    }
  }
}
