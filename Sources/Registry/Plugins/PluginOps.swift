import Formats
import SolverAPI

/// A plugin's ops table, read once at registration: the library's `build` and `free_string`.
struct PluginOps: @unchecked Sendable {
  let library: String
  let freeString: PluginABI.FreeStringFunction
  let build: PluginABI.BuildFunction

  /// Reads the table, checking its version and its two functions.
  init(table raw: UnsafeRawPointer, library: String) throws {
    let t = PluginTable(raw)
    typealias S = PluginABI.OpsSlot
    let version = t.integer(S.abiVersion.rawValue)
    guard version == Int(PluginABI.version) else {
      throw PluginLoader.Refusal(message: "its ops table is for ABI version \(version), this mfld uses version \(PluginABI.version)",
                                 fix: "rebuild the plugin against this mfld")
    }
    func missing(_ name: String) -> PluginLoader.Refusal {
      PluginLoader.Refusal(message: "its ops table has no \(name) function", fix: "fill every slot of the ops table (docs/plugins.md)")
    }
    guard let f = t.function(S.freeString.rawValue, as: PluginABI.FreeStringFunction.self) else { throw missing("free_string") }
    guard let b = t.function(S.build.rawValue, as: PluginABI.BuildFunction.self) else { throw missing("build") }
    self.library = library
    freeString = f
    build = b
  }

  /// Takes ownership of a string the plugin returned.
  func take(_ s: PluginABI.OwnedCString?) -> String? {
    guard let s else { return nil }
    defer { freeString(s) }
    return String(cString: s)
  }
}
