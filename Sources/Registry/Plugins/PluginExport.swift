import Formats
import Foundation
import LinearAlgebra
import SolverAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The plugin side of the ABI: turns ordinary `Component`s into what the host loads.
///
/// A plugin is a dynamic library whose module declares its parts exactly like a built-in and
/// exports the two entry points:
///
///     import SolverAPI
///
///     let studentT = Component(.potential, "student-t", summary: "…", parameters: […]) { args in … }
///
///     @_cdecl("mfld_plugin_abi_version")
///     public func mfldPluginABIVersion() -> Int32 { PluginExport.abiVersion }
///
///     @_cdecl("mfld_plugin_register")
///     public func mfldPluginRegister(_ host: UnsafeRawPointer?) -> Int32 {
///       PluginExport.register([studentT], host: host)
///     }
///
/// `register` sends each declaration as JSON and one shared table of C functions; the host builds
/// parts by calling `build` with the resolved arguments and the build context, and drives the
/// product through its opaque handle. Each handle keeps scratch clouds, so `evaluate` copies the
/// host's coordinates into memory it owns and allocates nothing once the particle count is stable.
public enum PluginExport {
  /// The ABI version this plugin was built against: return it from `mfld_plugin_abi_version`.
  public static var abiVersion: Int32 { PluginABI.version }

  /// Registers `components` with the host; return the result from `mfld_plugin_register`.
  /// 0 on success; otherwise the host has been told why (a refused name, an unsupported declaration).
  public static func register(_ components: [Component], host: UnsafeRawPointer?) -> Int32 {
    guard let host else { return PluginABI.failed }
    let table = PluginTable(host)
    let context = UnsafeMutableRawPointer(mutating: table.pointer(PluginABI.HostSlot.context.rawValue))
    let report = table.function(PluginABI.HostSlot.reportError.rawValue, as: PluginABI.ReportErrorFunction.self)
    guard table.integer(PluginABI.HostSlot.abiVersion.rawValue) == Int(PluginABI.version),
          let registerComponent = table.function(PluginABI.HostSlot.registerComponent.rawValue, as: PluginABI.RegisterComponentFunction.self)
    else {
      report?(context, "the host speaks plugin ABI \(table.integer(PluginABI.HostSlot.abiVersion.rawValue)), this plugin \(PluginABI.version)")
      return PluginABI.failed
    }
    for component in components {
      let declaration: ConfigValue
      do { declaration = try PluginJSON.declaration(of: component) } catch {
        report?(context, "\(error)")
        return PluginABI.failed
      }
      let id = Exported.shared.add(component)
      let status = declaration.jsonText(pretty: false).withCString { registerComponent(context, $0, ops.raw, Int64(id)) }
      if status != PluginABI.ok { return status }
    }
    return PluginABI.ok
  }

  /// The components this library has handed out, by id.
  final class Exported: @unchecked Sendable {
    static let shared = Exported()
    private let lock = NSLock()
    private var components: [Component] = []

    func add(_ c: Component) -> Int {
      lock.lock(); defer { lock.unlock() }
      components.append(c)
      return components.count - 1
    }

    func component(_ id: Int) -> Component? {
      lock.lock(); defer { lock.unlock() }
      return components.indices.contains(id) ? components[id] : nil
    }
  }

  /// A built objective with its scratch clouds (the host's buffers are copied in, never wrapped).
  final class ObjectiveHandle {
    let objective: any Objective
    var cloud: ParticleCloud
    var points: ParticleCloud

    init(_ objective: any Objective) {
      self.objective = objective
      cloud = ParticleCloud(count: 0, dimension: objective.dimension)
      points = cloud
    }

