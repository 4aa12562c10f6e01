import Formats
import SolverAPI

/// Host-side components for a plugin's declarations: validated, documented and checked by the same
/// machinery as built-ins (the declaration is a `Component`); built by the plugin.
enum PluginComponent {
  static func make(_ d: PluginJSON.Declaration, ops: PluginOps, id: Int64) -> Component {
    let notes = [d.notes, "From the plugin \(ops.library)."].compactMap { $0 }.joined(separator: " ")
    return Component(d.kind, d.name, summary: d.summary, parameters: d.parameters, notes: notes, example: d.example) { args in
      try build(args, ops: ops, id: id)
    }
  }

  /// Sends the resolved arguments, the build context and its objects to the plugin and wraps the object it
  /// built in a proxy of the part's kind (`BridgeImport`).
  static func build(_ args: Arguments, ops: PluginOps, id: Int64) throws -> Any {
    func failure(_ message: String) -> ConfigError {
      ConfigError(file: args.context.file, path: args.path, "the plugin part '\(args.name)' failed to build: \(message)",
                  fix: "a bug in the plugin \(ops.library)")
    }
    let arguments = ConfigValue.object(args.values).jsonText(pretty: false)
    let context = PluginJSON.context(of: args).jsonText(pretty: false)
    // Each object goes with one reference, which the plugin adopts.
    let objects = PluginJSON.contextObjects(of: args.context)
    var slots = [Int](repeating: 0, count: 2 * objects.count)
    for (k, o) in objects.enumerated() {
      slots[2 * k] = Int(bitPattern: o?.handle)
      slots[2 * k + 1] = Int(bitPattern: o?.vtable)
    }
    var product = [0, 0]
    var errorText: PluginABI.OwnedCString?
    let status = ops.build(id, arguments, context, slots, &product, &errorText)
    guard status == PluginABI.ok else {
      let e = PluginJSON.decodeError(ops.take(errorText))
      if let f = e as? PluginFailure { throw failure(f.message) }
      throw e
    }
    _ = ops.take(errorText)
    guard let handle = UnsafeMutableRawPointer(bitPattern: product[0]), let vtable = UnsafeRawPointer(bitPattern: product[1]) else {
      throw failure("it returned no object")
    }
    do {
      return try BridgeImport.product(BridgeObject(handle: handle, vtable: vtable), kind: args.kind)
    } catch let f as PluginFailure {
      throw failure(f.message)
    }
  }
}
