import Formats
import SolverAPI

/// The text of `mfld list` and `mfld describe`, generated from the same declarations that validate
/// configs — so the documentation cannot drift from what is accepted.
public enum Documentation {
  /// Every part of the given kinds with its one-line summary.
  public static func list(_ registry: Registry, kinds: [PartKind] = PartKind.allCases) -> String {
    var out: [String] = []
    for kind in kinds {
      let names = registry.names(kind)
      guard !names.isEmpty else { continue }
      out.append("\(kind.rawValue.uppercased())S — \(kind.summary)")
      let width = names.map(\.count).max()! + 2
      for name in names {
        out.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + registry.component(kind, name)!.summary)
      }
      out.append("")
    }
    out.append("`mfld describe NAME` shows a part's parameters.")
    return out.joined(separator: "\n")
  }

  /// A part's summary, parameter table and notes.
  public static func describe(_ c: Component) -> String {
    var out = ["\(c.name) (\(c.kind.rawValue))", "  \(c.summary)", ""]
    if c.parameters.isEmpty {
      out.append("  No parameters: write \"\(c.name)\" or {\"type\": \"\(c.name)\"}.")
    } else {
      out.append("PARAMETERS")
      out += table(c.parameters, indent: "  ")
    }
    if let notes = c.notes { out += ["", "NOTES", "  " + notes] }
    out += ["", "EXAMPLE", "  " + example(c)]
    return out.joined(separator: "\n")
  }

  /// The top-level keys of a config file.
  public static func describeConfig() -> String {
    (["config (the top level of a config file)", "", "KEYS"] + table(ConfigSchema.parameters, indent: "  ")).joined(separator: "\n")
  }

  static func table(_ parameters: [Parameter], indent: String) -> [String] {
    var rows: [(String, String, String, String)] = []
    func add(_ ps: [Parameter], prefix: String) {
      for p in ps {
        if case .group(let members) = p.type {
          rows.append((prefix + p.name, "object", "", p.doc))
          add(members, prefix: prefix + p.name + ".")
        } else {
          rows.append((prefix + p.name, p.type.description, p.defaultValue.map { "default " + $0.jsonText(pretty: false) } ?? "required", p.doc))
        }
      }
    }
    add(parameters, prefix: "")
    let w0 = rows.map(\.0.count).max()! + 2, w1 = rows.map(\.1.count).max()! + 2, w2 = rows.map(\.2.count).max()! + 2
    return rows.map { r in
      indent + r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + r.1.padding(toLength: w1, withPad: " ", startingAt: 0)
        + r.2.padding(toLength: w2, withPad: " ", startingAt: 0) + r.3
    }
  }

  static func example(_ c: Component) -> String {
    if let e = c.example { return e.jsonText(pretty: false) }
    var o: ConfigObject = ["type": .string(c.name)]
    for p in c.parameters {
      o[p.name] = p.defaultValue ?? placeholder(p.type)
    }
    return ConfigValue.object(o).jsonText(pretty: false)
  }

  static func placeholder(_ t: ParameterType) -> ConfigValue {
    switch t {
    case .real(let r): return .real(r.lower.map { $0 + 1 } ?? 1)
    case .integer(let r): return .integer(max(r.lowerBound, 1))
    case .boolean: return .bool(true)
    case .string, .path: return .string("…")
    case .paths, .strings: return .array([])
    case .choice(let c): return .string(c.first ?? "")
    case .reals: return .array([.real(0), .real(0)])
    case .matrix: return .array([.array([.real(0), .real(0)])])
    case .part(let k): return k == .schedule ? .real(0.01) : .string("…")
    case .parts: return .array([])
    case .group, .constants: return .object([:])
    }
  }
}
