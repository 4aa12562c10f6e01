import Formats
import SolverAPI

/// A part in a resolved config: where it sits, its kind and its component's name.
public struct PartNode: Sendable {
  /// Its key path, e.g. `objective.terms[0].V`.
  public let path: String
  public let kind: PartKind
  public let name: String
  /// Its resolved object, `{"type": name, …}`.
  public let value: ConfigValue
}

extension Registry {
  /// Every part of a resolved config, depth first, found through the same declarations that resolved it.
  public func parts(of config: ConfigObject) -> [PartNode] {
    var nodes: [PartNode] = []
    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
    func visit(_ value: ConfigValue?, kind: PartKind, path: String) {
      guard case .object(let o)? = value, case .string(let name)? = o["type"], let c = component(kind, name) else { return }
      nodes.append(PartNode(path: path, kind: kind, name: name, value: .object(o)))
      walk(o, c.parameters, path)
    }
    func walk(_ object: ConfigObject, _ parameters: [Parameter], _ path: String) {
      for p in parameters {
        let value = object[p.name], here = join(path, p.name)
        switch p.type {
        case .part(let kind): visit(value, kind: kind, path: here)
        case .parts(let kind):
          if case .array(let items)? = value { for (i, item) in items.enumerated() { visit(item, kind: kind, path: here + "[\(i)]") } }
        case .group(let members):
          if case .object(let o)? = value { walk(o, members, here) }
        default: break
        }
      }
    }
    walk(config, ConfigSchema.parameters, "")
    return nodes
  }
}
