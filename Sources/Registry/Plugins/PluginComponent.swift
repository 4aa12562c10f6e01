import Formats
import LinearAlgebra
import SolverAPI

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
