import Formats
import Foundation
import LinearAlgebra
import SolverAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The plugin side of the ABI: turns ordinary `Component`s — of any kind — into what the host loads.
///
/// A plugin is a dynamic library whose module declares its parts exactly like a built-in and
/// exports the two entry points:
///
///     import MFLD
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
/// `register` sends each declaration as JSON with one shared ops table; the host builds a part by calling
/// `build` with the resolved arguments, the build context and the context's objects (domain, reference,
/// the host's builder for nested parts). The product goes back as an object (`BridgeExport`), which the
/// host wraps in a proxy of the same kind (`BridgeImport`): from then on, the part is called like any other.
public enum PluginExport {
  /// The ABI version this plugin was built against: return it from `mfld_plugin_abi_version`.
  public static var abiVersion: Int32 { PluginABI.version }

  /// Registers `components` with the host; return the result from `mfld_plugin_register`.
  /// 0 on success; otherwise the host has been told why (a refused name, a malformed declaration).
  /// The plugin's parallel loops run on the host's thread pool from here on.
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
    Parallel.forward(to: table.pointer(PluginABI.HostSlot.parallelFor.rawValue))
    PluginFailure.origin = table.pointer(PluginABI.HostSlot.libraryName.rawValue)
      .map { "plugin '\(String(cString: $0.assumingMemoryBound(to: CChar.self)))'" }
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

  /// The one ops table of this library.
  static let ops: PluginTable = {
    let t = PluginTable.allocate(PluginABI.OpsSlot.allCases.count)
    t.setInteger(PluginABI.OpsSlot.abiVersion.rawValue, Int(PluginABI.version))
    t.setFunction(PluginABI.OpsSlot.freeString.rawValue, freeString)
    t.setFunction(PluginABI.OpsSlot.build.rawValue, build)
    return t
  }()

  static let freeString: PluginABI.FreeStringFunction = { free($0) }

  static let build: PluginABI.BuildFunction = { id, argumentsText, contextText, contextObjects, product, errorOut in
    do {
      // The context's objects come with a reference each, which the decoded context adopts.
      let objects: [BridgeObject?] = (0..<3).map { k in
        guard let slots = contextObjects, let h = UnsafeMutableRawPointer(bitPattern: slots[2 * k]),
              let v = UnsafeRawPointer(bitPattern: slots[2 * k + 1]) else { return nil }
        return BridgeObject(handle: h, vtable: v)
      }
      let (path, context) = try PluginJSON.decodeContext(contextText.map { String(cString: $0) } ?? "", objects: objects)
      guard let component = Exported.shared.component(Int(id)) else { throw PluginFailure("no component #\(id) in this plugin") }
      guard let argumentsText, case .object(let values) = try JSONParser.parse(String(cString: argumentsText)) else {
        throw PluginFailure("the arguments are not a JSON object")
      }
      let args = Arguments(kind: component.kind, name: component.name, path: path, values: values,
                           parameters: component.parameters, context: context)
      let object = try BridgeExport.product(try component.build(args), kind: component.kind)
      product?[0] = Int(bitPattern: object.handle)
      product?[1] = Int(bitPattern: object.vtable)
      return PluginABI.ok
    } catch {
      errorOut?.pointee = strdup(PluginJSON.error(error).jsonText(pretty: false))
      return PluginABI.failed
    }
  }
}
