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
    // Random-batch interactions: each step's partition is drawn again from the seed and the step.
    ("examples/mckean-vlasov.json", ["steps=3000", "objective.terms[1].W={\"type\": \"gaussian\", \"bandwidth\": 0.5}",
                                     "objective.terms[1].batch=4"], "200"),
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

  /// McKean–Vlasov with a Gaussian interaction: O(m²) kernel sums, so one step of `count` particles takes seconds.
  static func longSteps(count: Int, steps: Int) -> String {
    """
    {
      "seed": 3,
      "domain": {"type": "euclidean", "dimension": 2},
      "objective": {"type": "sum", "terms": [
        {"type": "potential", "V": {"type": "quadratic", "a": 1}},
        {"type": "interaction", "W": {"type": "gaussian", "bandwidth": 1}}]},
      "integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": 0.1},
      "particles": {"count": \(count), "init": {"type": "gaussian", "std": 1}},
      "steps": \(steps),
      "record": {"every": 1}
    }
    """
  }

  @Test("SIGTERM during a step of seconds: exit 143 within a second, with a checkpoint of the last completed step that resumes byte-identical")
  func terminateWithinASecond() throws {
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write(Self.longSteps(count: 5_000, steps: 3), to: "long.json", in: dir)
    let whole = dir.appendingPathComponent("whole"), stopped = dir.appendingPathComponent("stopped")
    // Time one step: the uninterrupted run's timing.csv.
    #expect(try MFLD.run(["run", config, "--out", whole.path, "--quiet"]).status == 0)
    let times = try String(contentsOf: whole.appendingPathComponent("timing.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
      .compactMap { Double($0.split(separator: ",")[1]) }
    let step = (times[2] - times[1])
    #expect(step > 1.5, "a step takes \(step) s here; the test needs one of seconds")
    // Stop it a quarter of the way through step 1 (the checkpoint after step 0 says step 0 is done; a quarter, not
    // a half, leaves room for step 1 running faster than the timed one when the test suite loads the machine).
    let p = try MFLD.start(["run", config, "--out", stopped.path, "--quiet", "--checkpoint-every", "1"])
    try MFLD.waitFor(stopped.appendingPathComponent("checkpoint.json"))
    usleep(useconds_t(step / 4 * 1e6))
    let signalled = Date()
    kill(p.processIdentifier, SIGTERM)
    p.waitUntilExit()
    let took = Date().timeIntervalSince(signalled)
    #expect(p.terminationStatus == 143)
    #expect(took < 1, "exited \(took) s after SIGTERM, in a step of \(step) s")
    let checkpoint = try JSONSerialization.jsonObject(with: Data(contentsOf: stopped.appendingPathComponent("checkpoint.json"))) as? [String: Any]
    #expect(checkpoint?["step"] as? Int == 1, "the checkpoint is of the last completed step")
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: stopped.appendingPathComponent("summary.json"))) as? [String: Any]
    #expect(summary?["status"] as? String == "interrupted" && summary?["steps"] as? Int == 1)
    #expect(try MFLD.run(["resume", stopped.path, "--quiet"]).status == 0)
    let (t1, p1) = try files(whole), (t2, p2) = try files(stopped)
    #expect(t1 == t2, "trace.csv differs after resume")
    #expect(p1 == p2, "particles.csv differs after resume")
  }

  @Test("a second SIGINT exits at once, leaving the files already written whole")
  func secondSignal() throws {
    let dir = try MFLD.temporaryDirectory()
    let config = try MFLD.write(Self.longSteps(count: 5_000, steps: 3), to: "long.json", in: dir)
    let out = dir.appendingPathComponent("out")
    let p = try MFLD.start(["run", config, "--out", out.path, "--quiet"])
    try MFLD.waitFor(out.appendingPathComponent("config.json"))
    kill(p.processIdentifier, SIGINT)
    kill(p.processIdentifier, SIGINT)
    p.waitUntilExit()
    #expect(p.terminationStatus == 130)
    let config2 = try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
    #expect(config2.hasPrefix("{") && config2.hasSuffix("}\n"), "config.json is whole")
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
