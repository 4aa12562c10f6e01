import SolverAPI
/// The plugin ABI: what a shared library and the `mfld` host exchange, shared by both sides.
///
/// Only C types cross the boundary — integers, doubles, raw pointers, C function pointers and
/// NUL-terminated UTF-8 JSON text — because a plugin links its own copy of SolverAPI: its
/// `Objective` is not the host's `Objective` (another protocol descriptor), so no Swift value can
/// be cast across. docs/plugins.md explains the design; this is the reference.
///
/// In C, version 1 reads:
///
///     int32_t mfld_plugin_abi_version(void);               // returns 1
///     int32_t mfld_plugin_register(const mfld_host *host);  // 0 on success
///
///     typedef struct mfld_host {                          // filled by the host
///       intptr_t abi_version;                             // the host's version (1)
///       void *context;                                    // pass back to the callbacks
///       int32_t (*register_component)(void *context, const char *declaration_json,
///                                     const mfld_plugin_ops *ops, int64_t component);  // 0: accepted
///       void (*report_error)(void *context, const char *message);
///     } mfld_host;
///
///     typedef struct mfld_plugin_ops {                    // filled by the plugin, lives forever
///       intptr_t abi_version;                             // 1
///       void (*free_string)(char *string);                // frees strings the plugin returned
///       int32_t (*build)(int64_t component, const char *arguments_json, const char *context_json,
///                        void **handle, char **info_json, char **error_json);
///       void (*destroy)(void *handle);
///       int32_t (*objective_evaluate)(void *handle, const double *x, int64_t count, int64_t dimension,
///                                     double *gradient /* NULL: value only */, int32_t threads,
///                                     double *value, char **error_json);
///       int32_t (*objective_first_variation)(void *handle, const double *x, int64_t count,
///                                            const double *y, int64_t points, int64_t dimension,
///                                            double *values, double *gradients /* nullable */,
///                                            int32_t threads, char **error_json);
///       int32_t (*objective_observe)(void *handle, const double *x, int64_t count, int64_t dimension,
///                                    double *values, int32_t threads, char **error_json);
///       double (*field_evaluate)(void *handle, const double *x, double *gradient /* nullable */);
///     } mfld_plugin_ops;
///
/// Every field is pointer-sized, so both tables are arrays of pointer-sized slots; Swift reads and
/// writes them as such (`PluginTable`), which makes the layout exact without a C module.
/// Any incompatible change — a slot, a signature, a JSON key's meaning — bumps `version`.
public enum PluginABI {
  /// The one ABI version. The host refuses a plugin that reports another.
  public static let version: Int32 = 1

  /// Exported symbol names.
  public static let versionSymbol = "mfld_plugin_abi_version"
  public static let registerSymbol = "mfld_plugin_register"

  /// The part kinds a plugin may register in this version.
  public static let supportedKinds: [PartKind] = [.objective, .potential, .kernel, .reference]

  /// Slots of `mfld_host`.
  public enum HostSlot: Int, CaseIterable {
    case abiVersion, context, registerComponent, reportError
  }

  /// Slots of `mfld_plugin_ops`.
  public enum OpsSlot: Int, CaseIterable {
    case abiVersion, freeString, build, destroy, objectiveEvaluate, objectiveFirstVariation, objectiveObserve, fieldEvaluate
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

  public typealias FreeStringFunction = @convention(c) (OwnedCString?) -> Void
  public typealias BuildFunction = @convention(c) (Int64, CString?, CString?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                                  StringOut?, StringOut?) -> Int32
  public typealias DestroyFunction = @convention(c) (UnsafeMutableRawPointer?) -> Void
  public typealias ObjectiveEvaluateFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<Double>?, Int64, Int64,
                                                              UnsafeMutablePointer<Double>?, Int32, UnsafeMutablePointer<Double>?,
                                                              StringOut?) -> Int32
  public typealias ObjectiveFirstVariationFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<Double>?, Int64,
                                                                    UnsafePointer<Double>?, Int64, Int64,
                                                                    UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?,
                                                                    Int32, StringOut?) -> Int32
  public typealias ObjectiveObserveFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<Double>?, Int64, Int64,
                                                             UnsafeMutablePointer<Double>?, Int32, StringOut?) -> Int32
  public typealias FieldEvaluateFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<Double>?,
                                                          UnsafeMutablePointer<Double>?) -> Double
}
