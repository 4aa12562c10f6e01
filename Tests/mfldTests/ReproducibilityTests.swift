import Foundation
import Testing

/// Same config and seed → byte-identical trace.csv and particles.csv, on 1 thread and on 2.
struct ReproducibilityTests {
  @Test("traces are byte-identical on 1 and 2 threads", arguments: [
    ("examples/mckean-vlasov.json", ["steps=200"]),
    ("examples/mmd-descent.json", ["steps=20", "record.every=1"]),
    // Birth and death: decisions from the counter-based streams, applied in index order.
    ("examples/dead-neurons.json", ["steps=200", "record.every=5"]),
    ("examples/mckean-vlasov.json", ["steps=200", "metric=wasserstein-fisher-rao", "particles.count=300"]),
    // Random batches (docs/math.md §6): 70 000 particles span five buckets and two counting chunks of the
    // parallel permutation; a Gaussian kernel, and mmd's own term.
    ("examples/mckean-vlasov.json", ["steps=30", "particles.count=70000", "objective.terms[1].W={\"type\": \"gaussian\", \"bandwidth\": 0.5}",
                                     "objective.terms[1].batch=4"]),
    ("examples/mmd-descent.json", ["steps=20", "record.every=1", "objective.batch=8"]),
  ])
  func threadCountDoesNotMatter(file: String, overrides: [String]) throws {
    var outputs: [[Data]] = []
    for threads in [1, 2, 2] {
      let out = try MFLD.temporaryDirectory()
      let r = try MFLD.run(["run", file, "--threads", "\(threads)", "--out", out.path, "--quiet"] + overrides.flatMap { ["--set", $0] })
      #expect(r.status == 0, "\(r.stderr)")
      outputs.append(try ["trace.csv", "particles.csv"].map { try Data(contentsOf: out.appendingPathComponent($0)) })
    }
    #expect(outputs[0] == outputs[1])
    #expect(outputs[1] == outputs[2])
  }

  @Test("running the written config.json again reproduces the run")
  func resolvedConfigReproduces() throws {
    let first = try MFLD.temporaryDirectory(), second = try MFLD.temporaryDirectory()
    #expect(try MFLD.run(["run", "examples/double-well.json", "--set", "steps=100", "--out", first.path, "--quiet"]).status == 0)
    let r = try MFLD.run(["run", first.appendingPathComponent("config.json").path, "--out", second.path, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try Data(contentsOf: first.appendingPathComponent("trace.csv")) == Data(contentsOf: second.appendingPathComponent("trace.csv")))
  }
}
