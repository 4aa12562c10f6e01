import Foundation
import Formats
import LinearAlgebra
import SolverAPI

/// A Swift part standing for an object of the other side of the plugin boundary.
protocol BridgedPart: AnyObject {
  var bridge: BridgeReference { get }
}

/// Turns objects of the other side into Swift parts (`Bridged…` proxies). An object this side exported
/// itself comes back as the original part.
public enum BridgeImport {
  /// The part behind `object`, of kind `kind`; adopts the reference the object came with.
  public static func product(_ object: BridgeObject, kind: PartKind) throws -> Any {
    if BridgeExport.unwrapsOwnObjects, let value = BridgeExport.unwrap(object) {
      object.release()
      return value
    }
    let bridge = BridgeReference(adopting: object)
    let d = try object.describe()
    let actual: String = { if case .string(let k)? = d["kind"] { return k } else { return "?" } }()
    func expect(_ k: String) throws {
      guard actual == k else { throw PluginFailure("built a \(actual) where a \(kind.rawValue) was expected") }
    }
    switch kind {
    case .objective:
      if actual == "signed" { return try BridgedSignedObjective(bridge, d) as any SignedObjective }
      try expect("objective")
      return try BridgedObjective.make(bridge, d)
    case .reduction: try expect("reduction"); return BridgedReduction(bridge) as any Reduction
    case .integrator: try expect("integrator"); return try BridgedIntegrator(bridge, d) as any Integrator
    case .metric: try expect("metric"); return try BridgedMetric(bridge, d) as any Metric
    case .schedule: try expect("schedule"); return BridgedSchedule(bridge) as any Schedule
    case .domain:
      try expect("domain")
      if let native = PluginJSON.nativeDomain(d["native"]) { return native }
      return try BridgedGeometry(bridge, d) as any Geometry
    case .reference: try expect("reference"); return try referenceMeasure(bridge, d)
    case .potential, .kernel: try expect("field"); return try BridgedField(bridge, d) as any ScalarField
    case .cloud: try expect("cloud"); return BridgedCloudSource(bridge) as any CloudSource
    case .dataset: try expect("dataset"); return try dataset(bridge, d)
    case .observer: try expect("observer"); return try BridgedObserver(bridge, d) as any Observer
    }
  }

  /// Reads `key` of a description as `T` (an integer, a real, a bool, a string or a list of strings).
  static func value<T>(_ d: ConfigObject, _ key: String, as type: T.Type = T.self) throws -> T {
    let v = d[key]
    let out: Any?
    switch T.self {
    case is Int.Type: if case .integer(let i)? = v { out = i } else { out = nil }
    case is Double.Type: out = v?.doubleValue
    case is Bool.Type: if case .bool(let b)? = v { out = b } else { out = nil }
    case is String.Type: if case .string(let s)? = v { out = s } else { out = nil }
    case is [String].Type:
      if case .array(let a)? = v { out = a.compactMap { if case .string(let s) = $0 { return s } else { return nil } } } else { out = nil }
    default: out = nil
    }
    guard let t = out as? T else { throw PluginFailure("an object's description has no \(T.self) \"\(key)\"") }
    return t
  }

  /// An object returned in slots (i, i + 1), adopted, as a part of `kind`.
  static func adopt(_ frame: BridgeFrame, _ i: Int, kind: PartKind) throws -> Any {
    guard let o = frame.object(i) else { throw PluginFailure("a call returned no object where a \(kind.rawValue) was due") }
    return try product(o, kind: kind)
  }
}
