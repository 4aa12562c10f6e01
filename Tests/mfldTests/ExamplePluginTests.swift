import Foundation
import MFLD
import Testing

/// The example plugin's parts — one of every kind — through the real shared library and the unmodified
/// `mfld`: each against a known answer, composed with built-in parts in both directions (a plugin
/// integrator with built-in metrics and schedules, built-in integrators with a plugin metric, domain,
/// reference and reduction), checked by `mfld check`, resumed bit for bit, and failing on one line.
struct ExamplePluginTests {
  static func library() throws -> String { try PluginTests.library() }

  /// Runs `mfld run CONFIG --set …` into a fresh folder; returns the folder.
  func run(_ config: String, _ sets: [String] = [], threads: Int? = nil, plugin: Bool = false) throws -> URL {
    _ = try Self.library()  // the example configs name the library: build it first
    let out = try MFLD.temporaryDirectory()
    let r = try MFLD.run(["run", config, "--out", out.path, "--quiet"] + sets.flatMap { ["--set", $0] }
                         + (threads.map { ["--threads", "\($0)"] } ?? []) + (plugin ? ["--plugin", try Self.library()] : []))
    #expect(r.status == 0, "\(config) \(sets): \(r.stderr)")
    return out
  }

  /// The rows of a CSV file (header dropped) as numbers.
  func rows(_ dir: URL, _ file: String) throws -> [[Double]] {
    try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").dropFirst()
      .map { $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan } }
  }

  func header(_ dir: URL) throws -> [String] {
    try String(contentsOf: dir.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n")[0]
      .split(separator: ",").map(String.init)
  }

  /// A config on ℝ^d around the plugin, as text.
  func config(_ body: String, in dir: URL, name: String = "c.json") throws -> String {
    try MFLD.write("{\"plugins\": [\"\(try Self.library())\"], \(body)}", to: name, in: dir)
  }

  // MARK: Every example config

  @Test("the example plugin's configs run, and mfld check passes every law of every part they compose",
        arguments: ["student-t", "kinetic", "box", "rbf-moons"])
  func examples(_ name: String) throws {
    _ = try Self.library()
    let out = try run("examples/plugin/\(name).json")
    let last = try #require(try rows(out, "trace.csv").last)
    let finite = last.allSatisfy { $0.isFinite }
    #expect(finite, "\(name): \(last)")
    let check = try MFLD.run(["check", "examples/plugin/\(name).json"])
    #expect(check.status == 0 && check.stdout.contains("all pass"), "\(check.stdout)\(check.stderr)")
  }

  // MARK: Integrator (kinetic-langevin): a known answer, threads, checkpoints, failure

  /// The exact stationary covariance of the kinetic scheme on V = (a/2)x² (one coordinate): z = (x, v) ← A z + b ξ,
  /// A = [[1 − η²a, η(1 − γη)], [−ηa, 1 − γη]], b = (η s, s), s = sqrt(2γητ); Σ = A Σ Aᵀ + b bᵀ by iteration.
  static func kineticVariance(a: Double, eta: Double, gamma: Double, tau: Double) -> Double {
    let c = 1 - gamma * eta, s = (2 * gamma * eta * tau).squareRoot()
    let A = [[1 - eta * eta * a, eta * c], [-eta * a, c]], b = [eta * s, s]
    var S = [[0.0, 0.0], [0.0, 0.0]]
    for _ in 0..<20_000 {
      var next = [[0.0, 0.0], [0.0, 0.0]]
      for i in 0..<2 { for j in 0..<2 {
        var t = b[i] * b[j]
        for k in 0..<2 { for l in 0..<2 { t += A[i][k] * S[k][l] * A[j][l] } }
        next[i][j] = t
      } }
      S = next
    }
    return S[0][0]
  }

  @Test("kinetic-langevin samples its scheme's exact stationary variance on a quadratic (N = 8000 samples, 4 sd)")
  func kineticStationaryLaw() throws {
    let dir = try MFLD.temporaryDirectory()
    let c = try config("""
      "domain": {"type": "euclidean", "dimension": 2}, "seed": 3,
      "objective": {"type": "potential", "V": {"type": "quadratic", "a": 2}},
      "integrator": {"type": "kinetic-langevin", "step": 0.4, "temperature": 0.5, "friction": 1.5},
      "particles": {"count": 4000, "init": {"type": "gaussian", "std": 2}}, "steps": 400
      """, in: dir)
    let x = try rows(try run(c), "particles.csv").flatMap { $0 }
    let variance = x.map { $0 * $0 }.reduce(0, +) / Double(x.count)
    let exact = Self.kineticVariance(a: 2, eta: 0.4, gamma: 1.5, tau: 0.5)
    let sd = exact * (2 / Double(x.count)).squareRoot()
    // The continuous-time answer τ/a = 0.25 is 13% off the scheme's at this η: the test tells them apart.
    #expect(abs(exact - 0.25) > 6 * sd, "exact \(exact)")
    #expect(abs(variance - exact) < 4 * sd, "variance \(variance), exact \(exact), sd \(sd)")
  }

  @Test("a plugin integrator runs on the host's threads: the same bits on 1 and 2 threads")
  func threads() throws {
    let one = try run("examples/plugin/kinetic.json", ["steps=120"], threads: 1)
    let two = try run("examples/plugin/kinetic.json", ["steps=120"], threads: 2)
    for file in ["trace.csv", "particles.csv"] {
      #expect(try Data(contentsOf: one.appendingPathComponent(file)) == Data(contentsOf: two.appendingPathComponent(file)), "\(file)")
    }
  }

  @Test("a plugin integrator's state (its velocities) travels in the checkpoint: killed and resumed, byte-identical")
  func resumeAfterKill() throws {
    _ = try Self.library()  // the example config names the library: build it first
    let sets = ["steps=40000", "record.every=500"].flatMap { ["--set", $0] }
    let whole = try MFLD.temporaryDirectory(), killed = try MFLD.temporaryDirectory()
    #expect(try MFLD.run(["run", "examples/plugin/kinetic.json", "--out", whole.path, "--quiet"] + sets).status == 0)
    let p = try MFLD.start(["run", "examples/plugin/kinetic.json", "--out", killed.path, "--quiet", "--checkpoint-every", "2000"] + sets)
    try MFLD.waitFor(killed.appendingPathComponent("checkpoint.json"))
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(p.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
    let checkpoint = try String(contentsOf: killed.appendingPathComponent("checkpoint.json"), encoding: .utf8)
    #expect(checkpoint.contains("velocity"), "the checkpoint carries no velocities")
    let r = try MFLD.run(["resume", killed.path, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    for file in ["trace.csv", "particles.csv"] {
      #expect(try Data(contentsOf: whole.appendingPathComponent(file)) == Data(contentsOf: killed.appendingPathComponent(file)), "\(file)")
    }
  }

  @Test("a plugin part that throws mid-run ends the run on one line naming the plugin; trace, summary and particles are kept")
  func failureMidRun() throws {
    _ = try Self.library()  // the example config names the library: build it first
    let out = try MFLD.temporaryDirectory()
    let r = try MFLD.run(["run", "examples/plugin/kinetic.json", "--set", "integrator.max_speed=3", "--out", out.path])
    #expect(r.status == 3, "\(r.stderr)")
    let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("mfld: error: ") }
    #expect(lines.count == 1, "\(r.stderr)")
    for part in ["failed at step", "plugin '", "libExamplePlugin.so'", "max_speed 3", "use a smaller step", "trace.csv"] {
      #expect(r.stderr.contains(part), "'\(part)' not in: \(r.stderr)")
    }
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
    #expect(summary?["status"] as? String == "failed" && (summary?["message"] as? String)?.contains("max_speed") == true)
    #expect(try rows(out, "particles.csv").count == 500)
    #expect(try rows(out, "trace.csv").count >= 1)
  }

  // MARK: Schedule (cosine), cloud (ring), observer (pairwise-distance)

  @Test("cosine spans the config's steps: the trace's temperature is end + (start − end)(1 + cos(πt/T))/2")
  func cosine() throws {
    let out = try run("examples/plugin/kinetic.json", ["steps=90", "record.every=10"])
    let h = try header(out), t = try #require(h.firstIndex(of: "temperature"))
    for row in try rows(out, "trace.csv") {
      let expected = 0.02 + (0.5 - 0.02) * (1 + cos(Double.pi * row[0] / 90)) / 2
      #expect(abs(row[t] - (row[0] >= 90 ? 0.02 : expected)) < 1e-15, "step \(row[0]): \(row[t]) vs \(expected)")
    }
  }

  @Test("a ring of N evenly spaced points: every point at distance r, mean pairwise distance (2r/(N − 1)) cot(π/(2N))")
  func ringAndPairwiseDistance() throws {
    let dir = try MFLD.temporaryDirectory()
    let c = try config("""
      "domain": {"type": "euclidean", "dimension": 2}, "objective": {"type": "potential", "V": "quadratic"},
      "integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": 0},
      "particles": {"count": 37, "init": {"type": "ring", "radius": 1.5, "center": [1, -2]}}, "steps": 0,
      "record": {"observers": ["pairwise-distance"]}
      """, in: dir)
    let out = try run(c)
    for p in try rows(out, "particles.csv") {
      #expect(abs(((p[0] - 1) * (p[0] - 1) + (p[1] + 2) * (p[1] + 2)).squareRoot() - 1.5) < 1e-12)
    }
    let h = try header(out), k = try #require(h.firstIndex(of: "mean_distance"))
    let exact = 2 * 1.5 / 36 / tan(Double.pi / 74)
    #expect(abs(try rows(out, "trace.csv")[0][k] - exact) < 1e-12 * exact)
  }

  // MARK: Metric (preconditioned), domain (box), reference (laplace)

  @Test("preconditioned: the scheme's exact stationary variance τ/(a(1 − ηp_k a/2)) per coordinate (N = 10000, 4 sd)")
  func preconditionedStationaryLaw() throws {
    let dir = try MFLD.temporaryDirectory()
    let c = try config("""
      "domain": {"type": "euclidean", "dimension": 2}, "seed": 8, "metric": {"type": "preconditioned", "diagonal": [1, 4]},
      "objective": {"type": "potential", "V": "quadratic"}, "integrator": {"type": "euler-maruyama", "step": 0.05, "temperature": 1},
      "particles": {"count": 10000, "init": {"type": "gaussian", "std": 2}}, "steps": 400
      """, in: dir)
    let x = try rows(try run(c), "particles.csv")
    for (k, p) in [1.0, 4.0].enumerated() {
      let variance = x.map { $0[k] * $0[k] }.reduce(0, +) / Double(x.count)
      let exact = 1 / (1 - 0.05 * p / 2), sd = exact * (2 / Double(x.count)).squareRoot()
      #expect(abs(variance - exact) < 4 * sd, "coordinate \(k + 1): variance \(variance), exact \(exact), sd \(sd)")
    }
  }

  @Test("in the reflecting box with V = 0 any cloud spreads to the uniform law: mean 1/2, variance 1/12 (N = 4000, 4 sd)")
  func boxUniformLaw() throws {
    let dir = try MFLD.temporaryDirectory()
    let c = try config("""
      "domain": {"type": "box", "dimension": 2}, "seed": 4, "metric": {"type": "preconditioned", "diagonal": [1, 0.5]},
      "objective": {"type": "potential", "V": {"type": "expression", "formula": "0"}}, "integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": 1},
      "particles": {"count": 4000, "init": {"type": "gaussian", "mean": [0.2, 0.2], "std": 0.05}}, "steps": 300
      """, in: dir)
    let x = try rows(try run(c), "particles.csv")
    let n = Double(x.count)
    for k in 0..<2 {
      let mean = x.map { $0[k] }.reduce(0, +) / n
      let variance = x.map { ($0[k] - 0.5) * ($0[k] - 0.5) }.reduce(0, +) / n
      #expect(x.allSatisfy { $0[k] >= 0 && $0[k] <= 1 })
      #expect(abs(mean - 0.5) < 4 * (1.0 / 12 / n).squareRoot(), "coordinate \(k + 1): mean \(mean)")
      #expect(abs(variance - 1.0 / 12) < 4 * ((1.0 / 80 - 1.0 / 144) / n).squareRoot(), "coordinate \(k + 1): variance \(variance)")
    }
  }

  @Test("with the laplace reference, F = 0 and τ = 1 the particles sample Laplace(0, b): E|x_k| = b (N = 8000, 4 sd + O(η))")
  func laplaceReference() throws {
    let dir = try MFLD.temporaryDirectory()
    let c = try config("""
      "domain": {"type": "euclidean", "dimension": 2}, "seed": 6, "reference": {"type": "laplace", "scale": 0.7},
      "objective": {"type": "potential", "V": {"type": "expression", "formula": "0"}}, "integrator": {"type": "euler-maruyama", "step": 0.005, "temperature": 1},
      "particles": {"count": 4000, "init": {"type": "gaussian", "std": 0.5}}, "steps": 2000
      """, in: dir)
    let x = try rows(try run(c), "particles.csv").flatMap { $0 }
    let meanAbs = x.map(abs).reduce(0, +) / Double(x.count)
    // |x| ~ Exp(1/b): sd b/sqrt(N); the scheme's bias is O(η b) = 0.0035.
    #expect(abs(meanAbs - 0.7) < 4 * 0.7 / Double(x.count).squareRoot() + 0.005 * 0.7, "E|x| = \(meanAbs)")
  }

  // MARK: Signed objective (rbf-network), data set (two-moons), reduction (lift-gaussian)

  @Test("the plugin's RBF network learns the two moons under bilevel, lift and the plugin's lift-gaussian", arguments: ["bilevel", "lift", "lift-gaussian"])
  func rbfUnderEveryReduction(_ reduction: String) throws {
    let metric = reduction == "bilevel" ? [] : ["integrator.step=0.5"]
    let out = try run("examples/plugin/rbf-moons.json", ["reduction=\(reduction)", "steps=200"] + metric)
    let h = try header(out), rows = try rows(out, "trace.csv")
    let g = try #require(h.firstIndex(of: "G_lambda")), test = try #require(h.firstIndex(of: "test_risk"))
    #expect(rows.last![g] < 0.75 * rows.first![g], "\(reduction): G_λ \(rows.first![g]) → \(rows.last![g])")
    #expect(rows.last![test] < rows.first![test], "\(reduction): test risk \(rows.first![test]) → \(rows.last![test])")
  }

  @Test("lift-gaussian has the built-in lift's objective exactly, and Gaussian initial weights")
  func gaussianLift() throws {
    let registry = Registry.standard()
    try registry.loadPlugin(try Self.library())
    func compose(_ reduction: String) throws -> Experiment {
      try Experiment.load(file: "examples/plugin/rbf-moons.json", overrides: ["reduction=\(reduction)", "particles.count=3000"],
                          registry: registry)
    }
    let ours = try compose("lift-gaussian"), builtin = try compose("lift")
    let cloud = ours.plan.state.cloud
    let r = (0..<cloud.count).map { cloud[$0, 0] }
    // N(0, 1): mean 0 (sd 1/sqrt(N)), variance 1 (sd sqrt(2/N)); the built-in's are ±1.
    let mean = r.reduce(0, +) / 3000, secondMoment = r.map { $0 * $0 }.reduce(0, +) / 3000
    #expect(abs(mean) < 4 / 3000.0.squareRoot(), "mean \(mean)")
    #expect(abs(secondMoment - 1) < 4 * (2 / 3000.0).squareRoot(), "variance \(secondMoment)")
    #expect(Set(builtin.plan.state.cloud.coordinates.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)) == [-1, 1])
    let a = try ours.plan.problem.objective.value(cloud), b = try builtin.plan.problem.objective.value(cloud)
    #expect(abs(a - b) <= 1e-12 * abs(b), "lift-gaussian F = \(a), lift F = \(b)")
  }

  @Test("two-moons: with no noise every point lies on its moon, half of each label, through the plugin bridge")
  func twoMoons() throws {
    let registry = Registry.standard()
    try registry.loadPlugin(try Self.library())
    let value = try Resolver(registry: registry, file: nil).resolvePart(["type": "two-moons", "samples": 101, "test_samples": 20, "noise": 0],
                                                                       kind: .dataset, path: "data")
    let data = try #require(try registry.build(value, kind: .dataset, path: "data",
                                               context: BuildContext(file: nil, baseDirectory: ".", random: RandomStream(seed: 1),
                                                                     domain: nil, builder: registry)) as? Dataset)
    #expect(data.sampleCount == 101 && data.testCount == 20 && data.dimension == 2)
    #expect(data.labels.filter { $0 == 1 }.count == 51 && data.labels.filter { $0 == -1 }.count == 50)
    for k in 0..<data.sampleCount {
      let x = data.inputs[2 * k], y = data.inputs[2 * k + 1]
      let r = data.labels[k] == 1 ? (x * x + y * y).squareRoot() : ((1 - x) * (1 - x) + (0.5 - y) * (0.5 - y)).squareRoot()
      #expect(abs(r - 1) < 1e-12 && (data.labels[k] == 1 ? y >= 0 : y <= 0.5))
    }
  }

  @Test("mfld check fails the RBF network whose Jacobian is 1% off, on the feature map's row; run --check refuses it")
  func wrongJacobian() throws {
    _ = try Self.library()  // the example config names the library: build it first
    let bad = try MFLD.run(["check", "examples/plugin/rbf-moons.json", "--set", "objective.gradient_scale=1.01"])
    #expect(bad.status == 4, "\(bad.stdout)\(bad.stderr)")
    let row = bad.stdout.split(separator: "\n").first { $0.contains("feature map of 'rbf-network'") } ?? ""
    #expect(row.contains("| objective |") && row.contains("FAIL"), "\(bad.stdout)")
    let run = try MFLD.run(["run", "examples/plugin/rbf-moons.json", "--set", "objective.gradient_scale=1.01", "--check",
                            "--out", try MFLD.temporaryDirectory().appendingPathComponent("out").path])
    #expect(run.status == 4, "\(run.stderr)")
  }

  // MARK: Built-in parts inside a plugin part, and plugin parts inside built-in ones

  @Test("the plugin's copy of Euler–Maruyama, calling the host's metric and schedules back, gives the built-in's bits",
        arguments: [["integrator.temperature={\"type\": \"geometric-stages\", \"initial\": 0.5, \"factor\": 0.5, \"steps_per_stage\": 50}"],
                    ["metric={\"type\": \"wasserstein-fisher-rao\", \"alpha\": 2}"], ["metric={\"type\": \"preconditioned\", \"diagonal\": [0.5]}"]])
  func copyOfEulerMaruyama(_ sets: [String]) throws {
    let builtin = try run("examples/mckean-vlasov.json", sets + ["steps=200"], plugin: true)
    let copy = try run("examples/mckean-vlasov.json", sets + ["steps=200", "integrator.type=euler-maruyama-copy"], plugin: true)
    for file in ["trace.csv", "particles.csv"] {
      #expect(try Data(contentsOf: builtin.appendingPathComponent(file)) == Data(contentsOf: copy.appendingPathComponent(file)), "\(sets) \(file)")
    }
  }

  @Test("the plugin's copy of the two-layer network under the host's bilevel reduction gives the built-in's numbers")
  func copyOfNetwork() throws {
    let builtin = try run("examples/bilevel-2nn.json", ["steps=100"], plugin: true)
    let copy = try run("examples/bilevel-2nn.json", ["steps=100", "objective={\"type\": \"two-layer-network-copy\", "
      + "\"data\": {\"type\": \"teacher\", \"dimension\": 5, \"samples\": 200, \"test_samples\": 200, \"neurons\": 3}, \"lambda\": 0.001}"],
      plugin: true)
    let a = try rows(builtin, "trace.csv"), b = try rows(copy, "trace.csv")
    #expect(a.count == b.count)
    // The same code on each side of the boundary: the objective (column 4) agrees to rounding.
    for (r, s) in zip(a, b) { #expect(abs(r[4] - s[4]) <= 1e-12 * abs(r[4]), "step \(r[0]): \(r[4]) vs \(s[4])") }
  }
}
