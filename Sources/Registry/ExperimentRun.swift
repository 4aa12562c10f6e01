import Foundation
import SolverAPI

/// The version written into every summary.
public let mfldVersion = "0.1.0"

extension Experiment {
  /// What a finished (or stopped) run left behind.
  public struct Result {
    public var outcome: RunOutcome
    public var directory: RunDirectory
    public var summary: ConfigValue
  }

  /// Runs the plan and writes the run folder: config.json first (so a failed run still says what it
  /// was), then trace.csv and timing.csv as rows arrive, then summary.json and particles.csv — also
  /// when the run diverged, so nothing computed is lost. A diverged run's failure is in the result.
  ///
  /// With `checkpointEvery`, the full state is written to checkpoint.json (atomically) every that many
  /// steps; a stopped run (`shouldStop`) always writes one. `mfld resume` continues from it.
  public func run(outputPath: String? = nil, progress: ((RunProgress) -> Void)? = nil,
                  shouldStop: (() -> Bool)? = nil, checkpointEvery: Int? = nil) throws -> Result {
    let directory = try RunDirectory(path: outputPath ?? self.outputPath)
    if let resume = resumeFrom {
      try directory.prepareResume(step: plan.state.step, wallOffset: resume.wallSeconds)
    } else {
      try directory.write("config.json", config.jsonText(pretty: true) + "\n")
    }
    let outcome: RunOutcome
    let start = ContinuousClock.now
    do {
      outcome = try Solver.run(plan, sink: directory, progress: progress, shouldStop: shouldStop,
                               checkpointEvery: checkpointEvery, checkpoint: { state in
        try directory.flush()
        let elapsed = (ContinuousClock.now - start).components
        try self.writeCheckpoint(state, to: directory,
                                 wallSeconds: (resumeFrom?.wallSeconds ?? 0) + Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
      })
    } catch {
      try? directory.finishTrace()
      throw error
    }
    try directory.finishTrace()
    let summary = makeSummary(outcome)
    try directory.write("summary.json", summary.jsonText(pretty: true) + "\n")
    try directory.write("particles.csv", try particlesCSV(outcome.state.cloud))
    // objective.svg, and the primary figure's too (G_lambda.svg for signed runs).
    let trace = try RunTrace(directory: directory.url.path)
    try RunPlots.write([trace], names: [URL(fileURLWithPath: directory.url.path).lastPathComponent],
                       quantities: Array(Set(["objective", trace.primary])).sorted(), into: directory.url.path)
    return Result(outcome: outcome, directory: directory, summary: summary)
  }

  /// The final cloud; for a signed run, each particle's weight r_i beside its position w_i.
  func particlesCSV(_ cloud: ParticleCloud) throws -> String {
    guard let view = plan.problem.objective as? any SignedMeasureView,
          let (r, w) = try? view.signedMeasure(of: cloud, parallel: plan.parallel) else { return CSVFormat.cloud(cloud) }
    var joined = ParticleCloud(count: w.count, dimension: w.dimension + 1)
    for i in 0..<w.count {
      joined[i, 0] = r[i]
      for k in 0..<w.dimension { joined[i, 1 + k] = w[i, k] }
    }
    return CSVFormat.cloud(joined, columnNames: ["r"] + (1...w.dimension).map { "w\($0)" })
  }

  /// checkpoint.json: the step, the particles, the parts' own state, and where the config came from.
  func writeCheckpoint(_ state: SolverState, to directory: RunDirectory, wallSeconds: Double) throws {
    var parts: ConfigObject = [:]
    for (name, part) in [("integrator", plan.integrator as AnyObject), ("objective", plan.problem.objective as AnyObject)] {
      guard let c = part as? any Checkpointable else { continue }
      var o: ConfigObject = [:]
      for (k, v) in c.checkpointState().sorted(by: { $0.key < $1.key }) { o[k] = .array(v.map(ConfigValue.real)) }
      parts[name] = .object(o)
    }
    let checkpoint: ConfigValue = .object([
      "format": "mfld-checkpoint", "version": 1,
      "config_file": file.map(ConfigValue.string) ?? .null,
      "base_directory": .string(baseDirectory),
      "step": .integer(state.step), "time": .real(state.time), "wall_seconds": .real(wallSeconds),
      "particles": .object(["count": .integer(state.cloud.count), "dimension": .integer(state.cloud.dimension),
                            "coordinates": .array(state.cloud.coordinates.map(ConfigValue.real))]),
      "state": .object(parts),
    ])
    try directory.write("checkpoint.json", checkpoint.jsonText(pretty: false) + "\n")
  }

  /// Reopens a run folder at its last checkpoint: the resolved config.json, the particles, the parts'
  /// state; `run` then appends to its trace. Same seed, same steps: the result is the uninterrupted run's.
  public static func resume(directory: String, registry: Registry = .standard(), plugins: [String] = []) throws -> Experiment {
    let dir = URL(fileURLWithPath: directory)
    let checkpointFile = dir.appendingPathComponent("checkpoint.json").path
    guard let text = try? String(contentsOfFile: checkpointFile, encoding: .utf8) else {
      throw ConfigError(file: checkpointFile, path: "", "no checkpoint to resume from",
                        fix: "run with --checkpoint-every N (an interrupted run writes one too)")
    }
    let checkpoint: ConfigValue
    do { checkpoint = try JSONParser.parse(text) } catch {
      throw ConfigError(file: checkpointFile, path: "", "the checkpoint is not valid JSON (\(error))", fix: "it may be from a crashed write; rerun")
    }
    guard case .object(let c) = checkpoint, c["format"] == "mfld-checkpoint", c["version"] == 1,
          case .integer(let step)? = c["step"], case .object(let p)? = c["particles"],
          case .integer(let m)? = p["count"], case .integer(let d)? = p["dimension"], case .array(let xs)? = p["coordinates"] else {
      throw ConfigError(file: checkpointFile, path: "", "not an mfld checkpoint of this version", fix: "resume with the mfld that wrote it")
    }
    let configFile = dir.appendingPathComponent("config.json").path
    let base: String = { if case .string(let b)? = c["base_directory"] { return b } else { return directory } }()
    let original: String? = { if case .string(let f)? = c["config_file"] { return f } else { return nil } }()
    guard let configText = try? String(contentsOfFile: configFile, encoding: .utf8) else {
      throw ConfigError(file: configFile, path: "", "no config.json beside the checkpoint", fix: "resume a folder written by `mfld run`")
    }
    let raw: ConfigValue
    do { raw = try JSONParser.parse(configText) } catch { throw ConfigError(file: configFile, path: "", "invalid JSON: \(error)") }
    var e = try compose(raw, file: original ?? configFile, baseDirectory: base,
                        name: URL(fileURLWithPath: original ?? configFile).deletingPathExtension().lastPathComponent,
                        plugins: plugins, registry: registry)
    guard m == e.plan.state.cloud.count, d == e.plan.state.cloud.dimension, xs.count == m * d else {
      throw ConfigError(file: checkpointFile, path: "particles", "the checkpoint's particles do not fit config.json", fix: "resume the folder the checkpoint belongs to")
    }
    e.plan.state = SolverState(cloud: ParticleCloud(count: m, dimension: d, coordinates: xs.map { $0.doubleValue ?? .nan }),
                               step: step, time: c["time"]?.doubleValue ?? 0)
    if case .object(let parts)? = c["state"] {
      for (name, part) in [("integrator", e.plan.integrator as AnyObject), ("objective", e.plan.problem.objective as AnyObject)] {
        guard let target = part as? any Checkpointable, case .object(let saved)? = parts[name] else { continue }
        var state: [String: [Double]] = [:]
        for (k, v) in saved { if case .array(let a) = v { state[k] = a.map { $0.doubleValue ?? Double.nan } } }
        try target.restoreCheckpoint(state)
      }
    }
    e.resumeFrom = (step, c["wall_seconds"]?.doubleValue ?? 0)
    return e
  }

  func makeSummary(_ outcome: RunOutcome) -> ConfigValue {
    var s: ConfigObject = [:]
    let status: String
    switch outcome.failure?.kind {
    case nil: status = "completed"
    case .diverged?: status = "diverged"
    case .interrupted?: status = "interrupted"
    default: status = "failed"
    }
    s["status"] = .string(status)
    if let f = outcome.failure { s["message"] = .string(f.message) }
    s["config"] = file.map(ConfigValue.string) ?? .null
    s["mfld_version"] = .string(mfldVersion)
    s["steps"] = .integer(outcome.state.step)
    s["particles"] = .integer(outcome.state.cloud.count)
    s["domain"] = .string(domain.name)
    s["threads"] = .integer(plan.parallel.threads)
    s["wall_seconds"] = .real(outcome.wallSeconds)
    s["steps_per_second"] = .real(outcome.wallSeconds > 0 ? Double(outcome.stepsTaken) / outcome.wallSeconds : 0)
    var final: ConfigObject = [:]
    for (name, value) in zip(plan.columns, outcome.finalRow) {
      final[name] = value.isFinite ? (name == "step" ? .integer(Int(value)) : .real(value)) : .null
    }
    s["final"] = .object(final)
    return .object(s)
  }
}
