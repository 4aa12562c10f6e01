import Experiments
import Foundation
import Formats
import Plugins
import Registry
import SolverAPI
import Suggestions

// The library functions of the C interface (CInterface.swift has the conventions).
//
//     int32_t mfld_run_folder(const char *file, const char *config_json, const char *base_directory,
//                             const char *overrides_json, const char *out, int32_t force, char **summary, char **error);
//     int32_t mfld_check(const char *file, const char *config_json, const char *base_directory,
//                        const char *overrides_json, char **laws, char **error);
//     char   *mfld_parts(void);                                     JSON: [{"kind", "name", "summary", "plugin"}…]
//     int32_t mfld_describe(const char *name, char **text, char **error);
//     int32_t mfld_register_plugin(int32_t (*register)(const intptr_t *host), const char *name, char **error);

/// A config from a file or JSON text, resolved and composed with the process's registry.
private func experiment(_ file: UnsafePointer<CChar>?, _ json: UnsafePointer<CChar>?, _ base: UnsafePointer<CChar>?,
                        _ overrides: UnsafePointer<CChar>?) throws -> Experiment {
  let o = try CInterface.overrides(overrides)
  if let file = CInterface.string(file) { return try Experiment.load(file: file, overrides: o, registry: CInterface.registry) }
  let raw: ConfigValue
  do { raw = try JSONParser.parse(CInterface.string(json) ?? "") } catch { throw ConfigError(path: "", "the config is not valid JSON: \(error)") }
  return try Experiment.compose(raw, baseDirectory: CInterface.string(base) ?? FileManager.default.currentDirectoryPath, overrides: o,
                                registry: CInterface.registry)
}

/// What `mfld run` does: refuses a config whose step is estimated to take over 10 minutes (unless `force`),
/// runs it and writes its run folder (`out`, or the config's "output"). Returns summary.json's text; a run
/// that diverged or failed still returns 0 with its status and message in the summary.
@_cdecl("mfld_run_folder")
public func mfld_run_folder(_ file: UnsafePointer<CChar>?, _ json: UnsafePointer<CChar>?, _ base: UnsafePointer<CChar>?,
                            _ overrides: UnsafePointer<CChar>?, _ out: UnsafePointer<CChar>?, _ force: Int32,
                            _ summary: CStringOut?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    let e = try experiment(file, json, base, overrides)
    if force == 0, case .object(let resolved) = e.config { try StepCost.check(resolved, file: e.file) }
    let result = try e.run(outputPath: CInterface.string(out) ?? e.outputPath)
    var s = result.summary
    if case .object(var o) = s {
      o["output"] = .string(result.directory.url.path)
      s = .object(o)
    }
    CInterface.give(s.jsonText(pretty: false), summary)
  }
}

/// `mfld check`: the laws of every part the config composes, as JSON rows
/// `{"part", "path", "law", "error", "tolerance", "passed"}`.
@_cdecl("mfld_check")
public func mfld_check(_ file: UnsafePointer<CChar>?, _ json: UnsafePointer<CChar>?, _ base: UnsafePointer<CChar>?,
                       _ overrides: UnsafePointer<CChar>?, _ laws: CStringOut?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    let e = try experiment(file, json, base, overrides)
    let results = try ConfigCheck.laws(e.composition, registry: CInterface.registry)
    _ = PartFailures.take()  // a failing part's report belongs to its law, not to a later run
    func number(_ x: Double) -> ConfigValue { x.isFinite ? .real(x) : .null }
    let rows: [ConfigValue] = results.map { r in
      .object(["part": .string(r.part), "path": .string(r.path), "law": .string(r.law), "error": number(r.error),
               "tolerance": number(r.tolerance), "passed": .bool(r.passed)])
    }
    CInterface.give(ConfigValue.array(rows).jsonText(pretty: false), laws)
  }
}

/// Every registered part: built-ins, plugins, and parts registered through `mfld_register_plugin`.
@_cdecl("mfld_parts")
public func mfld_parts() -> UnsafeMutablePointer<CChar>? {
  let rows: [ConfigValue] = CInterface.registry.components.map { c in
    .object(["kind": .string(c.kind.rawValue), "name": .string(c.name), "summary": .string(c.summary)])
  }
  return strdup(ConfigValue.array(rows).jsonText(pretty: false))
}

/// `mfld describe NAME`: the part's parameters, types, defaults, ranges and docs (every kind with that name;
/// a kind's name lists that kind; "config" the top-level keys).
@_cdecl("mfld_describe")
public func mfld_describe(_ name: UnsafePointer<CChar>?, _ text: CStringOut?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    let name = CInterface.string(name) ?? ""
    let registry = CInterface.registry
    if name == "config" { return CInterface.give(Documentation.describeConfig(), text) }
    if let kind = PartKind(rawValue: name), registry.components(named: name).isEmpty {
      return CInterface.give(registry.names(kind).compactMap { registry.component(kind, $0) }.map(Documentation.describe)
                               .joined(separator: "\n\n"), text)
    }
    let found = registry.components(named: name)
    guard !found.isEmpty else {
      throw ConfigError(path: "", "no part named '\(name)'" + Suggestion.didYouMean(name, in: registry.components.map(\.name)), fix: "mfld.parts() lists them all")
    }
    CInterface.give(found.map(Documentation.describe).joined(separator: "\n\n"), text)
  }
}

/// Registers the parts a plugin register function declares (`mfld_plugin_register`'s signature, docs/plugins.md)
/// into this process's registry, under `name` — how the Python package registers parts whose ops and objects
/// are ctypes callbacks: the same declarations, the same bridge, the same checks as a plugin library.
@_cdecl("mfld_register_plugin")
public func mfld_register_plugin(_ register: PluginABI.RegisterFunction?, _ name: UnsafePointer<CChar>?, _ error: CStringOut?) -> Int32 {
  CInterface.guarded(error) {
    guard let register else { throw ConfigError(path: "", "no register function") }
    try CInterface.registry.registerPlugin(using: register, name: CInterface.string(name) ?? "python")
  }
}
