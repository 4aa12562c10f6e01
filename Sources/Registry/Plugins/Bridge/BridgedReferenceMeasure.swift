import Formats
import SolverAPI

/// A reference measure of the other side: its name and log-normalizer from the description, its potential
/// U (when there is one) a field object (`referencePotential` → [0, 1] the field).
extension BridgeImport {
  static func referenceMeasure(_ bridge: BridgeReference, _ d: ConfigObject) throws -> ReferenceMeasure {
    let name: String = try value(d, "name"), logZ = d["log_normalizer"]?.doubleValue ?? 0
    guard case .bool(true)? = d["potential"] else { return ReferenceMeasure(name: name, potential: nil, logNormalizer: logZ) }
    let potential = try bridge.object.invoke(.referencePotential) { try adopt($0, 0, kind: .potential) as! any ScalarField }
    return ReferenceMeasure(name: name, potential: potential, logNormalizer: logZ)
  }
}

extension BridgeExport {
  static func reference(_ r: ReferenceMeasure) -> BridgeObject {
    make(r, describe: {
      ["kind": "reference", "name": .string(r.name), "log_normalizer": .real(r.logNormalizer), "potential": .bool(r.potential != nil)]
    }) { method, f in
      guard method == .referencePotential, let u = r.potential else { throw PluginFailure("a reference has no method \(method)") }
      f.setObject(0, field(u))
    }
  }
}
