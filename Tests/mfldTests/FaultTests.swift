import Foundation
import MFLD
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The failures a fault injector found (issue "5 of 7"), each reproduced from the shipped examples: lost
/// results, mixed runs, traps on a damaged checkpoint, garbled or silent input handling.
@Suite(.serialized)
struct FaultTests {
  func expectOneLine(_ r: MFLD.Output, status: Int32, _ parts: [String]) {
    #expect(r.status == status, "status \(r.status): \(r.stderr)")
    let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    #expect(lines.count == 1 && lines[0].hasPrefix("mfld: error: "), "\(r.stderr)")
    for p in parts { #expect(r.stderr.contains(p), "'\(p)' not in: \(r.stderr)") }
  }

  // MARK: 1. A step that never ends

  @Test("a step estimated to take longer than the budget is refused before anything is built, naming --force")
  func stepCostBudget() throws {
    let huge = ["--set", "particles.count=100000000", "--set", #"objective.terms[1].W={"type": "gaussian"}"#]
    let started = Date()
    expectOneLine(try MFLD.run(["run", "examples/mckean-vlasov.json"] + huge), status: 2,
                  ["particles.count", "one step would take about", "kernel evaluations", "--force"])
    #expect(Date().timeIntervalSince(started) < 1, "refused before the 10⁸ particles were drawn")
    // The quadratic kernel's moments make it O(m): 10⁶ particles are cheap, and allowed.
    let resolved = try Composition.resolve(file: "examples/mckean-vlasov.json", overrides: ["particles.count=1000000"])
    #expect((StepCost.estimate(for: resolved)?.seconds ?? 0) < 1)
    let gaussian = try Composition.resolve(file: "examples/mckean-vlasov.json",
                                           overrides: ["particles.count=1000000", #"objective.terms[1].W={"type": "gaussian"}"#])
    let cost = try #require(StepCost.estimate(for: gaussian))
    #expect(cost.seconds > StepCost.budgetSeconds && cost.path == "particles.count")
    // Random batches of 4 make it O(m p): 10⁸ such particles are seconds a step, and the estimate says so.
    let batched = try Composition.resolve(file: "examples/mckean-vlasov.json", overrides: [
      "particles.count=100000000", #"objective.terms[1].W={"type": "gaussian"}"#, "objective.terms[1].batch=4"])
    let batchedCost = try #require(StepCost.estimate(for: batched))
    #expect(batchedCost.seconds < 10 && batchedCost.what.contains("random batches of 4"), "\(batchedCost.what)")
    #expect(MemoryEstimate.items(for: batched).contains { $0.what.contains("random-batch partition") })
  }

  @Test("dual averaging keeps at most `window` outer iterates: within it the run is unchanged, past it the checkpoint holds window clouds and resumes exactly")
  func dualAveragingWindow() throws {
    let root = try MFLD.temporaryDirectory()
    let base = ["particles.count=200", "steps=60", "integrator.type=dual-averaging", "integrator.inner_steps=2", "record.every=5"]
    func run(_ name: String, _ extra: [String], checkpoint: Bool = false) throws -> URL {
      let out = root.appendingPathComponent(name)
      let r = try MFLD.run(["run", "examples/mckean-vlasov.json", "--out", out.path, "--quiet"] + (checkpoint ? ["--checkpoint-every", "40"] : [])
                           + (base + extra).flatMap { ["--set", $0] })
      #expect(r.status == 0, "\(r.stderr)")
      return out
    }
    let all = try run("all", []), wide = try run("wide", ["integrator.window=31"]), narrow = try run("narrow", ["integrator.window=4"], checkpoint: true)
    #expect(try Data(contentsOf: all.appendingPathComponent("trace.csv")) == Data(contentsOf: wide.appendingPathComponent("trace.csv")),
            "31 outer iterates fit in the window: the same run")
    #expect(try Data(contentsOf: all.appendingPathComponent("trace.csv")) != Data(contentsOf: narrow.appendingPathComponent("trace.csv")))
    let checkpoint = try JSONSerialization.jsonObject(with: Data(contentsOf: narrow.appendingPathComponent("checkpoint.json"))) as? [String: Any]
    let state = (checkpoint?["state"] as? [String: Any])?["integrator"] as? [String: [Double]]
    #expect(state?["snapshots"]?.count == 4 * 200 * 2 && state?["dropped"] == [Double(40 / 2 - 4)], "\(state?["dropped"] ?? [])")
    // Resumed from step 40 (16 iterates dropped), it ends where the uninterrupted run does.
    let whole = try Data(contentsOf: narrow.appendingPathComponent("trace.csv"))
    #expect(try MFLD.run(["resume", narrow.path, "--quiet"]).status == 0)
    #expect(try Data(contentsOf: narrow.appendingPathComponent("trace.csv")) == whole)
  }

  // MARK: 2. Aborts instead of refusals

  @Test("terabytes of test data are refused by validate before anything is generated, naming the key")
  func terabytesOfTestData() throws {
    let started = Date()
    let r = try MFLD.run(["validate", "examples/bilevel-2nn.json", "--set", "objective.data.samples=1", "--set", "objective.data.test_samples=10000000",
                          "--set", "objective.data.dimension=100000"])
    expectOneLine(r, status: 2, ["objective.data.test_samples: the run needs about 8.0 TB", "use fewer test points"])
    #expect(Date().timeIntervalSince(started) < 1)
  }

  @Test("under ulimit -v the estimate is held against the address-space limit: a refusal naming it, not a crash")
  func addressSpaceLimit() throws {
    let (status, text) = try Subprocess.run("/bin/sh", ["-c", "ulimit -v 2000000 && exec \"$0\" validate --quiet examples/mckean-vlasov.json "
                                                         + "--set particles.count=50000000", MFLD.executable.path], in: MFLD.packageRoot)
    #expect(status == 2, "\(text)")
    #expect(text.contains("particles.count") && text.contains("the address-space limit (ulimit -v)"), "\(text)")
  }

  // MARK: 3. Lost results

  @Test("an inner solve that fails keeps the summary (with the failure and the keys to change) and the particles")
  func failedInnerSolveKeepsResults() throws {
    let out = try MFLD.temporaryDirectory()
    let r = try MFLD.run(["run", "examples/bilevel-2nn.json", "--set", "objective.lambda=6.5e-9", "--out", out.path])
    expectOneLine(r, status: 3, ["examples/bilevel-2nn.json", "inner solve", "reduction.tolerance", "objective.lambda", "trace.csv"])
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
    #expect(summary?["status"] as? String == "failed" && (summary?["message"] as? String)?.contains("objective.lambda") == true)
    let particles = try String(contentsOf: out.appendingPathComponent("particles.csv"), encoding: .utf8).split(separator: "\n")
    #expect(particles.count == 1 + 100)
  }

  // MARK: 4. Mixed runs

  @Test("a second run with another config into a folder with results is refused naming the differing key; --overwrite clears it first")
  func anotherRunsFolder() throws {
    let out = try MFLD.temporaryDirectory().appendingPathComponent("run")
    #expect(try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=100", "--checkpoint-every", "50", "--out", out.path, "--quiet"]).status == 0)
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint.json").path))
    let refused = try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=120", "--out", out.path, "--quiet"])
    expectOneLine(refused, status: 2, ["holds the results of another run", "differs at 'steps'", "--overwrite"])
    // The first run's files are untouched.
    #expect(try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8).contains("\"steps\": 100"))
    let replaced = try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=120", "--out", out.path, "--quiet", "--overwrite"])
    #expect(replaced.status == 0, "\(replaced.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint.json").path), "the old checkpoint is gone")
    // Resume now has nothing of the old run to continue from.
    let resume = try MFLD.run(["resume", out.path])
    expectOneLine(resume, status: 2, ["no checkpoint to resume from"])
    // The same config again needs no flag (it reproduces the same run) and leaves nothing stale.
    #expect(try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=120", "--out", out.path, "--quiet"]).status == 0)
  }

  @Test("two runs into one folder at once: the second fails at once, naming the first's pid; the first completes")
  func concurrentRuns() throws {
    let out = try MFLD.temporaryDirectory().appendingPathComponent("run")
    let first = try MFLD.start(["run", "examples/mckean-vlasov.json", "--set", "steps=20000", "--out", out.path, "--quiet"])
    try MFLD.waitFor(out.appendingPathComponent("trace.csv.partial"))
    let second = try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=20000", "--out", out.path, "--quiet"])
    expectOneLine(second, status: 1, ["is in use by another mfld run (pid \(first.processIdentifier))"])
    first.waitUntilExit()
    #expect(first.terminationStatus == 0)
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
    #expect(summary?["steps"] as? Int == 20000)
  }

  @Test("resume refuses a config.json that is not the checkpoint's, naming the key that differs")
  func resumeChecksTheConfig() throws {
    let out = try MFLD.temporaryDirectory().appendingPathComponent("run")
    #expect(try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=100", "--checkpoint-every", "50", "--out", out.path, "--quiet"]).status == 0)
    let file = out.appendingPathComponent("config.json")
    let original = try String(contentsOf: file, encoding: .utf8)
    let edited = original.replacingOccurrences(of: "\"b\": 2.0", with: "\"b\": 3.0")
    #expect(edited != original)
    try edited.write(to: file, atomically: true, encoding: .utf8)
    expectOneLine(try MFLD.run(["resume", out.path]), status: 2, ["checkpoint.json", "config.objective.terms[1].W.b", "not the config this checkpoint was written for"])
  }

  @Test("a temporary file left by a process killed mid-write is removed by the next run into the folder; none is left by a normal run")
  func staleTemporaries() throws {
    let out = try MFLD.temporaryDirectory().appendingPathComponent("run")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    // A pid that is not running: the process that wrote it is gone.
    var dead: Int32 = 4_000_000
    while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
    let stale = out.appendingPathComponent(".summary.json.tmp-\(dead)")
    try "{".write(to: stale, atomically: false, encoding: .utf8)
    #expect(try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "steps=10", "--out", out.path, "--quiet"]).status == 0)
    let hidden = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") && $0 != ".mfld-lock" }
    #expect(hidden.isEmpty, "\(hidden)")
  }

  // MARK: 5. Traps on a file

  @Test("checkpoint fields out of range are refused naming the field, not trapped on", arguments: [
    ("step", "9223372036854775807", "step: 9223372036854775807 is not a step of this run"),
    ("step", "-1", "step: -1 is not a step of this run"),
    ("step", "1000000", "step: 1000000 is not a step of this run"),
    ("time", "\"x\"", "time: is not a finite number"),
  ])
  func checkpointFields(field: String, value: String, message: String) throws {
    let out = try MFLD.temporaryDirectory().appendingPathComponent("run")
    #expect(try MFLD.run(["run", "examples/bilevel-2nn.json", "--set", "steps=20", "--set", "integrator.type=sgd", "--set", "integrator.batch_size=50",
                          "--checkpoint-every", "10", "--out", out.path, "--quiet"]).status == 0)
    let file = out.appendingPathComponent("checkpoint.json")
    var json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
    json[field] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
    try JSONSerialization.data(withJSONObject: json).write(to: file)
    expectOneLine(try MFLD.run(["resume", out.path]), status: 2, ["checkpoint.json", message])
  }

  /// Real checkpoints of several integrators and inner solvers, each mutated `count` times and resumed in
  /// process (a trap would end the test process): every one resumes and runs, or is refused with an error.
  @Test("checkpoint fuzz: 6 integrators × 60 mutations of real checkpoints resume or are refused — zero traps")
  func checkpointFuzz() throws {
    let cases: [(String, [String])] = [
      ("examples/annealing.json", ["steps=40"]),
      ("examples/bilevel-2nn.json", ["steps=20"]),
      ("examples/bilevel-2nn.json", ["steps=20", "integrator.type=sgd", "integrator.batch_size=50"]),
      ("examples/bilevel-2nn.json", ["steps=20", "integrator.type=svrg", "integrator.batch_size=50", "integrator.anchor_period=3"]),
      ("examples/mckean-vlasov.json", ["steps=20", "integrator.type=dual-averaging", "integrator.inner_steps=3", "particles.count=100"]),
      ("examples/mckean-vlasov.json", ["steps=20", "integrator.type=best-response", "particles.count=100"]),
    ]
    var rng = SplitMix(seed: 25)
    var outcomes: [String: Int] = [:]
    let replacements: [Any] = [Int.max, Int.min, -1, 0, 1, 1e300, -1e300, 0.5, "x", NSNull(), [Any](), [String: Any](), [1e300, 2], [0, 0]]
    for (file, sets) in cases {
      let base = try MFLD.temporaryDirectory().appendingPathComponent("run")
      let r = try MFLD.run(["run", file, "--checkpoint-every", "10", "--out", base.path, "--quiet"] + sets.flatMap { ["--set", $0] })
      #expect(r.status == 0, "\(file) \(sets): \(r.stderr)")
      let original = try JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathComponent("checkpoint.json"))) as! [String: Any]
      for _ in 0..<60 {
        let copy = try MFLD.temporaryDirectory().appendingPathComponent("run")
        try FileManager.default.copyItem(at: base, to: copy)
        var mutated = original
        Self.mutate(&mutated, replacements: replacements, rng: &rng)
        try JSONSerialization.data(withJSONObject: mutated).write(to: copy.appendingPathComponent("checkpoint.json"))
        do {
          var e = try Experiment.resume(directory: copy.path)
          e.plan.parallel = .serial
          let result = try e.run(outputPath: copy.path)
          outcomes[result.outcome.failure.map { "\($0.kind)" } ?? "resumed", default: 0] += 1
        } catch let error as ConfigError {
          #expect(!error.description.contains("\n"))
          outcomes["refused", default: 0] += 1
        } catch let error as RunError {
          #expect(!error.description.contains("\n"))
          outcomes["run error", default: 0] += 1
        }
      }
    }
    print("checkpoint fuzz: \(outcomes.sorted { $0.key < $1.key })")
    #expect((outcomes["refused"] ?? 0) > 0 && (outcomes["resumed"] ?? 0) > 0)
  }

