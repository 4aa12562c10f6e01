import Foundation
import Testing

/// Every shipped example runs end to end through the `mfld` binary and leaves a complete run folder.
/// (Steps are shortened where the full example takes long in a debug build; the config is otherwise
/// exactly the shipped one.)
@Suite(.serialized)
struct ExampleTests {
  /// Each example with its overrides and what its trace must show: (column, first → last) moves toward a bound.
  static let examples: [(file: String, overrides: [String], column: String, check: @Sendable (Double, Double) -> Bool)] = [
    // Particles start in the left well; at τ = 0.3 some cross the barrier, so the mean rises.
    ("examples/double-well.json", ["steps=1000"], "mean_1", { first, last in first < -0.95 && last > -0.9 }),
    ("examples/mckean-vlasov.json", [], "objective", { first, last in last < first }),
    ("examples/mmd-descent.json", ["steps=40"], "mmd", { first, last in last < 0.7 * first }),
    ("examples/bilevel-2nn.json", ["steps=200"], "G_lambda", { first, last in last < 0.6 * first }),
    // Dead ReLU neurons at the start; birth and death replace them by copies of the live ones.
    ("examples/dead-neurons.json", ["steps=300"], "G_lambda", { first, last in last < 0.01 * first }),
    ("examples/lift-2nn.json", ["steps=200"], "G_lambda", { first, last in last < 0.5 * first }),
    // The full example: the best neuron aligns with the teacher to better than 0.99.
    ("examples/single-neuron.json", [], "alignment", { first, last in last > 0.99 && first < 0.9 }),
    ("examples/csv-regression.json", ["steps=200"], "test_risk", { first, last in last < 0.5 * first }),
    // Real data: the held-out risk halves in 100 steps (the run records accuracy too; README, "Real data").
    ("examples/breast-cancer.json", ["steps=100"], "test_risk", { first, last in last < 0.6 * first }),
    // Geometric-stages annealing moves particles out of the shallow well, toward the deep one.
    ("examples/annealing.json", [], "objective", { first, last in last < -0.9 && first > -1 }),
    // The full noiseless example: every recovered spike within one grid spacing (1/64) of the truth.
    ("examples/deconvolution-1d.json", [], "spike_error", { first, last in last < 1.0 / 64 }),
  ]

