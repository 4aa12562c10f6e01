import Foundation
import Formats
import SolverAPI

/// A reference to an object on the other side of the plugin boundary — a part a plugin built, or one of
/// the host's that a plugin part uses (the problem's objective and metric, a nested part) — as two C words:
///
///     typedef struct mfld_object { void *handle; const intptr_t *vtable; } mfld_object;
///     vtable: [0] abi_version (2)
///             [1] int32_t (*call)(void *handle, int32_t method, intptr_t frame[32])   0: done, 1: failed
///             [2] void (*retain)(void *handle)
///             [3] void (*release)(void *handle)
///             [4] void (*free_buffer)(void *buffer)     frees the strings and buffers the object returned
///
/// A call passes its arguments and results in a frame of 32 pointer-sized slots (`BridgeFrame`), laid out
/// per method (`BridgeMethod`); a failed call leaves a JSON error in slot 31. Both sides of the boundary
/// run this same code: `BridgeExport` turns a Swift part into an object, the `Bridged…` proxies turn an
/// object back into a Swift part, whichever side it came from.
public struct BridgeObject: @unchecked Sendable {
  public let handle: UnsafeMutableRawPointer
  public let vtable: UnsafeRawPointer

  public init(handle: UnsafeMutableRawPointer, vtable: UnsafeRawPointer) {
    self.handle = handle
    self.vtable = vtable
  }

  typealias CallFunction = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int>?) -> Int32
  typealias HandleFunction = @convention(c) (UnsafeMutableRawPointer?) -> Void

  private var table: PluginTable { PluginTable(vtable) }

  func retain() { table.function(2, as: HandleFunction.self)?(handle) }
  func release() { table.function(3, as: HandleFunction.self)?(handle) }
  func free(_ p: UnsafeMutableRawPointer?) { guard let p else { return }; table.function(4, as: HandleFunction.self)?(p) }

  /// Calls `method`: `set` fills the arguments, `get` reads the results; a failure throws the callee's
  /// error (a `ConfigError` or `RunError` as the callee threw it). The frame lives on the stack.
  func invoke<R>(_ method: BridgeMethod, set: (BridgeFrame) -> Void = { _ in }, get: (BridgeFrame) throws -> R) throws -> R {
    try withUnsafeTemporaryAllocation(of: Int.self, capacity: BridgeFrame.size) { buffer in
      let frame = BridgeFrame(buffer.baseAddress!)
      frame.clear()
      set(frame)
      guard let call = table.function(1, as: CallFunction.self) else { throw PluginFailure("an object without a call function") }
      if call(handle, method.rawValue, buffer.baseAddress) != 0 {
        let text = frame.text(BridgeFrame.errorSlot)
        free(frame.rawPointer(BridgeFrame.errorSlot))
        throw PluginJSON.decodeError(text)
      }
      defer { free(frame.rawPointer(BridgeFrame.textSlot)) }
      return try get(frame)
    }
  }

  /// The object's description: its kind and static properties, as JSON.
  func describe() throws -> ConfigObject {
    try invoke(.describe) { f in
      guard let text = f.text(BridgeFrame.textSlot), case .object(let o) = try JSONParser.parse(text) else {
        throw PluginFailure("an object described itself without a JSON object")
      }
      return o
    }
  }
}

/// Owns a reference to an object of the other side: released when the proxy holding it goes.
final class BridgeReference: @unchecked Sendable {
  let object: BridgeObject
  /// Takes over a reference the callee handed out (already retained for us).
  init(adopting object: BridgeObject) { self.object = object }
  deinit { object.release() }
}