  /// One mutation: a leaf (a number, or an array's element, or a key's value) replaced, removed or truncated.
  static func mutate(_ json: inout [String: Any], replacements: [Any], rng: inout SplitMix) {
    var paths: [[String]] = []
    func walk(_ value: Any, _ path: [String]) {
      paths.append(path)
      // The saved config is left alone: a changed one is refused as a whole (resumeChecksTheConfig).
      if let o = value as? [String: Any] { for (k, v) in o.sorted(by: { $0.key < $1.key }) where path.isEmpty ? k != "config" : true { walk(v, path + [k]) } }
    }
    walk(json, [])
    let path = paths[1 + Int(rng.next() % UInt64(paths.count - 1))]
    func update(_ value: inout Any, _ rest: ArraySlice<String>) {
      guard let key = rest.first, var o = value as? [String: Any] else {
        switch rng.next() % 3 {
        case 0 where value is [Any]:
          let a = value as! [Any]
          value = Array(a.prefix(Int(rng.next() % UInt64(a.count + 1))))
        case 1 where value is [Any] && !(value as! [Any]).isEmpty:
          var a = value as! [Any]
          a[Int(rng.next() % UInt64(a.count))] = replacements[Int(rng.next() % UInt64(replacements.count))]
          value = a
        default:
          value = replacements[Int(rng.next() % UInt64(replacements.count))]
        }
        return
      }
      if rest.count == 1, rng.next() % 5 == 0 { o.removeValue(forKey: key); value = o; return }
      var child = o[key] ?? NSNull()
      update(&child, rest.dropFirst())
      o[key] = child
      value = o
    }
    var root: Any = json
    update(&root, path[...])
    json = root as! [String: Any]
  }

  struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  // MARK: 6. Silent or garbled input handling

  @Test("a headerless CSV starting with a byte-order mark keeps its first row; CR-only line ends read as lines")
  func csvEncodings() throws {
    let bom = try NumericTable.parse("\u{FEFF}1,2\n3,4\n", source: "bom.csv")
    #expect(bom.rowCount == 2 && bom.columnNames == ["c1", "c2"] && bom[0, 0] == 1)
    let bomHeader = try NumericTable.parse("\u{FEFF}a,b\n3,4\n", source: "bom.csv")
    #expect(bomHeader.columnNames == ["a", "b"] && bomHeader.rowCount == 1)
    let cr = try NumericTable.parse("a,b\r1,2\r3,4\r", source: "cr.csv")
    #expect(cr.rowCount == 2 && cr[1, 1] == 4)
    let crlf = try NumericTable.parse("a,b\r\n1,2\r\n", source: "crlf.csv")
    #expect(crlf.rowCount == 1 && crlf[0, 1] == 2)
  }

  @Test("control characters from a key, a cell or a message are shown escaped in a one-line error")
  func controlCharacters() throws {
    expectOneLine(try MFLD.run(["run", "examples/mckean-vlasov.json", "--set", "ste\nps=3"]), status: 2, ["ste\\nps"])
    let dir = try MFLD.temporaryDirectory()
    try MFLD.write("a,b,y\n1,2\u{0}x,3\n", to: "nul.csv", in: dir)
    let config = try MFLD.write(SignedBadInputTests.csvConfig.replacingOccurrences(of: "data.csv", with: "nul.csv"), to: "c.json", in: dir)
    expectOneLine(try MFLD.run(["validate", config]), status: 2, ["objective.data.file", "\\0"])
  }

