import Foundation
import Formats
import LinearAlgebra
import SolverAPI

/// Turns Swift parts into objects the other side of the plugin boundary calls (`BridgeObject`): a plugin's
/// products for the host, the host's problem parts and nested parts for a plugin. One vtable serves every
/// object of this side; each object is a retained box holding the part and its dispatch.
public enum BridgeExport {
  /// One exported part: the value (so that an object coming back to the side that made it is unwrapped to
  /// the original part) and its method dispatch.
  final class Box {
    let value: Any
    let dispatch: (BridgeMethod, BridgeFrame) throws -> Void
    init(value: Any, dispatch: @escaping (BridgeMethod, BridgeFrame) throws -> Void) {
      self.value = value
      self.dispatch = dispatch
    }
  }

  /// The vtable of every object this side exports.
  static let vtable: PluginTable = {
    let t = PluginTable.allocate(5)
    t.setInteger(0, Int(PluginABI.version))
    t.setFunction(1, call)
    t.setFunction(2, retain)
    t.setFunction(3, release)
    t.setFunction(4, freeBuffer)
    return t
  }()

  static let call: BridgeObject.CallFunction = { handle, method, slots in
    guard let handle, let slots else { return 1 }
    let box = Unmanaged<Box>.fromOpaque(handle).takeUnretainedValue()
    let frame = BridgeFrame(slots)
    do {
      guard let m = BridgeMethod(rawValue: method) else { throw PluginFailure("no method \(method) (plugin ABI \(PluginABI.version))") }
      try box.dispatch(m, frame)
      return 0
    } catch {
      frame.setOwnedText(BridgeFrame.errorSlot, PluginJSON.error(error).jsonText(pretty: false))
      return 1
    }
  }
  static let retain: BridgeObject.HandleFunction = { if let h = $0 { _ = Unmanaged<Box>.fromOpaque(h).retain() } }
  static let release: BridgeObject.HandleFunction = { if let h = $0 { Unmanaged<Box>.fromOpaque(h).release() } }
  static let freeBuffer: BridgeObject.HandleFunction = { Foundation.free($0) }

  /// A new object for `value` (one reference, which the receiver adopts), or — for a proxy of an object
  /// of the other side — that object again, retained: nothing is wrapped twice.
  static func make(_ value: Any, describe: @escaping () throws -> ConfigObject,
                   _ dispatch: @escaping (BridgeMethod, BridgeFrame) throws -> Void) -> BridgeObject {
    if let proxy = value as? any BridgedPart {
      proxy.bridge.object.retain()
      return proxy.bridge.object
    }
    let box = Box(value: value) { method, frame in
      switch method {
      case .describe: frame.setOwnedText(BridgeFrame.textSlot, ConfigValue.object(try describe()).jsonText(pretty: false))
      case .checkpoint:
        frame.setOwnedText(BridgeFrame.textSlot, PluginJSON.state((value as? any Checkpointable)?.checkpointState() ?? [:]))
      case .restore:
        try (value as? any Checkpointable)?.restoreCheckpoint(try PluginJSON.decodeState(frame.text(0)))
      default: try dispatch(method, frame)
      }
    }
    return BridgeObject(handle: Unmanaged.passRetained(box).toOpaque(), vtable: vtable.raw)
  }

  /// Whether an object this side exported comes back as the original part (always, but in the loopback
  /// tests, which send every part through its proxies within one process).
  nonisolated(unsafe) static var unwrapsOwnObjects = true

  /// The part behind an object this side exported (nil for the other side's objects).
  static func unwrap(_ object: BridgeObject) -> Any? {
    guard object.vtable == vtable.raw else { return nil }
    return Unmanaged<Box>.fromOpaque(object.handle).takeUnretainedValue().value
  }

  /// The part of kind `kind` as an object.
  public static func product(_ value: Any, kind: PartKind) throws -> BridgeObject {
    func fail() -> PluginFailure { PluginFailure("built a \(type(of: value)), which is not a \(kind.rawValue)") }
    switch kind {
    case .objective:
      if let o = value as? any Objective { return objective(o) }
      if let s = value as? any SignedObjective { return try signed(s) }
      throw fail()
    case .reduction: guard let r = value as? any Reduction else { throw fail() }; return reduction(r)
    case .integrator: guard let i = value as? any Integrator else { throw fail() }; return integrator(i)
    case .metric: guard let m = value as? any Metric else { throw fail() }; return metric(m)
    case .schedule: guard let s = value as? any Schedule else { throw fail() }; return schedule(s)
    case .domain: guard let g = value as? any Geometry else { throw fail() }; return geometry(g)
    case .reference: guard let r = value as? ReferenceMeasure else { throw fail() }; return reference(r)
    case .potential, .kernel: guard let f = value as? any ScalarField else { throw fail() }; return field(f)
    case .cloud: guard let c = value as? any CloudSource else { throw fail() }; return cloud(c)
    case .dataset: guard let d = value as? Dataset else { throw fail() }; return dataset(d)
    case .observer: guard let o = value as? any Observer else { throw fail() }; return observer(o)
    }
  }
}
