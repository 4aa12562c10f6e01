import Formats
import Foundation
import Registry
import SolverAPI

/// A comparison planned into a folder, run by anyone who can reach the folder: this process
/// (`mfld compare --resume DIR --jobs J`), a Slurm job array (`sbatch DIR/slurm.sbatch`), or both in turn.
///
///     DIR/sweep.json                 the plan: variants, seeds, and every run's folder (read by --resume and --collect)
///     DIR/manifest.csv               index,variant,seed,folder — one line per run, the array task index first
///     DIR/slurm.sbatch               a job array, one run per task
///     DIR/runs/<variant>/seed-<s>/   each run's folder, config.json (resolved) written by the plan
///
/// A run is *finished* when its summary.json says completed, diverged or failed; running the sweep again
/// skips finished runs, resumes interrupted ones from their checkpoint and starts the rest afresh, so the
/// outcome does not depend on how often, where, or with how many threads it was run.
public struct Sweep {
  /// One planned run: array task `index`.
  public struct Entry: Sendable, Equatable {
    public var index: Int
    public var variant: Int
    public var seed: Int
    /// The run's folder, relative to the sweep's folder (so the folder can move, say to a cluster).
    public var folder: String
    /// The config file the run came from, and the folder its relative paths (data files) resolve against.
    public var configFile: String
    public var baseDirectory: String
  }

  public var directory: String
  /// The variants, repeats and reporting choices (`outputDirectory` is `directory`).
  public var comparison: Comparison
  public var runs: [Entry]
  /// Checkpoint every this many steps (a killed run then loses at most that many).
  public var checkpointEvery: Int?

  static let finished: Set<String> = ["completed", "diverged", "failed"]

  public func folder(_ entry: Entry) -> String { URL(fileURLWithPath: directory).appendingPathComponent(entry.folder).path }

  /// Plans `comparison` into its output folder: every variant is composed (a bad one fails here, before
  /// anything runs), and each run's resolved config is written into its folder. Planning the same
  /// comparison into the same folder again changes nothing; a different one is refused.
  public static func plan(_ comparison: Comparison, checkpointEvery: Int? = nil) throws -> Sweep {
    let root = URL(fileURLWithPath: comparison.outputDirectory)
    var runs: [Entry] = [], configs: [ConfigValue] = []
    for (i, v) in comparison.variants.enumerated() {
      let e = try Experiment.load(file: v.file, overrides: v.overrides, plugins: comparison.plugins)
      guard case .object(var o) = e.config, case .integer(let seed0)? = o["seed"] else { continue }
      for r in 0..<comparison.repeats {
        o["seed"] = .integer(seed0 + r)
        o["threads"] = .integer(1)
        let folder = "runs/" + RunPlots.safeName(v.name) + "/seed-\(seed0 + r)"
        runs.append(Entry(index: runs.count, variant: i, seed: seed0 + r, folder: folder,
                          configFile: URL(fileURLWithPath: v.file).standardizedFileURL.path,
                          baseDirectory: URL(fileURLWithPath: e.baseDirectory).standardizedFileURL.path))
        configs.append(.object(o))
      }
    }
    let sweep = Sweep(directory: root.path, comparison: comparison, runs: runs, checkpointEvery: checkpointEvery)
    let planFile = root.appendingPathComponent("sweep.json").path
    let text = sweep.json.jsonText(pretty: true) + "\n"
    if let existing = try? String(contentsOfFile: planFile, encoding: .utf8), existing != text {
      throw ConfigError(file: planFile, path: "", "this folder holds a different sweep",
                        fix: "choose another --out, continue it with `mfld compare --resume \(root.path)`, or remove the folder")
    }
    for (entry, config) in zip(runs, configs) {
      let dir = try RunDirectory(path: sweep.folder(entry))
      if !FileManager.default.fileExists(atPath: dir.file("config.json").path) {
        try dir.write("config.json", config.jsonText(pretty: true) + "\n")
      }
    }
    try RunPlots.write(sweep.manifest, to: root.appendingPathComponent("manifest.csv").path)
    try RunPlots.write(text, to: planFile)
    return sweep
  }

  /// manifest.csv: one line per run, the Slurm array index first.
  var manifest: String {
    "index,variant,seed,folder\n" + runs.map { r in
      [String(r.index), Comparison.csvField(comparison.variants[r.variant].name), String(r.seed), Comparison.csvField(r.folder)]
        .joined(separator: ",")
    }.joined(separator: "\n") + "\n"
  }

  /// Where a run stands: its summary's status ("completed", "diverged", "failed", "interrupted"), or
  /// "missing" when it has none yet; with the summary's message.
  public func status(_ entry: Entry) -> (status: String, message: String?) {
    let file = URL(fileURLWithPath: folder(entry)).appendingPathComponent("summary.json").path
    guard let text = try? String(contentsOfFile: file, encoding: .utf8), case .object(let s)? = try? JSONParser.parse(text),
          case .string(let status)? = s["status"] else { return ("missing", nil) }
    if case .string(let m)? = s["message"] { return (status, m) }
    return (status, nil)
  }

