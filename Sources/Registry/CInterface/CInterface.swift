import Foundation
import Experiments
import Formats
import Registry
import SolverAPI

/// The C interface: the solver as a shared library (`libmfldc.so`, the `mfldc` product) for any language
/// that calls C — the Python package in python/ drives it through ctypes. It is the CLI's engine behind
/// plain C functions: a config composes through the same registry (plugins, and parts registered from the
/// caller's process), a run steps through the same `RunSession` that `Solver.run` drives (k steps at a time,
/// the same bits as one run), and `mfld_run_folder` writes the same run folder as `mfld run`.
///
/// Conventions of every function:
/// - Status: 0 done, 1 failed, with the error as JSON in `*error` (free it with `mfld_free_string`):
///   `{"kind": "config" | "run" | "error", "message": "<the one line `mfld` prints>", "path": "<key path>",
///   "exit_code": n}`. Nothing thrown ever crosses: every Swift error becomes this.
/// - Text in is NUL-terminated UTF-8; text out is allocated here and freed with `mfld_free_string`.
/// - Arrays are contiguous doubles in the caller's buffers, row-major (a particle per row).
/// - A run is an opaque handle from `mfld_run_create`, freed with `mfld_run_free`; one thread at a time.
enum CInterface {
  /// The registry every config of this process composes with: the built-ins, the plugins configs name, and
  /// the parts registered through `mfld_register_plugin` (so a Python part is usable in any later config).
  static let registry = Registry.standard()

  static let ok: Int32 = 0
  static let failed: Int32 = 1

  /// The error JSON for `error`: its kind, the message the command-line tool prints, and for a config
  /// error the key path.
  static func errorJSON(_ error: Error) -> String {
    var o: ConfigObject = [:]
    switch error {
    case let e as ConfigError:
      o["kind"] = "config"
      o["path"] = .string(e.path)
      o["exit_code"] = 2
    case let e as RunError:
      o["kind"] = "run"
      o["exit_code"] = .integer(Int(e.exitCode))
    default:
      o["kind"] = "error"
      o["exit_code"] = 1
    }
    o["message"] = .string("\(error)")
    return ConfigValue.object(o).jsonText(pretty: false)
  }

  /// Runs `body`; a thrown error goes to `*error` as JSON and the status is `failed`.
  static func guarded(_ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ body: () throws -> Void) -> Int32 {
    do {
      try body()
      return ok
    } catch let e {
      error?.pointee = strdup(errorJSON(e))
      return failed
    }
  }

  /// A C string, or nil.
  static func string(_ p: UnsafePointer<CChar>?) -> String? { p.map { String(cString: $0) } }

  /// Text handed to the caller (freed with `mfld_free_string`).
  static func give(_ s: String, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) { out?.pointee = strdup(s) }

  /// The overrides (`--set` words) from a JSON array of strings, or none for null.
  static func overrides(_ p: UnsafePointer<CChar>?) throws -> [String] {
    guard let text = string(p), !text.isEmpty else { return [] }
    guard case .array(let items) = try JSONParser.parse(text) else { throw ConfigError(path: "", "overrides must be a JSON array of strings") }
    return try items.map { item in
      guard case .string(let s) = item else { throw ConfigError(path: "", "overrides must be strings like \"key.path=value\"") }
      return s
    }
  }
}

public typealias CStringOut = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

/// Frees text this library returned.
@_cdecl("mfld_free_string")
public func mfld_free_string(_ s: UnsafeMutablePointer<CChar>?) { free(s) }

/// The interface's version: bumped on any incompatible change of a function or a JSON key.
@_cdecl("mfld_interface_version")
public func mfld_interface_version() -> Int32 { 1 }

/// The mfld version string ("0.1.0"), static.
@_cdecl("mfld_version")
public func mfld_version() -> UnsafePointer<CChar>? { CInterfaceVersion.text }

enum CInterfaceVersion {
  nonisolated(unsafe) static let text: UnsafePointer<CChar>? = UnsafePointer(strdup(mfldVersion))
}
