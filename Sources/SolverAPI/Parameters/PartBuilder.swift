import Formats
import Foundation

/// Builds nested parts from their resolved config: the registry conforms.
public protocol PartBuilder: Sendable {
  /// Builds the part described by the resolved object `value` (with its `"type"`), found at `path`.
  func build(_ value: ConfigValue, kind: PartKind, path: String, context: BuildContext) throws -> Any
}
