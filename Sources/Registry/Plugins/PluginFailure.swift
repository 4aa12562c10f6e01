import SolverAPI
import Formats

/// A failure at the plugin boundary that is neither a config nor a run error (a malformed
/// declaration, an unsupported kind, an error thrown by plugin code).
public struct PluginFailure: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