  @Test("every example in examples/ is exercised here")
  func everyExampleIsCovered() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: MFLD.packageRoot.appendingPathComponent("examples").path)
      .filter { $0.hasSuffix(".json") }.map { "examples/" + $0 }
    for f in files { #expect(Self.examples.contains { $0.file == f }, "\(f) has no test") }
  }

  @Test("the example runs and writes config, trace, timing, summary and particles", arguments: Self.examples.indices)
  func runs(_ index: Int) throws {
    let (file, overrides, column, check) = Self.examples[index]
    let out = try MFLD.temporaryDirectory()
    let r = try MFLD.run(["run", file, "--out", out.path] + overrides.flatMap { ["--set", $0] })
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("done in"))
    for name in ["config.json", "trace.csv", "timing.csv", "summary.json", "particles.csv"] {
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
    }
    let trace = try String(contentsOf: out.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n")
    #expect(trace.first?.hasPrefix("step,time,temperature,step_size,objective") == true)
    let k = try #require(trace.first?.split(separator: ",").firstIndex(of: Substring(column)))
    let values = trace.dropFirst().map { Double($0.split(separator: ",")[k])! }
    #expect(values.count >= 2)
    #expect(check(values.first!, values.last!), "\(column): \(values.first!) → \(values.last!)")
    let summary = try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8)
    #expect(summary.contains("\"status\": \"completed\""))
  }

  @Test("on the dead-neuron start, birth and death (wasserstein-fisher-rao) reach a lower G_λ than Langevin in the same steps")
  func birthDeathRevivesDeadNeurons() throws {
    func finalG(_ metric: String) throws -> Double {
      let out = try MFLD.temporaryDirectory()
      let r = try MFLD.run(["run", "examples/dead-neurons.json", "--set", "steps=300", "--set", "metric=\(metric)", "--out", out.path, "--quiet"])
      #expect(r.status == 0, "\(r.stderr)")
      let trace = try String(contentsOf: out.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n")
      let k = try #require(trace[0].split(separator: ",").firstIndex(of: "G_lambda"))
      return try #require(Double(trace.last!.split(separator: ",")[k]))
    }
    let wfr = try finalG(#"{"type": "wasserstein-fisher-rao", "alpha": 1000}"#), langevin = try finalG("wasserstein")
    #expect(wfr < 0.7 * langevin, "wasserstein-fisher-rao \(wfr), wasserstein \(langevin)")
  }

  @Test("bilevel reaches a lower G_λ than lifting with either metric (same data, particles, temperature, steps)")
  func bilevelBeatsLifting() throws {
    func finalG(_ reduction: String, metric: String = "wasserstein") throws -> Double {
      let out = try MFLD.temporaryDirectory()
      let r = try MFLD.run(["run", "examples/bilevel-2nn.json", "--set", "steps=300", "--set", "reduction=\(reduction)",
                            "--set", "metric=\(metric)", "--out", out.path, "--quiet"])
      #expect(r.status == 0, "\(r.stderr)")
      let summary = try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8)
      let line = try #require(summary.split(separator: "\n").first { $0.contains("\"G_lambda\"") })
      return try #require(Double(line.split(separator: ":")[1].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))))
    }
    let bilevel = try finalG("bilevel")
    let wasserstein = try finalG("lift")
    let conic = try finalG("lift", metric: "conic")
    #expect(bilevel < wasserstein && bilevel < conic, "bilevel \(bilevel), lift-wasserstein \(wasserstein), lift-conic \(conic)")
  }

  @Test("annealing pays: geometric stages reach a lower objective than the best of three constant temperatures")
  func annealingPays() throws {
    func final(_ overrides: [String]) throws -> Double {
      let out = try MFLD.temporaryDirectory()
      let r = try MFLD.run(["run", "examples/annealing.json", "--out", out.path, "--quiet"] + overrides.flatMap { ["--set", $0] })
      #expect(r.status == 0, "\(r.stderr)")
      let rows = try String(contentsOf: out.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n")
      return Double(rows.last!.split(separator: ",")[4])!
    }
    let annealed = try final([])
    let constants = try [0.1, 0.3, 0.6].map { try final(["integrator.temperature=\($0)"]) }
    #expect(annealed < constants.min()! - 0.1, "annealed \(annealed), constant τ = 0.1, 0.3, 0.6: \(constants)")
  }

  @Test("the McKean–Vlasov example reaches τ/(a+b) = 0.1667 up to its O(η), O(1/m) bias and noise")
  func mcKeanVlasovAnswer() throws {
    let out = try MFLD.temporaryDirectory()
    let r = try MFLD.run(["run", "examples/mckean-vlasov.json", "--out", out.path, "--quiet"])
    #expect(r.status == 0)
    let rows = try String(contentsOf: out.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
    let late = rows.map { $0.split(separator: ",") }.filter { Double($0[0])! >= 1000 }.map { Double($0.last!)! }
    let mean = late.reduce(0, +) / Double(late.count)
    // Exact chain value (1 − 1/m) τ / (c (1 − ηc/2)) with c = 3, η = 0.005, m = 2000: 0.16783.
    // 51 snapshots 20 steps apart (correlation 0.985^40 = 0.55), single-snapshot sd 0.1678·sqrt(2/4000):
    // sd of the mean ≈ 0.0037·sqrt(1.55/0.45/51) = 0.00097; allow 4 sd.
    #expect(abs(mean - 0.16783) < 0.0039, "mean spread \(mean)")
  }
}
