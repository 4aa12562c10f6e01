import Formats
import LinearAlgebra
import SolverAPI

/// Owns one product built by a plugin; destroys it on the plugin side when the host lets go.
final class PluginHandle: @unchecked Sendable {
  let pointer: UnsafeMutableRawPointer
  let ops: PluginOps
  init(_ pointer: UnsafeMutableRawPointer, ops: PluginOps) {
    self.pointer = pointer
    self.ops = ops
  }
  deinit { ops.destroy(pointer) }
}
