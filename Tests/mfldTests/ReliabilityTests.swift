import Foundation
import Testing

/// Long runs survive being stopped: checkpoints, resume, signals, and refusing what cannot fit.
@Suite(.serialized)
struct ReliabilityTests {
  func files(_ dir: URL) throws -> (Data, Data) {
    (try Data(contentsOf: dir.appendingPathComponent("trace.csv")), try Data(contentsOf: dir.appendingPathComponent("particles.csv")))
  }

  @Test("a run killed with SIGKILL after a checkpoint and resumed ends byte-identical to an uninterrupted one", arguments: [
    // Euler–Maruyama with annealing (geometric stages and a noiseless tail).
    ("examples/annealing.json", ["steps=6000", "integrator.temperature.steps_per_stage=1200"], "1000"),
    // A bilevel run (the inner solve's warm start travels in the checkpoint).
    ("examples/bilevel-2nn.json", ["steps=400", "record.every=5"], "50"),
    // SVRG on the bilevel reduction (the anchor gradient travels too: recomputing it would move the
    // inner solver's state).
    ("examples/bilevel-2nn.json", ["steps=400", "record.every=5", "integrator.type=svrg", "integrator.batch_size=50", "integrator.anchor_period=7"], "50"),
    // Birth and death with SVRG: the anchor's first-variation values travel too.
    ("examples/dead-neurons.json", ["steps=1500", "record.every=5", "integrator.type=svrg", "integrator.batch_size=50", "integrator.anchor_period=7"], "100"),
  ])
  func resumeAfterKill(file: String, overrides: [String], every: String) throws {
    let sets = overrides.flatMap { ["--set", $0] }
    let whole = try MFLD.temporaryDirectory(), killed = try MFLD.temporaryDirectory()
    #expect(try MFLD.run(["run", file, "--out", whole.path, "--quiet"] + sets).status == 0)
    let p = try MFLD.start(["run", file, "--out", killed.path, "--quiet", "--checkpoint-every", every] + sets)
    try MFLD.waitFor(killed.appendingPathComponent("checkpoint.json"))
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    #expect(p.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
    let r = try MFLD.run(["resume", killed.path, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    let (t1, p1) = try files(whole), (t2, p2) = try files(killed)
    #expect(t1 == t2, "trace.csv differs after resume")
    #expect(p1 == p2, "particles.csv differs after resume")
  }

  @Test("SIGINT mid-run leaves complete, parseable outputs and a checkpoint, and exits 130")
  func interrupt() throws {
    let dir = try MFLD.temporaryDirectory()
    let p = try MFLD.start(["run", "examples/annealing.json", "--set", "steps=1000000", "--out", dir.path, "--quiet"])
    try MFLD.waitFor(dir.appendingPathComponent("trace.csv.partial"))
    usleep(300_000)
    kill(p.processIdentifier, SIGINT)
    p.waitUntilExit()
    #expect(p.terminationStatus == 130)
    let trace = try String(contentsOf: dir.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n")
    #expect(trace.count >= 2 && trace.dropFirst().allSatisfy { $0.split(separator: ",").count == trace[0].split(separator: ",").count })
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any]
    #expect(summary?["status"] as? String == "interrupted")
    let particles = try String(contentsOf: dir.appendingPathComponent("particles.csv"), encoding: .utf8).split(separator: "\n")
    #expect(particles.count == 1 + 1000)
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("checkpoint.json").path))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("trace.csv.partial").path))
  }

  @Test("a config asking for more memory than the machine has is refused in under a second, with the estimate")
  func memoryRefusal() throws {
    let started = Date()
    let r = try MFLD.run(["validate", "examples/bilevel-2nn.json", "--set", "particles.count=100000000", "--set", "objective.data.samples=1000000"])
    #expect(Date().timeIntervalSince(started) < 1)
    #expect(r.status == 2)
    #expect(r.stderr.contains("particles.count: the run needs about") && r.stderr.contains("GB"), "\(r.stderr)")
  }

  @Test("mutated configs through the binary: exit 0, 2 or 3, and a failure is one line")
  func binaryFuzz() throws {
    let text = try String(contentsOf: MFLD.packageRoot.appendingPathComponent("examples/mckean-vlasov.json"), encoding: .utf8)
    var seed: UInt64 = 7
    func next(_ n: Int) -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) % n }
    let dir = try MFLD.temporaryDirectory()
    for i in 0..<40 {
      var chars = Array(text)
      switch i % 4 {
      case 0: chars = Array(chars.prefix(next(chars.count)))
      case 1: let k = next(chars.count); chars.remove(at: k)
      case 2: let k = next(chars.count); chars.insert(["{", "]", "\"", ",", "9", "-"][next(6)], at: k)
      default: let k = next(chars.count); chars.replaceSubrange(k..<min(chars.count, k + 3), with: "NaN")
      }
      let path = try MFLD.write(String(chars), to: "m\(i).json", in: dir)
      let r = try MFLD.run(["run", path, "--set", "steps=3", "--out", dir.appendingPathComponent("out\(i)").path, "--quiet"])
      #expect([0, 2, 3].contains(r.status), "exit \(r.status): \(r.stderr)")
      if r.status != 0 { #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("mfld: error: "), "\(r.stderr)") }
    }
  }
}
