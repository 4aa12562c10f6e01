import Formats
import SolverAPI

/// A potential, kernel or reference potential of the other side. Callers in hot loops gather points and use
/// the batch call (`prefersBatches`, when the description says `"batch": true`), so a step crosses once per
/// chunk of particles (a row of pairs for a kernel); a field without it (a minimal C plugin) is called per point:
///     fieldEvaluate:      [0] x, [1] gradient or null → [2] value
///     fieldEvaluateBatch: [0] x (count × d), [1] count, [2] values (out), [3] gradients (out, count × d) or null
final class BridgedField: ScalarField, BridgedPart, @unchecked Sendable {
  let bridge: BridgeReference
  let dimension: Int
  let quadraticCoefficient: Double?

  init(_ bridge: BridgeReference, _ d: ConfigObject) throws {
    self.bridge = bridge
    dimension = try BridgeImport.value(d, "dimension")
    quadraticCoefficient = d["quadratic_coefficient"]?.doubleValue
    if case .bool(true)? = d["batch"] { prefersBatches = true } else { prefersBatches = false }
  }

  /// Whether the object answers `fieldEvaluateBatch` (its description's "batch"; every Swift part does).
  let prefersBatches: Bool

  /// A failed call answers NaN and reports its error (`PartFailures`), which ends the run with its message.
  func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    do {
      return try bridge.object.invoke(.fieldEvaluate, set: { f in f.setPointer(0, x); f.setPointer(1, gradient) }, get: { $0.double(2) })
    } catch {
      PartFailures.report(error)
      return .nan
    }
  }

  func evaluate(batch x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>, gradients: UnsafeMutablePointer<Double>?) {
    guard prefersBatches else {
      for i in 0..<count { values[i] = evaluate(x + i * dimension, gradient: gradients.map { $0 + i * dimension }) }
      return
    }
    do {
      try bridge.object.invoke(.fieldEvaluateBatch, set: { f in
        f.setPointer(0, x); f.setInt(1, count); f.setPointer(2, values); f.setPointer(3, gradients)
      }, get: { _ in () })
    } catch {
      PartFailures.report(error)
      values.update(repeating: .nan, count: count)  // the run stops at the step, with the reported error
    }
  }
}

extension BridgeExport {
  static func field(_ field: any ScalarField) -> BridgeObject {
    make(field, describe: {
      ["kind": "field", "dimension": .integer(field.dimension), "quadratic_coefficient": field.quadraticCoefficient.map(ConfigValue.real) ?? .null,
       "batch": true]
    }) { method, f in
      switch method {
      case .fieldEvaluate:
        guard let x = f.pointer(0) else { throw PluginFailure("fieldEvaluate without a point") }
        f.setDouble(2, field.evaluate(x, gradient: f.pointer(1)))
      case .fieldEvaluateBatch:
        guard let x = f.pointer(0), let values = f.pointer(2) else { throw PluginFailure("fieldEvaluateBatch without points") }
        field.evaluate(batch: x, count: f.int(1), values: values, gradients: f.pointer(3))
      default: throw PluginFailure("a field has no method \(method)")
      }
    }
  }
}