  @Test("--set values and paths: a number beyond a double and an empty key are refused on one line", arguments: [
    ("steps=1e309", "beyond the range of a number"),
    (".steps=3", "empty key"),
    ("integrator..step=3", "empty key"),
  ])
  func overrides(_ set: String, _ message: String) throws {
    expectOneLine(try MFLD.run(["validate", "examples/mckean-vlasov.json", "--set", set]), status: 2, [message])
  }

  @Test("a formula that is NaN everywhere is reported as a part returning NaN at the start, not as a step-size problem")
  func nanFormula() throws {
    let r = try MFLD.run(["run", "examples/double-well.json", "--set", #"objective.V={"type": "expression", "formula": "sqrt(-1 - |x|^2)"}"#,
                          "--out", try MFLD.temporaryDirectory().path])
    expectOneLine(r, status: 3, ["at the initial particles", "mfld check"])
    #expect(!r.stderr.contains("step size"), "\(r.stderr)")
  }

  @Test("a FIFO given as a plugin path is refused at once instead of hanging")
  func fifoPlugin() throws {
    let fifo = try MFLD.temporaryDirectory().appendingPathComponent("plugin.so").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let started = Date()
    expectOneLine(try MFLD.run(["list", "--plugin", fifo]), status: 2, ["not a regular file"])
    #expect(Date().timeIntervalSince(started) < 5)
  }

