import Formats
import Foundation
import Objectives
import Registry
import SolverAPI
import Testing

/// Every objective, potential and kernel in the registry passes the finite-difference laws of
/// `FirstVariationCheck`, on every domain it serves. A part added without a sample here fails
/// `everyPartHasASample`, so coverage cannot silently lapse.
struct FirstVariationTests {
  static let domains: [String: ConfigValue] = [
    "ℝ^2": ["type": "euclidean", "dimension": 2],
    "S^2": ["type": "sphere", "dimension": 2],
    "T^2": ["type": "torus", "dimension": 2],
  ]

  /// One objective config per registered part (objectives directly; potentials inside `potential`,
  /// kernels inside `interaction`).
  /// Samples with explicit coordinates (centers) apply to the 2-coordinate domains only.
  static let planar: Set<String> = ["ℝ^2", "T^2"]
  static let samples: [(kind: PartKind, name: String, objective: ConfigValue)] = [
    (.objective, "potential", ["type": "potential", "V": ["type": "double-well", "height": 0.7, "separation": 0.8]]),
    (.objective, "interaction", ["type": "interaction", "W": ["type": "gaussian", "bandwidth": 0.6, "strength": -1.0]]),
    (.objective, "sum", ["type": "sum", "terms": [
      ["type": "potential", "V": ["type": "quadratic", "a": 2.0]],
      ["type": "interaction", "W": ["type": "gaussian", "bandwidth": 0.8]],
    ]]),
    (.objective, "mmd", ["type": "mmd", "target": ["type": "gaussian", "std": 0.5], "target_count": 7,
                         "kernel": ["type": "gaussian", "bandwidth": 0.7]]),
    (.potential, "quadratic", ["type": "potential", "V": ["type": "quadratic", "a": 1.5, "center": [0.2, -0.1]]]),
    (.potential, "double-well", ["type": "potential", "V": ["type": "double-well", "height": 2.0, "a": 0.5]]),
    (.potential, "gaussian-wells", ["type": "potential", "V": ["type": "gaussian-wells", "centers": [[0.5, 0.0], [-0.5, 0.3]],
                                                              "depths": [1.0, 2.0], "widths": [0.4, 0.7], "confinement": 0.3]]),
    (.potential, "expression", ["type": "potential", "V": ["type": "expression", "formula": "0.25*(|x|^2 - 1)^2 + c*sin(2*pi*x1) + 0.1*dot(x, x)",
                                                          "constants": ["c": 0.1]]]),
    (.kernel, "quadratic", ["type": "interaction", "W": ["type": "quadratic", "b": 1.7]]),
    (.kernel, "expression", ["type": "interaction", "W": "exp(-|z|^2/2) - 0.2*|z|^2"]),
    (.kernel, "gaussian", ["type": "interaction", "W": ["type": "gaussian", "bandwidth": 0.5, "strength": 2.0]]),
  ]

  func experiment(objective: ConfigValue, domain: ConfigValue) throws -> Composition {
    try Composition.compose([
      "domain": domain,
      "objective": objective,
      "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.0],
      "particles": ["count": 5, "init": ["type": "gaussian", "std": 0.7]],
      "steps": 0,
    ])
  }

  /// Signed objectives, checked through every reduction that serves them. (Law 3 extrapolates in the
  /// mixture weight ε; J_λ's curvature in ε grows like |Φ|²/(nλ), so the deconvolution samples, whose
  /// Dirichlet features reach 2K + 1, use λ = 1 to keep ε = 1/(20m) in the asymptotic range.)
  static let signedSamples: [(name: String, objective: ConfigValue)] = {
    var out: [(String, ConfigValue)] = []
    for activation in ["relu", "tanh", "sigmoid", "softplus"] {
      for loss in ["square", "logistic"] {
        out.append(("two-layer-network", ["type": "two-layer-network", "activation": .string(activation), "loss": .string(loss), "lambda": 0.01,
                                          "data": .string(loss == "logistic" ? "labels-sign" : "teacher")]))
      }
    }
    out.append(("two-layer-network", ["type": "two-layer-network", "activation": "tanh", "domain": "euclidean", "lambda": 0.01, "data": "teacher"]))
    out.append(("two-layer-network", ["type": "two-layer-network", "activation": "tanh(t) + 0.1*t^2", "lambda": 0.01, "data": "teacher"]))
    out.append(("single-neuron", ["type": "single-neuron", "dimension": 3, "samples": 12, "activation": "softplus", "lambda": 0.01]))
    out.append(("feature-formula", ["type": "feature-formula", "feature": "tanh(dot(w, x)) + 0.2*sin(3*w1*x2)", "bias": true,
                                    "domain": ["type": "sphere", "dimension": 3], "data": "teacher", "lambda": 0.01]))
    out.append(("feature-formula", ["type": "feature-formula", "feature": "exp(-|z|^2/(2*s^2))", "constants": ["s": 0.2],
                                    "domain": ["type": "torus", "dimension": 1],
                                    "data": ["type": "spikes", "spikes": [[0.3]], "masses": [1.0], "grid": 12, "kernel": "gaussian", "width": 0.2],
                                    "lambda": 1.0]))
    out.append(("sparse-deconvolution", ["type": "sparse-deconvolution", "spikes": [[0.2], [0.6]], "masses": [1.0, -0.5], "grid": 16, "cutoff": 3, "lambda": 1.0]))
    out.append(("sparse-deconvolution", ["type": "sparse-deconvolution", "dimension": 2, "kernel": "gaussian", "width": 0.15,
                                         "spikes": [[0.2, 0.3], [0.6, 0.7]], "masses": [1.0, 0.8], "grid": 6, "lambda": 1.0]))
    return out
  }()

