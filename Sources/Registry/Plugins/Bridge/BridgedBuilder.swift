import Foundation
import Formats
import SolverAPI

/// The builder of nested parts a plugin part sees: the host's registry, across the boundary, so a plugin
/// integrator can take `"temperature": {"type": "geometric-stages", …}` — built-in or from any plugin.
///     builderBuild: [0] kind (index in PartKind), [1] the resolved part (JSON), [2] its key path, [3] the build
///                   context (JSON), [4, 5] domain, [6, 7] reference, [8, 9] builder (the context's objects)
///                   → [10, 11] the part
final class BridgedBuilder: PartBuilder, BridgedPart, @unchecked Sendable {
  let bridge: BridgeReference
  init(_ bridge: BridgeReference) { self.bridge = bridge }

  func build(_ value: ConfigValue, kind: PartKind, path: String, context: BuildContext) throws -> Any {
    let objects = PluginJSON.contextObjects(of: context)
    defer { for o in objects { o?.release() } }
    let contextText = PluginJSON.context(of: Arguments(kind: kind, name: "", path: path, values: [:], parameters: [], context: context))
      .jsonText(pretty: false)
    let valueText = value.jsonText(pretty: false)
    return try valueText.withCString { v in
      try path.withCString { p in
        try contextText.withCString { c in
          try bridge.object.invoke(.builderBuild, set: { f in
            f.setInt(0, PartKind.allCases.firstIndex(of: kind)!)
            f.setPointer(1, v); f.setPointer(2, p); f.setPointer(3, c)
            f.setObject(4, objects[0]); f.setObject(6, objects[1]); f.setObject(8, objects[2])
          }, get: { try BridgeImport.adopt($0, 10, kind: kind) })
        }
      }
    }
  }
}

extension BridgeExport {
  /// The builder of a build context, for parts of the other side to build their nested parts with.
  static func builder(_ context: BuildContext) -> BridgeObject {
    make(context.builder, describe: { ["kind": "builder"] }) { method, f in
      guard method == .builderBuild, PartKind.allCases.indices.contains(f.int(0)), let valueText = f.text(1), let path = f.text(2),
            let contextText = f.text(3) else { throw PluginFailure("a builder has no method \(method)") }
      let kind = PartKind.allCases[f.int(0)]
      // The objects come lent for the call: retain them for the context that adopts them.
      let objects: [BridgeObject?] = [f.object(4), f.object(6), f.object(8)]
      for o in objects { o?.retain() }
      var (_, nested) = try PluginJSON.decodeContext(contextText, objects: objects)
      nested.builder = context.builder  // this side's builder, not a round trip through the other side
      let part = try context.builder.build(try JSONParser.parse(valueText), kind: kind, path: path, context: nested)
      f.setObject(10, try product(part, kind: kind))
    }
  }
}
