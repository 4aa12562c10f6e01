import Formats
import LinearAlgebra
import SolverAPI

/// A plugin's `mfld_plugin_ops` table, read once at registration.
struct PluginOps: @unchecked Sendable {
  let library: String
  let freeString: PluginABI.FreeStringFunction
  let build: PluginABI.BuildFunction
  let destroy: PluginABI.DestroyFunction
  let objectiveEvaluate: PluginABI.ObjectiveEvaluateFunction?
  let objectiveFirstVariation: PluginABI.ObjectiveFirstVariationFunction?
  let objectiveObserve: PluginABI.ObjectiveObserveFunction?
  let fieldEvaluate: PluginABI.FieldEvaluateFunction?

  /// Reads the table, checking its version and the functions a part of `kind` needs.
  init(table raw: UnsafeRawPointer, kind: PartKind, library: String) throws {
    let t = PluginTable(raw)
    typealias S = PluginABI.OpsSlot
    let version = t.integer(S.abiVersion.rawValue)
    guard version == Int(PluginABI.version) else {
      throw PluginLoader.Refusal(message: "its ops table is for ABI version \(version), this mfld uses version \(PluginABI.version)",
                                 fix: "rebuild the plugin against this mfld")
    }
    func missing(_ name: String) -> PluginLoader.Refusal {
      PluginLoader.Refusal(message: "its ops table has no \(name) function", fix: "fill every slot of mfld_plugin_ops")
    }
    guard let f = t.function(S.freeString.rawValue, as: PluginABI.FreeStringFunction.self) else { throw missing("free_string") }
    guard let b = t.function(S.build.rawValue, as: PluginABI.BuildFunction.self) else { throw missing("build") }
    guard let d = t.function(S.destroy.rawValue, as: PluginABI.DestroyFunction.self) else { throw missing("destroy") }
    self.library = library
    freeString = f
    build = b
    destroy = d
    objectiveEvaluate = t.function(S.objectiveEvaluate.rawValue, as: PluginABI.ObjectiveEvaluateFunction.self)
    objectiveFirstVariation = t.function(S.objectiveFirstVariation.rawValue, as: PluginABI.ObjectiveFirstVariationFunction.self)
    objectiveObserve = t.function(S.objectiveObserve.rawValue, as: PluginABI.ObjectiveObserveFunction.self)
    fieldEvaluate = t.function(S.fieldEvaluate.rawValue, as: PluginABI.FieldEvaluateFunction.self)
    switch kind {
    case .objective:
      if objectiveEvaluate == nil { throw missing("objective_evaluate") }
      if objectiveFirstVariation == nil { throw missing("objective_first_variation") }
      if objectiveObserve == nil { throw missing("objective_observe") }
    default:
      if fieldEvaluate == nil { throw missing("field_evaluate") }
    }
  }

  /// Takes ownership of a string the plugin returned.
  func take(_ s: PluginABI.OwnedCString?) -> String? {
    guard let s else { return nil }
    defer { freeString(s) }
    return String(cString: s)
  }

  /// The error behind a failed call, with the plugin named when it is not a config or run error.
  func error(_ s: PluginABI.OwnedCString?) -> Error {
    let e = PluginJSON.decodeError(take(s))
    if let f = e as? PluginFailure { return RunError(.numerical, "plugin '\(library)': \(f.message)") }
    return e
  }
}

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

/// The host's view of a plugin objective: every call passes the cloud's own buffers (no copies,
/// no allocation on this side; the plugin copies into scratch it keeps).
final class PluginObjective: Objective {
  let dimension: Int
  let observableNames: [String]
  private let handle: PluginHandle
  private let evaluateFunction: PluginABI.ObjectiveEvaluateFunction
  private let firstVariationFunction: PluginABI.ObjectiveFirstVariationFunction
  private let observeFunction: PluginABI.ObjectiveObserveFunction

  init(handle: PluginHandle, dimension: Int, observableNames: [String]) {
    self.handle = handle
    self.dimension = dimension
    self.observableNames = observableNames
    evaluateFunction = handle.ops.objectiveEvaluate!
    firstVariationFunction = handle.ops.objectiveFirstVariation!
    observeFunction = handle.ops.objectiveObserve!
  }

