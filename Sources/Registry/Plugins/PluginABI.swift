import SolverAPI

/// The plugin ABI: what a shared library and the `mfld` host exchange, shared by both sides.
///
/// Only C types cross the boundary — integers, doubles, raw pointers, C function pointers and
/// NUL-terminated UTF-8 JSON text — because a plugin links its own copy of SolverAPI: its
/// `Objective` is not the host's `Objective` (another protocol descriptor), so no Swift value can
/// be cast across. docs/plugins.md explains the design; this is the reference.
///
/// In C, version 2 reads (every table an array of pointer-sized slots):
///
///     int32_t mfld_plugin_abi_version(void);               // returns 2
///     int32_t mfld_plugin_register(const intptr_t *host);   // 0 on success
///
///     host[0] abi_version (2)                                 filled by the host; valid for the whole process
///     host[1] context                                         pass back to the two callbacks below
///     host[2] int32_t (*register_component)(void *context, const char *declaration_json,
///                                           const intptr_t *ops, int64_t component)          0: accepted
///     host[3] void (*report_error)(void *context, const char *message)
///     host[4] void (*parallel_for)(int threads, ptrdiff_t count, void (*task)(void *, ptrdiff_t), void *task_context)
///                                                             the host's thread pool, which the plugin's loops use
///     host[5] const char *library                             the library's path as the user gave it (for messages)
///
///     ops[0] abi_version (2)                                  filled by the plugin; lives as long as the process
///     ops[1] void (*free_string)(char *)                      frees strings the plugin returned
///     ops[2] int32_t (*build)(int64_t component, const char *arguments_json, const char *context_json,
///                             const intptr_t context_objects[6], intptr_t product[2], char **error_json)
///
/// `build` gets the resolved arguments, the build context and three objects — the domain (when it is not
/// ℝ^d, S^n, T^d or their lift), the reference measure, and the host's builder for nested parts — and
/// returns the product as an object (`BridgeObject`: a handle and its vtable). From then on the host and
/// the plugin call each other's objects with frames of 32 slots (`BridgeFrame`, `BridgeMethod`): the host
/// calls a plugin integrator's step, the plugin integrator calls back the host's objective and metric.
/// Any incompatible change — a slot, a method's slots, a JSON key's meaning — bumps `version`.
public enum PluginABI {
  /// The one ABI version. The host refuses a plugin that reports another.
  public static let version: Int32 = 2

  /// Exported symbol names.
  public static let versionSymbol = "mfld_plugin_abi_version"
  public static let registerSymbol = "mfld_plugin_register"

  /// Slots of the host table.
  public enum HostSlot: Int, CaseIterable {
    case abiVersion, context, registerComponent, reportError, parallelFor, libraryName
  }

  /// Slots of a plugin's ops table.
  public enum OpsSlot: Int, CaseIterable {
    case abiVersion, freeString, build
  }

  /// Status codes returned by the plugin's functions.
  public static let ok: Int32 = 0
  public static let failed: Int32 = 1

  public typealias CString = UnsafePointer<CChar>
  public typealias OwnedCString = UnsafeMutablePointer<CChar>
  public typealias StringOut = UnsafeMutablePointer<OwnedCString?>

  public typealias VersionFunction = @convention(c) () -> Int32
  public typealias RegisterFunction = @convention(c) (UnsafeRawPointer?) -> Int32

  public typealias RegisterComponentFunction = @convention(c) (UnsafeMutableRawPointer?, CString?, UnsafeRawPointer?, Int64) -> Int32
  public typealias ReportErrorFunction = @convention(c) (UnsafeMutableRawPointer?, CString?) -> Void
  public typealias ParallelTask = @convention(c) (UnsafeMutableRawPointer?, Int) -> Void
  public typealias ParallelForFunction = @convention(c) (Int32, Int, ParallelTask?, UnsafeMutableRawPointer?) -> Void

  public typealias FreeStringFunction = @convention(c) (OwnedCString?) -> Void
  public typealias BuildFunction = @convention(c) (Int64, CString?, CString?, UnsafePointer<Int>?, UnsafeMutablePointer<Int>?,
                                                  StringOut?) -> Int32
}