  /// The runs not yet finished.
  public var pending: [Entry] { runs.filter { !Sweep.finished.contains(status($0).status) } }
}

extension Sweep {
  /// sweep.json's contents.
  var json: ConfigValue {
    let c = comparison
    let variants: [ConfigValue] = c.variants.map { v in
      .object(["name": .string(v.name), "file": .string(URL(fileURLWithPath: v.file).standardizedFileURL.path),
               "overrides": .array(v.overrides.map(ConfigValue.string)),
               "swept": .object(zip(v.sweptKeys, v.sweptValues).reduce(into: ConfigObject()) { $0[$1.0] = .string($1.1) })])
    }
    let runs: [ConfigValue] = self.runs.map { r in
      .object(["index": .integer(r.index), "variant": .integer(r.variant), "seed": .integer(r.seed), "folder": .string(r.folder),
               "config_file": .string(r.configFile), "base_directory": .string(r.baseDirectory)])
    }
    return .object([
      "format": "mfld-sweep", "version": 1, "variants": .array(variants), "repeats": .integer(c.repeats),
      "target": c.target.map(ConfigValue.real) ?? .null, "quantity": c.quantity.map(ConfigValue.string) ?? .null,
      "average_from": c.averageFrom.map(ConfigValue.integer) ?? .null,
      "plugins": .array(c.plugins.map { .string(URL(fileURLWithPath: $0).standardizedFileURL.path) }),
      "checkpoint_every": checkpointEvery.map(ConfigValue.integer) ?? .null, "runs": .array(runs),
    ])
  }

  /// Reads the sweep planned in `directory`.
  public static func open(_ directory: String) throws -> Sweep {
    let file = URL(fileURLWithPath: directory).appendingPathComponent("sweep.json").path
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
      throw ConfigError(file: file, path: "", "no sweep here", fix: "plan one with `mfld compare CONFIG --vary … --plan \(directory)`")
    }
    func bad(_ path: String) -> ConfigError {
      ConfigError(file: file, path: path, "not a sweep plan this mfld can read", fix: "plan the sweep again with this mfld")
    }
    guard case .object(let o) = try JSONParser.parse(text), o["format"] == "mfld-sweep", o["version"] == 1,
          case .array(let vs)? = o["variants"], case .array(let rs)? = o["runs"], case .integer(let repeats)? = o["repeats"] else { throw bad("") }
    func string(_ o: ConfigObject, _ k: String, _ path: String) throws -> String {
      guard case .string(let s)? = o[k] else { throw bad(path + "." + k) }
      return s
    }
    var variants: [Comparison.Variant] = []
    for (i, v) in vs.enumerated() {
      guard case .object(let vo) = v, case .array(let ov)? = vo["overrides"], case .object(let swept)? = vo["swept"] else { throw bad("variants[\(i)]") }
      variants.append(Comparison.Variant(name: try string(vo, "name", "variants[\(i)]"), file: try string(vo, "file", "variants[\(i)]"),
                                         overrides: ov.compactMap { if case .string(let s) = $0 { return s } else { return nil } },
                                         sweptKeys: swept.keys,
                                         sweptValues: swept.map { if case .string(let s) = $0.1 { return s } else { return "" } }))
    }
    var runs: [Entry] = []
    for (i, r) in rs.enumerated() {
      let p = "runs[\(i)]"
      guard case .object(let ro) = r, case .integer(let index)? = ro["index"], index == i, case .integer(let variant)? = ro["variant"],
            variants.indices.contains(variant), case .integer(let seed)? = ro["seed"] else { throw bad(p) }
      runs.append(Entry(index: index, variant: variant, seed: seed, folder: try string(ro, "folder", p),
                        configFile: try string(ro, "config_file", p), baseDirectory: try string(ro, "base_directory", p)))
    }
    let plugins: [String] = { if case .array(let a)? = o["plugins"] { return a.compactMap { if case .string(let s) = $0 { s } else { nil } } } else { return [] } }()
    let comparison = Comparison(variants: variants, repeats: repeats, outputDirectory: directory, target: o["target"]?.doubleValue,
                                plugins: plugins, quantity: { if case .string(let q)? = o["quantity"] { q } else { nil } }(),
                                averageFrom: { if case .integer(let k)? = o["average_from"] { k } else { nil } }())
    let every: Int? = { if case .integer(let k)? = o["checkpoint_every"] { k } else { nil } }()
    return Sweep(directory: directory, comparison: comparison, runs: runs, checkpointEvery: every)
  }
}
