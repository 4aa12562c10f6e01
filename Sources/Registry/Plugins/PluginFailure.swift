import SolverAPI
import Formats

/// A failure at the plugin boundary that is neither a config nor a run error (a malformed
/// declaration, an object that answered out of turn, an error thrown by plugin code), with the
/// library it came from when it came from a plugin.
public struct PluginFailure: Error, CustomStringConvertible, Sendable {
  public var message: String
  /// "plugin 'libX.so'" for a failure raised in a plugin; nil in the host.
  public var origin: String?
  public init(_ message: String, origin: String? = nil) {
    self.message = message
    self.origin = origin
  }
  public var description: String { origin.map { "\($0): \(message)" } ?? message }

  /// The library this code runs in, when it is a plugin (set by `PluginExport.register`): what a failure
  /// raised here is tagged with on its way to the host.
  nonisolated(unsafe) static var origin: String?
}