  /// Every reduction, with each metric that serves it.
  static let reductions: [(reduction: ConfigValue, metric: ConfigValue)] = [
    ("bilevel", "wasserstein"), (["type": "bilevel", "solver": "woodbury"], "wasserstein"), ("lift", "wasserstein"),
    (["type": "lift", "initial_weight": 0.8], "conic"),
  ]

  /// The data sets the signed samples name: a small teacher, and ±1 labels for the logistic loss.
  static func data(_ name: String) -> ConfigValue {
    name == "teacher"
      ? ["type": "teacher", "dimension": 3, "samples": 12, "neurons": 2, "activation": "tanh"]
      : ["type": "csv", "file": .string(signsFile)]
  }

  static let signsFile: String = {
    var text = "x1,x2,x3,y\n"
    var rng = RandomStream(seed: 77).generator()
    for k in 0..<12 { text += "\(rng.normal()),\(rng.normal()),\(rng.normal()),\(k % 3 == 0 ? -1 : 1)\n" }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mfld-signs-\(getpid()).csv").path
    try? text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }()

  @Test("signed objectives' first variations agree with finite differences through every reduction",
        arguments: Self.signedSamples.indices)
  func signedFirstVariation(_ index: Int) throws {
    var (name, objective) = Self.signedSamples[index]
    if case .object(var o) = objective, case .string(let d)? = o["data"] { o["data"] = Self.data(d); objective = .object(o) }
    for (reduction, metric) in Self.reductions {
      let e = try Composition.compose([
        "objective": objective, "reduction": reduction, "metric": metric,
        "integrator": ["type": "euler-maruyama", "step": 0.01, "temperature": 0.0],
        "particles": ["count": 5, "init": ["type": "gaussian", "std": 0.6]], "steps": 0,
      ])
      let failures = try FirstVariationCheck().check(e.plan.problem.objective, on: e.plan.state.cloud, geometry: e.plan.problem.metric.geometry,
                                                     random: RandomStream(seed: UInt64(index)))
      #expect(failures.isEmpty, "\(name) \(objective.jsonText(pretty: false)) with \(reduction.jsonText(pretty: false)), \(metric.jsonText(pretty: false)): \(failures)")
    }
  }

  @Test("every objective, potential and kernel has a sample here")
  func everyPartHasASample() {
    let registry = Registry.standard()
    for kind in [PartKind.objective, .potential, .kernel] {
      for name in registry.names(kind) {
        #expect(Self.samples.contains { $0.kind == kind && $0.name == name } || Self.signedSamples.contains { kind == .objective && $0.name == name },
                "no finite-difference sample for \(kind.rawValue) '\(name)'")
      }
    }
  }

  @Test("first variations agree with finite differences", arguments: Self.samples.indices)
  func firstVariation(_ index: Int) throws {
    let sample = Self.samples[index]
    let hasCoordinates = sample.objective.jsonText().contains("center")
    for (domainName, domain) in Self.domains.sorted(by: { $0.key < $1.key }) where !hasCoordinates || Self.planar.contains(domainName) {
      let e = try experiment(objective: sample.objective, domain: domain)
      let failures = try FirstVariationCheck().check(e.plan.problem.objective, on: e.plan.state.cloud, geometry: e.domain,
                                                     random: RandomStream(seed: UInt64(index)))
      #expect(failures.isEmpty, "\(sample.kind.rawValue) '\(sample.name)' on \(domainName): \(failures)")
    }
  }

  @Test("the check catches a wrong gradient")
  func checkHasPower() throws {
    /// V(x) = |x|², with a gradient off by a factor: the check must fail.
    struct Wrong: ScalarField {
      var dimension: Int { 2 }
      func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
        gradient?[0] = 2.2 * x[0]; gradient?[1] = 2 * x[1]
        return x[0] * x[0] + x[1] * x[1]
      }
    }
    let cloud = ParticleCloud(count: 3, dimension: 2, coordinates: [0.3, 0.1, -0.5, 0.4, 1, 1])
    let failures = try FirstVariationCheck().check(PotentialEnergy(potential: Wrong()), on: cloud,
                                                   geometry: Euclidean(dimension: 2), random: RandomStream(seed: 1))
    #expect(!failures.isEmpty)
  }
}