    /// `target` ← the `count × dimension` values at `x` (reallocated only when the shape changes).
    static func load(_ target: inout ParticleCloud, _ x: UnsafePointer<Double>?, _ count: Int64, _ dimension: Int64) {
      let m = Int(count), d = Int(dimension)
      if target.count != m || target.dimension != d { target = ParticleCloud(count: m, dimension: d) }
      guard let x, m * d > 0 else { return }
      target.coordinates.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: x, count: m * d) }
    }
  }

  final class FieldHandle {
    let field: any ScalarField
    init(_ field: any ScalarField) { self.field = field }
  }

  static func string(_ s: String) -> UnsafeMutablePointer<CChar>? { strdup(s) }

  static func fail(_ error: Error, _ out: PluginABI.StringOut?) -> Int32 {
    out?.pointee = string(PluginJSON.error(error).jsonText(pretty: false))
    return PluginABI.failed
  }

  /// The one `mfld_plugin_ops` table of this library.
  static let ops: PluginTable = {
    let t = PluginTable.allocate(PluginABI.OpsSlot.allCases.count)
    t.setInteger(PluginABI.OpsSlot.abiVersion.rawValue, Int(PluginABI.version))
    t.setFunction(PluginABI.OpsSlot.freeString.rawValue, freeString)
    t.setFunction(PluginABI.OpsSlot.build.rawValue, build)
    t.setFunction(PluginABI.OpsSlot.destroy.rawValue, destroy)
    t.setFunction(PluginABI.OpsSlot.objectiveEvaluate.rawValue, objectiveEvaluate)
    t.setFunction(PluginABI.OpsSlot.objectiveFirstVariation.rawValue, objectiveFirstVariation)
    t.setFunction(PluginABI.OpsSlot.objectiveObserve.rawValue, objectiveObserve)
    t.setFunction(PluginABI.OpsSlot.fieldEvaluate.rawValue, fieldEvaluate)
    return t
  }()

  static let freeString: PluginABI.FreeStringFunction = { free($0) }

  static let build: PluginABI.BuildFunction = { id, argumentsText, contextText, handleOut, infoOut, errorOut in
    do {
      guard let component = Exported.shared.component(Int(id)) else { throw PluginFailure("no component #\(id) in this plugin") }
      guard let argumentsText, let contextText else { throw PluginFailure("build needs arguments and a context") }
      guard case .object(let values) = try JSONParser.parse(String(cString: argumentsText)) else {
        throw PluginFailure("the arguments are not a JSON object")
      }
      let (path, context) = try PluginJSON.decodeContext(String(cString: contextText))
      let args = Arguments(kind: component.kind, name: component.name, path: path, values: values,
                           parameters: component.parameters, context: context)
      let product = try component.build(args)
      var info: ConfigObject = [:]
      let handle: AnyObject?
      switch component.kind {
      case .objective:
        guard let objective = product as? any Objective else {
          throw PluginFailure("'\(component.name)' built a \(type(of: product)), not an Objective over probability measures"
            + (product is any SignedObjective ? " (signed objectives cannot cross the plugin ABI \(PluginABI.version))" : ""))
        }
        info["product"] = "objective"
        info["dimension"] = .integer(objective.dimension)
        info["observables"] = .array(objective.observableNames.map(ConfigValue.string))
        handle = ObjectiveHandle(objective)
      case .potential, .kernel:
        guard let field = product as? any ScalarField else { throw PluginFailure("'\(component.name)' built a \(type(of: product)), not a ScalarField") }
        info["product"] = "field"
        info["dimension"] = .integer(field.dimension)
        info["quadratic_coefficient"] = field.quadraticCoefficient.map(ConfigValue.real) ?? .null
        handle = FieldHandle(field)
      case .reference:
        guard let reference = product as? ReferenceMeasure else { throw PluginFailure("'\(component.name)' built a \(type(of: product)), not a ReferenceMeasure") }
        info["name"] = .string(reference.name)
        if let u = reference.potential {
          info["product"] = "field"
          info["dimension"] = .integer(u.dimension)
          info["quadratic_coefficient"] = u.quadraticCoefficient.map(ConfigValue.real) ?? .null
          handle = FieldHandle(u)
        } else {
          info["product"] = "flat"
          handle = nil
        }
      default:
        throw PluginFailure("'\(component.name)' is a \(component.kind.rawValue), which ABI \(PluginABI.version) cannot carry")
      }
      handleOut?.pointee = handle.map { Unmanaged.passRetained($0).toOpaque() }
      infoOut?.pointee = string(ConfigValue.object(info).jsonText(pretty: false))
      return PluginABI.ok
    } catch {
      return fail(error, errorOut)
    }
  }

  static let destroy: PluginABI.DestroyFunction = { handle in
    guard let handle else { return }
    Unmanaged<AnyObject>.fromOpaque(handle).release()
  }

  static let objectiveEvaluate: PluginABI.ObjectiveEvaluateFunction = { handle, x, count, dimension, gradient, threads, valueOut, errorOut in
    guard let handle else { return fail(PluginFailure("no handle"), errorOut) }
    let h = Unmanaged<ObjectiveHandle>.fromOpaque(handle).takeUnretainedValue()
    ObjectiveHandle.load(&h.cloud, x, count, dimension)
    do {
      let g = gradient.map { UnsafeMutableBufferPointer(start: $0, count: Int(count * dimension)) }
      valueOut?.pointee = try h.objective.evaluate(h.cloud, gradient: g, parallel: Parallel(threads: Int(threads)))
      return PluginABI.ok
    } catch {
      return fail(error, errorOut)
    }
  }

  static let objectiveFirstVariation: PluginABI.ObjectiveFirstVariationFunction = {
    handle, x, count, y, points, dimension, values, gradients, threads, errorOut in
    guard let handle, let values else { return fail(PluginFailure("no handle or no values"), errorOut) }
    let h = Unmanaged<ObjectiveHandle>.fromOpaque(handle).takeUnretainedValue()
    ObjectiveHandle.load(&h.cloud, x, count, dimension)
    ObjectiveHandle.load(&h.points, y, points, dimension)
    do {
      try h.objective.firstVariation(of: h.cloud, at: h.points, values: UnsafeMutableBufferPointer(start: values, count: Int(points)),
                                     gradients: gradients.map { UnsafeMutableBufferPointer(start: $0, count: Int(points * dimension)) },
                                     parallel: Parallel(threads: Int(threads)))
      return PluginABI.ok
    } catch {
      return fail(error, errorOut)
    }
  }

  static let objectiveObserve: PluginABI.ObjectiveObserveFunction = { handle, x, count, dimension, values, threads, errorOut in
    guard let handle else { return fail(PluginFailure("no handle"), errorOut) }
    let h = Unmanaged<ObjectiveHandle>.fromOpaque(handle).takeUnretainedValue()
    ObjectiveHandle.load(&h.cloud, x, count, dimension)
    do {
      let observed = try h.objective.observe(h.cloud, parallel: Parallel(threads: Int(threads)))
      let expected = h.objective.observableNames.count
      guard observed.count == expected else {
        throw PluginFailure("observe returned \(observed.count) values for \(expected) observables")
      }
      if let values { for (k, v) in observed.enumerated() { values[k] = v } }
      return PluginABI.ok
    } catch {
      return fail(error, errorOut)
    }
  }

  static let fieldEvaluate: PluginABI.FieldEvaluateFunction = { handle, x, gradient in
    guard let handle, let x else { return .nan }
    return Unmanaged<FieldHandle>.fromOpaque(handle).takeUnretainedValue().field.evaluate(x, gradient: gradient)
  }
}