  // MARK: 2. The memory estimate against the measured peak

  @Test("a CSV data set's estimate reads the file's size and rows: within 1.5× of the peak, whether reading it or the features dominate",
        arguments: [1, 20])
  func csvMemoryEstimate(particles: Int) throws {
    let dir = try MFLD.temporaryDirectory()
    var text = "x1,x2,x3,y\n"
    var seed: UInt64 = 9
    func next() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
    for _ in 0..<250_000 {
      let (a, b, c) = (next(), next(), next())
      text += "\(a),\(b),\(c),\(a + b - c)\n"
    }
    try MFLD.write(text, to: "big.csv", in: dir)
    let config = try MFLD.write("""
      {"seed": 1, "objective": {"type": "two-layer-network", "data": {"type": "csv", "file": "big.csv", "target": "y"}, "lambda": 0.001},
       "reduction": "lift", "integrator": {"type": "euler-maruyama", "step": 0.1, "temperature": 1e-4},
       "particles": {"count": \(particles), "init": "uniform"}, "steps": 2, "record": {"every": 1}}
      """, to: "big.json", in: dir)
    try measure(config, [])
  }

  /// Runs `mfld validate` for the estimate and `mfld run` through a fresh helper for the peak, and compares.
  func measure(_ file: String, _ overrides: [String]) throws {
    let validate = try MFLD.run(["validate", file] + overrides)
    let estimate = try #require(validate.stderr.components(separatedBy: "memory estimate: ").dropFirst().first.flatMap { Double($0.prefix { $0.isNumber }) })
    // The peak of the run alone: measured by a fresh, small helper process (wait4), not by this big one.
    let dir = try MFLD.temporaryDirectory()
    let usage = dir.appendingPathComponent("usage.json").path
    let r = try MFLD.run(["bench", "--child-rusage", usage, "--", MFLD.executable.path, "run", file, "--out", dir.appendingPathComponent("out").path,
                          "--quiet"] + overrides)
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: usage))) as? [String: Any]
    let peak = try #require(json?["peak_bytes"] as? Double) / 1e6
    #expect(json?["status"] as? Int == 0)
    #expect(peak / estimate < 1.5 && estimate / peak < 1.5, "\(file) \(overrides): estimate \(estimate) MB, peak \(peak) MB")
  }

  @Test("the memory estimate is within 1.5× of the measured peak RSS on the benchmark configs", arguments: [
    ("examples/bilevel-2nn.json", ["objective.data.samples=1000", "particles.count=1000", "objective.data.dimension=20", "steps=2"]),
    ("examples/bilevel-2nn.json", ["objective.data.samples=4000", "particles.count=2000", "objective.data.dimension=50", "steps=2"]),
    ("examples/lift-2nn.json", ["objective.data.samples=4000", "particles.count=2000", "objective.data.dimension=50", "steps=2"]),
    ("examples/mckean-vlasov.json", ["particles.count=2000000", "steps=2"]),
    ("examples/mckean-vlasov.json", ["particles.count=100000", "steps=30", "integrator.type=dual-averaging", "integrator.inner_steps=1",
                                     "record.every=1000"]),
  ])
  func memoryEstimate(file: String, sets: [String]) throws {
    try measure(file, sets.flatMap { ["--set", $0] })
  }
}
