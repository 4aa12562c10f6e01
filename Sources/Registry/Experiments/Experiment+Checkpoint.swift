import Foundation
import Formats
import Registry
import SolverAPI

extension Experiment {
  /// checkpoint.json: the step, the particles, the parts' own state, and where the config came from.
  public func writeCheckpoint(_ state: SolverState, to directory: RunDirectory, wallSeconds: Double) throws {
    var parts: ConfigObject = [:]
    for (name, part) in [("integrator", plan.integrator as AnyObject), ("objective", plan.problem.objective as AnyObject)] {
      guard let state = (part as? any Checkpointable)?.checkpointState(), !state.isEmpty else { continue }
      var o: ConfigObject = [:]
      for (k, v) in state.sorted(by: { $0.key < $1.key }) { o[k] = .array(v.map(ConfigValue.real)) }
      parts[name] = .object(o)
    }
    let checkpoint: ConfigValue = .object([
      "format": "mfld-checkpoint", "version": 1,
      // The run this checkpoint belongs to: resume refuses a config.json that is not this one.
      "config": config,
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
    var e = try Experiment.compose(raw, file: original ?? configFile, baseDirectory: base,
                        name: URL(fileURLWithPath: original ?? configFile).deletingPathExtension().lastPathComponent,
                        plugins: plugins, registry: registry)
    // Untrusted input from here on: every field is checked against the config before it is used.
    func bad(_ path: String, _ message: String, fix: String = "the checkpoint is damaged; start the run again without resuming") -> ConfigError {
      ConfigError(file: checkpointFile, path: path, message, fix: fix)
    }
    if let saved = c["config"], let key = ConfigValue.firstDifference(saved, e.config) {
      throw bad(key.isEmpty ? "config" : "config." + key, "config.json is not the config this checkpoint was written for (they differ at '\(key)')",
                fix: "another run was written into this folder; resume the folder the checkpoint belongs to, or start the run again")
    }
    guard (0...e.plan.lastStep).contains(step) else {
      throw bad("step", "\(step) is not a step of this run (0…\(e.plan.lastStep))")
    }
    guard m == e.plan.state.cloud.count, d == e.plan.state.cloud.dimension, xs.count == m * d else {
      throw ConfigError(file: checkpointFile, path: "particles", "the checkpoint's particles do not fit config.json", fix: "resume the folder the checkpoint belongs to")
    }
    func numbers(_ values: [ConfigValue], _ path: String) throws -> [Double] {
      try values.enumerated().map { k, v in
        guard let x = v.doubleValue, x.isFinite else { throw bad("\(path)[\(k)]", "\(v.jsonText(pretty: false)) is not a finite number") }
        return x
      }
    }
    func number(_ key: String) throws -> Double {
      guard let v = c[key] else { return 0 }
      guard let x = v.doubleValue, x.isFinite else { throw bad(key, "is not a finite number") }
      return x
    }
    let time = try number("time"), wall = try number("wall_seconds")
    guard wall >= 0 else { throw bad("wall_seconds", "is not a number of seconds") }
    e.plan.state = SolverState(cloud: ParticleCloud(count: m, dimension: d, coordinates: try numbers(xs, "particles.coordinates")),
                               step: step, time: time)
    if case .object(let parts)? = c["state"] {
      for (name, part) in [("integrator", e.plan.integrator as AnyObject), ("objective", e.plan.problem.objective as AnyObject)] {
        guard let target = part as? any Checkpointable, case .object(let saved)? = parts[name] else { continue }
        var state: [String: [Double]] = [:]
        for (k, v) in saved {
          guard case .array(let a) = v else { throw bad("state.\(name).\(k)", "is not an array of numbers") }
          state[k] = try numbers(a, "state.\(name).\(k)")
        }
        do { try target.restoreCheckpoint(state) } catch var error as ConfigError {
          error.file = checkpointFile
          throw error
        }
      }
    }
    e.resumeFrom = (step, wall)
    return e
  }
}
