import Formats
import Foundation

/// A part's validated parameters (every default filled in), as its builder reads them.
/// Reads of declared parameters never fail: validation already checked presence, type and range.
public struct Arguments: Sendable {
  public let kind: PartKind
  public let name: String
  /// Key path of this part in the config, e.g. `objective.terms[0]`.
  public let path: String
  public let values: ConfigObject
  /// The declarations the values were validated against.
  public let parameters: [Parameter]
  public let context: BuildContext

  public init(kind: PartKind, name: String, path: String, values: ConfigObject, parameters: [Parameter], context: BuildContext) {
    self.kind = kind
    self.name = name
    self.path = path
    self.values = values
    self.parameters = parameters
    self.context = context
  }

  /// `path.key`.
  public func path(of key: String) -> String { path.isEmpty ? key : path + "." + key }

  /// An error about `key` (or the part itself when nil), naming the file and key path.
  public func error(_ key: String?, _ message: String, fix: String? = nil) -> ConfigError {
    ConfigError(file: context.file, path: key.map(path(of:)) ?? path, message, fix: fix)
  }

  private func value(_ key: String) -> ConfigValue {
    guard let v = values[key] else { preconditionFailure("\(name): parameter '\(key)' was not declared") }
    return v
  }

  public func real(_ key: String) -> Double { value(key).doubleValue! }

  public func integer(_ key: String) -> Int {
    if case .integer(let i) = value(key) { return i }
    return Int(value(key).doubleValue!)
  }

  public func bool(_ key: String) -> Bool {
    if case .bool(let b) = value(key) { return b }
    preconditionFailure("\(name): '\(key)' is not a boolean")
  }

  public func string(_ key: String) -> String {
    if case .string(let s) = value(key) { return s }
    preconditionFailure("\(name): '\(key)' is not a string")
  }

  /// A declared `.path` parameter, made absolute against the config file's folder.
  public func path(_ key: String) -> String {
    let p = string(key)
    if p.hasPrefix("/") { return p }
    return URL(fileURLWithPath: context.baseDirectory).appendingPathComponent(p).standardizedFileURL.path
  }

  public func strings(_ key: String) -> [String] {
    guard case .array(let a) = value(key) else { preconditionFailure("\(name): '\(key)' is not an array") }
    return a.map { if case .string(let s) = $0 { s } else { preconditionFailure("\(name): '\(key)' holds a non-string") } }
  }

  public func reals(_ key: String) -> [Double] {
    guard case .array(let a) = value(key) else { preconditionFailure("\(name): '\(key)' is not an array") }
    return a.map { $0.doubleValue! }
  }

  public func matrix(_ key: String) -> [[Double]] {
    guard case .array(let rows) = value(key) else { preconditionFailure("\(name): '\(key)' is not an array") }
    return rows.map { row in
      guard case .array(let a) = row else { preconditionFailure("\(name): '\(key)' is not a matrix") }
      return a.map { $0.doubleValue! }
    }
  }

  /// A declared `.constants` parameter, split into scalars and vectors.
  public func constants(_ key: String) -> (scalars: [String: Double], vectors: [String: [Double]]) {
    guard case .object(let o) = value(key) else { preconditionFailure("\(name): '\(key)' is not an object") }
    var scalars: [String: Double] = [:], vectors: [String: [Double]] = [:]
    for (k, v) in o {
      if case .array(let a) = v { vectors[k] = a.map { $0.doubleValue! } } else { scalars[k] = v.doubleValue! }
    }
    return (scalars, vectors)
  }

  /// The arguments of a nested group.
  public func group(_ key: String) -> Arguments {
    guard case .object(let o) = value(key), case .group(let members)? = declaration(key)?.type else {
      preconditionFailure("\(name): '\(key)' is not a group")
    }
    return Arguments(kind: kind, name: name, path: path(of: key), values: o, parameters: members, context: context)
  }

  /// Builds the nested part `key` as a `T`.
  public func part<T>(_ key: String, as type: T.Type = T.self) throws -> T {
    try cast(context.builder.build(value(key), kind: kindOf(key), path: path(of: key), context: context), key: path(of: key))
  }

  /// Builds the nested parts `key[0]`, `key[1]`, … as `T`s.
  public func parts<T>(_ key: String, as type: T.Type = T.self) throws -> [T] {
    guard case .array(let items) = value(key) else { preconditionFailure("\(name): '\(key)' is not an array") }
    return try items.enumerated().map { i, item in
      let p = path(of: key) + "[\(i)]"
      return try cast(context.builder.build(item, kind: kindOf(key), path: p, context: context), key: p)
    }
  }

  /// The particles' domain; an error when the part is used where no domain is set.
  public var domain: any Geometry {
    get throws {
      guard let d = context.domain else {
        throw error(nil, "'\(name)' needs a particle domain, and none is set here", fix: "add a \"domain\" to the config")
      }
      return d
    }
  }

  /// The reference measure ρ; an error when the part is built where none is set.
  public var reference: ReferenceMeasure {
    get throws {
      guard let r = context.reference else {
        throw error(nil, "'\(name)' needs the reference measure, and none is set here", fix: "build it inside a config with a \"reference\"")
      }
      return r
    }
  }

  /// This part's own random stream, named by its key path (so it never shifts when other parts change).
  public var random: RandomStream { context.random.split(path) }

  private func declaration(_ key: String) -> Parameter? { parameters.first { $0.name == key } }

  private func kindOf(_ key: String) -> PartKind {
    switch declaration(key)?.type {
    case .part(let k)?, .parts(let k)?: return k
    default: preconditionFailure("\(name): '\(key)' is not declared as a part")
    }
  }

  private func cast<T>(_ product: Any, key: String) throws -> T {
    guard let t = product as? T else {
      throw ConfigError(file: context.file, path: key, "built a \(type(of: product)), expected \(T.self)",
                        fix: "the part registered under this name is broken; check its plugin")
    }
    return t
  }
}

extension Arguments {
  /// Builds the schedule `key` and checks that its value lies in `range` at the first step (and at
  /// step 10⁶, which catches schedules that leave the range later), naming the key path if not.
  public func schedule(_ key: String, in range: Interval) throws -> any Schedule {
    let s = try part(key, as: (any Schedule).self)
    for t in [0, 1_000_000] {
      let v = s.value(at: t)
      if !range.contains(v) {
        throw error(key, "must be \(range.condition), found \(v) at step \(t)",
                    fix: range == .positive ? "use a positive value such as 0.01" : "use a value \(range.condition)")
      }
    }
    return s
  }
}
