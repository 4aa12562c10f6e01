import Foundation
import Testing

/// Bad input never crashes `mfld`: one line on stderr naming the file, the key path and the fix,
/// and exit status 2 (3 for a diverged run).
struct BadInputTests {
  static let base = """
  {
    "domain": {"type": "euclidean", "dimension": 2},
    "objective": {"type": "potential", "V": {"type": "quadratic", "a": 1}},
    "integrator": {"type": "euler-maruyama", "step": 0.01, "temperature": 0.1},
    "particles": {"count": 50},
    "steps": 20
  }
  """

  func run(_ config: String, _ extra: [String] = [], command: String = "validate") throws -> MFLD.Output {
    let dir = try MFLD.temporaryDirectory()
    let path = try MFLD.write(config, to: "config.json", in: dir)
    return try MFLD.run([command, path] + extra + (command == "run" ? ["--out", dir.appendingPathComponent("out").path, "--quiet"] : []))
  }

  /// One line, prefixed, no stack trace.
  func expectOneLineError(_ r: MFLD.Output, status: Int32 = 2, contains parts: [String]) {
    #expect(r.status == status, "status \(r.status): \(r.stderr)")
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1, "expected one line, got: \(r.stderr)")
    #expect(r.stderr.hasPrefix("mfld: error: "))
    for p in parts { #expect(r.stderr.contains(p), "'\(p)' not in: \(r.stderr)") }
  }

  @Test("malformed JSON reports line and column")
  func malformedJSON() throws {
    let r = try run(Self.base.replacingOccurrences(of: "\"steps\": 20", with: "\"steps\": 20,"))
    expectOneLineError(r, contains: ["config.json", "invalid JSON at line 6, column 14", "trailing comma"])
  }

  @Test("an unknown key gives its path and a did-you-mean")
  func unknownKey() throws {
    let r = try run(Self.base.replacingOccurrences(of: "\"temperature\"", with: "\"temprature\""))
    expectOneLineError(r, contains: ["integrator.temprature: unknown key", "did you mean 'temperature'?"])
  }

  @Test("an unknown part name lists the valid names")
  func unknownPartName() throws {
    let r = try run(Self.base.replacingOccurrences(of: "euler-maruyama", with: "euler"))
    expectOneLineError(r, contains: ["integrator.type: unknown integrator 'euler'", "please provide one of best-response, dual-averaging, euler-maruyama, sgd, svrg"])
  }

  @Test("a wrong type names what was expected")
  func wrongType() throws {
    let r = try run(Self.base.replacingOccurrences(of: "\"count\": 50", with: "\"count\": \"fifty\""))
    expectOneLineError(r, contains: ["particles.count: expected a whole number, found the string \"fifty\""])
  }

  @Test("a step size ≤ 0 is out of range")
  func nonPositiveStep() throws {
    let r = try run(Self.base.replacingOccurrences(of: "\"step\": 0.01", with: "\"step\": 0"))
    expectOneLineError(r, contains: ["integrator.step: must be > 0, found 0"])
  }

  @Test("zero particles is out of range")
  func zeroParticles() throws {
    let r = try run(Self.base.replacingOccurrences(of: "\"count\": 50", with: "\"count\": 0"))
    expectOneLineError(r, contains: ["particles.count: must be between 1 and"])
  }

  @Test("a missing config file is named")
  func missingConfig() throws {
    let r = try MFLD.run(["run", "examples/no-such-file.json"])
    expectOneLineError(r, contains: ["examples/no-such-file.json: no such file"])
  }

  @Test("a missing data file is named with its key path")
  func missingDataFile() throws {
    let r = try run(Self.base.replacingOccurrences(of: "\"count\": 50", with: "\"count\": 50, \"init\": {\"type\": \"file\", \"file\": \"missing.csv\"}"))
    expectOneLineError(r, contains: ["particles.init.file", "missing.csv"])
  }

  @Test("an unknown command and an unknown option are usage errors")
  func usageErrors() throws {
    expectOneLineError(try MFLD.run(["rnu"]), contains: ["unknown command 'rnu' (did you mean 'run'?)"])
    expectOneLineError(try MFLD.run(["run", "x.json", "--treads", "2"]), contains: ["unknown option '--treads' (did you mean '--threads'?)"])
  }

  @Test("a diverging run stops at the step, suggests a smaller step size, and keeps its trace")
  func divergence() throws {
    let config = Self.base.replacingOccurrences(of: "\"step\": 0.01", with: "\"step\": 5")
      .replacingOccurrences(of: "\"steps\": 20", with: "\"steps\": 2000, \"record\": {\"every\": 1}")
    let dir = try MFLD.temporaryDirectory()
    let path = try MFLD.write(config, to: "config.json", in: dir)
    let out = dir.appendingPathComponent("out")
    let r = try MFLD.run(["run", path, "--out", out.path, "--quiet"])
    expectOneLineError(r, status: 3, contains: ["diverged at step", "try a smaller step size (integrator.step, now 5)"])
    let trace = try String(contentsOf: out.appendingPathComponent("trace.csv"), encoding: .utf8)
    #expect(trace.split(separator: "\n").count > 10)
    let summary = try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8)
    #expect(summary.contains("\"status\": \"diverged\""))
  }
}
