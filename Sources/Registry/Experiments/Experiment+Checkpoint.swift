import Foundation
import Formats
import Registry
import SolverAPI

extension Experiment {
  /// checkpoint.json: the step, the particles, the parts' own state, and where the config came from.
  func writeCheckpoint(_ state: SolverState, to directory: RunDirectory, wallSeconds: Double) throws {
    var parts: ConfigObject = [:]
    for (name, part) in [("integrator", plan.integrator as AnyObject), ("objective", plan.problem.objective as AnyObject)] {
      guard let state = (part as? any Checkpointable)?.checkpointState(), !state.isEmpty else { continue }
      var o: ConfigObject = [:]
      for (k, v) in state.sorted(by: { $0.key < $1.key }) { o[k] = .array(v.map(ConfigValue.real)) }
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
    var e = try Experiment.compose(raw, file: original ?? configFile, baseDirectory: base,
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
}
