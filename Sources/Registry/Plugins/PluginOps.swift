import Formats
import LinearAlgebra
import SolverAPI

/// A plugin's `mfld_plugin_ops` table, read once at registration.
struct PluginOps: @unchecked Sendable {
  let library: String
  let freeString: PluginABI.FreeStringFunction
  let build: PluginABI.BuildFunction
  let destroy: PluginABI.DestroyFunction
  let objectiveEvaluate: PluginABI.ObjectiveEvaluateFunction?
  let objectiveFirstVariation: PluginABI.ObjectiveFirstVariationFunction?
  let objectiveObserve: PluginABI.ObjectiveObserveFunction?
  let fieldEvaluate: PluginABI.FieldEvaluateFunction?

  /// Reads the table, checking its version and the functions a part of `kind` needs.
  init(table raw: UnsafeRawPointer, kind: PartKind, library: String) throws {
    let t = PluginTable(raw)
    typealias S = PluginABI.OpsSlot
    let version = t.integer(S.abiVersion.rawValue)
    guard version == Int(PluginABI.version) else {
      throw PluginLoader.Refusal(message: "its ops table is for ABI version \(version), this mfld uses version \(PluginABI.version)",
                                 fix: "rebuild the plugin against this mfld")
    }
    func missing(_ name: String) -> PluginLoader.Refusal {
      PluginLoader.Refusal(message: "its ops table has no \(name) function", fix: "fill every slot of mfld_plugin_ops")
    }
    guard let f = t.function(S.freeString.rawValue, as: PluginABI.FreeStringFunction.self) else { throw missing("free_string") }
    guard let b = t.function(S.build.rawValue, as: PluginABI.BuildFunction.self) else { throw missing("build") }
    guard let d = t.function(S.destroy.rawValue, as: PluginABI.DestroyFunction.self) else { throw missing("destroy") }
    self.library = library
    freeString = f
    build = b
    destroy = d
    objectiveEvaluate = t.function(S.objectiveEvaluate.rawValue, as: PluginABI.ObjectiveEvaluateFunction.self)
    objectiveFirstVariation = t.function(S.objectiveFirstVariation.rawValue, as: PluginABI.ObjectiveFirstVariationFunction.self)
    objectiveObserve = t.function(S.objectiveObserve.rawValue, as: PluginABI.ObjectiveObserveFunction.self)
    fieldEvaluate = t.function(S.fieldEvaluate.rawValue, as: PluginABI.FieldEvaluateFunction.self)
    switch kind {
    case .objective:
      if objectiveEvaluate == nil { throw missing("objective_evaluate") }
      if objectiveFirstVariation == nil { throw missing("objective_first_variation") }
      if objectiveObserve == nil { throw missing("objective_observe") }
    default:
      if fieldEvaluate == nil { throw missing("field_evaluate") }
    }
  }

  /// Takes ownership of a string the plugin returned.
  func take(_ s: PluginABI.OwnedCString?) -> String? {
    guard let s else { return nil }
    defer { freeString(s) }
    return String(cString: s)
  }

  /// The error behind a failed call, with the plugin named when it is not a config or run error.
  func error(_ s: PluginABI.OwnedCString?) -> Error {
    let e = PluginJSON.decodeError(take(s))
    if let f = e as? PluginFailure { return RunError(.numerical, "plugin '\(library)': \(f.message)") }
    return e
  }
}