  func evaluate(_ cloud: ParticleCloud, gradient: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws -> Double {
    precondition(gradient == nil || gradient!.count >= cloud.count * cloud.dimension, "gradient buffer too small")
    var value = 0.0
    var error: PluginABI.OwnedCString?
    let status = cloud.coordinates.withUnsafeBufferPointer { x in
      evaluateFunction(handle.pointer, x.baseAddress, Int64(cloud.count), Int64(cloud.dimension), gradient?.baseAddress,
                       Int32(clamping: parallel.threads), &value, &error)
    }
    if status != PluginABI.ok { throw handle.ops.error(error) }
    return value
  }

  func firstVariation(of cloud: ParticleCloud, at points: ParticleCloud, values: UnsafeMutableBufferPointer<Double>,
                      gradients: UnsafeMutableBufferPointer<Double>?, parallel: Parallel) throws {
    precondition(values.count >= points.count && (gradients == nil || gradients!.count >= points.count * points.dimension))
    precondition(cloud.dimension == points.dimension, "cloud and points differ in dimension")
    var error: PluginABI.OwnedCString?
    let status = cloud.coordinates.withUnsafeBufferPointer { x in
      points.coordinates.withUnsafeBufferPointer { y in
        firstVariationFunction(handle.pointer, x.baseAddress, Int64(cloud.count), y.baseAddress, Int64(points.count),
                               Int64(cloud.dimension), values.baseAddress, gradients?.baseAddress,
                               Int32(clamping: parallel.threads), &error)
      }
    }
    if status != PluginABI.ok { throw handle.ops.error(error) }
  }

  func observe(_ cloud: ParticleCloud, parallel: Parallel) throws -> [Double] {
    if observableNames.isEmpty { return [] }
    var values = [Double](repeating: .nan, count: observableNames.count)
    var error: PluginABI.OwnedCString?
    let status = cloud.coordinates.withUnsafeBufferPointer { x in
      values.withUnsafeMutableBufferPointer { v in
        observeFunction(handle.pointer, x.baseAddress, Int64(cloud.count), Int64(cloud.dimension), v.baseAddress,
                        Int32(clamping: parallel.threads), &error)
      }
    }
    if status != PluginABI.ok { throw handle.ops.error(error) }
    return values
  }
}

/// The host's view of a plugin potential, kernel or reference potential: one C call per point.
struct PluginScalarField: ScalarField, @unchecked Sendable {
  let dimension: Int
  let quadraticCoefficient: Double?
  private let handle: PluginHandle
  private let pointer: UnsafeMutableRawPointer
  private let evaluateFunction: PluginABI.FieldEvaluateFunction

  init(handle: PluginHandle, dimension: Int, quadraticCoefficient: Double?) {
    self.handle = handle
    self.dimension = dimension
    self.quadraticCoefficient = quadraticCoefficient
    pointer = handle.pointer
    evaluateFunction = handle.ops.fieldEvaluate!
  }

  func evaluate(_ x: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>?) -> Double {
    evaluateFunction(pointer, x, gradient)
  }
}

/// Host-side components for a plugin's declarations.
enum PluginComponent {
  static func make(_ d: PluginJSON.Declaration, ops: PluginOps, id: Int64) -> Component {
    let notes = [d.notes, "From the plugin \(ops.library)."].compactMap { $0 }.joined(separator: " ")
    return Component(d.kind, d.name, summary: d.summary, parameters: d.parameters, notes: notes, example: d.example) { args in
      try build(args, ops: ops, id: id)
    }
  }

  /// Sends the resolved arguments and the build context to the plugin and wraps what it built.
  static func build(_ args: Arguments, ops: PluginOps, id: Int64) throws -> Any {
    let arguments = ConfigValue.object(args.values).jsonText(pretty: false)
    let context = PluginJSON.context(of: args).jsonText(pretty: false)
    var pointer: UnsafeMutableRawPointer?
    var infoText: PluginABI.OwnedCString?, errorText: PluginABI.OwnedCString?
    let status = ops.build(id, arguments, context, &pointer, &infoText, &errorText)
    let info = ops.take(infoText)
    func failure(_ message: String) -> ConfigError {
      ConfigError(file: args.context.file, path: args.path, "the plugin part '\(args.name)' failed to build: \(message)",
                  fix: "a bug in the plugin \(ops.library)")
    }
    guard status == PluginABI.ok else {
      if let pointer { ops.destroy(pointer) }
      let e = PluginJSON.decodeError(ops.take(errorText))
      if let f = e as? PluginFailure { throw failure(f.message) }
      throw e
    }
    _ = ops.take(errorText)
    let handle = pointer.map { PluginHandle($0, ops: ops) }
    guard let info, case .object(let o)? = try? JSONParser.parse(info), case .string(let product)? = o["product"] else {
      throw failure("it returned no product description")
    }
    let dimension: Int = { if case .integer(let d)? = o["dimension"] { return d } else { return 0 } }()
    switch (product, args.kind) {
    case ("objective", .objective):
      guard let handle, dimension >= 1 else { throw failure("it returned no handle or no dimension") }
      let names: [String] = { if case .array(let a)? = o["observables"] { return a.compactMap { if case .string(let s) = $0 { return s } else { return nil } } } else { return [] } }()
      return PluginObjective(handle: handle, dimension: dimension, observableNames: names) as any Objective
    case ("field", .potential), ("field", .kernel), ("field", .reference):
      guard let handle, dimension >= 1 else { throw failure("it returned no handle or no dimension") }
      let field = PluginScalarField(handle: handle, dimension: dimension, quadraticCoefficient: o["quadratic_coefficient"]?.doubleValue)
      if args.kind == .reference { return ReferenceMeasure(name: name(o, args), potential: field) }
      return field as any ScalarField
    case ("flat", .reference):
      return ReferenceMeasure(name: name(o, args), potential: nil)
    default:
      throw failure("it built a '\(product)' for a \(args.kind.rawValue)")
    }
  }

  private static func name(_ o: ConfigObject, _ args: Arguments) -> String {
    if case .string(let s)? = o["name"] { return s }
    return args.name
  }
}
