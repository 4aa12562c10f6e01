import SolverAPI

/// A schedule of the other side. `scheduleValue`: [0] step → [1] value.
final class BridgedSchedule: Schedule, BridgedPart, @unchecked Sendable {
  let bridge: BridgeReference
  init(_ bridge: BridgeReference) { self.bridge = bridge }

  func value(at step: Int) -> Double {
    (try? bridge.object.invoke(.scheduleValue, set: { $0.setInt(0, step) }, get: { $0.double(1) })) ?? .nan
  }
}

extension BridgeExport {
  static func schedule(_ s: any Schedule) -> BridgeObject {
    make(s, describe: { ["kind": "schedule"] }) { method, f in
      guard method == .scheduleValue else { throw PluginFailure("a schedule has no method \(method)") }
      f.setDouble(1, s.value(at: f.int(0)))
    }
  }
}
