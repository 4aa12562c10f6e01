import Formats
import Foundation
import SolverAPI
import Suggestions

/// Validates a config against the parameter declarations and fills in every default.
///
/// The output — the resolved config — has every part in its full form (`{"type": …, every parameter}`),
/// numbers of real parameters as reals, and keys in declaration order. Resolving a resolved config
/// gives it back unchanged. Every error names the key path and says how to fix it.
public struct Resolver {
  public let registry: Registry
  /// The config file, for messages.
  public let file: String?

  public init(registry: Registry, file: String?) {
    self.registry = registry
    self.file = file
  }

  func fail(_ path: String, _ message: String, fix: String? = nil) -> ConfigError {
    ConfigError(file: file, path: path, message, fix: fix)
  }

  /// Resolves an object with the declared `parameters` (unknown keys are errors).
  /// Keys in `movedKeys` are refused with the fix given there (a setting that moved elsewhere).
  public func resolveObject(_ value: ConfigValue, parameters: [Parameter], path: String, owner: String,
                            movedKeys: [String: String] = [:]) throws -> ConfigObject {
    guard case .object(let object) = value else {
      throw fail(path, "expected an object, found \(brief(value))", fix: "write {\"key\": value, …}")
    }
    let names = parameters.map(\.name)
    for key in object.keys where !names.contains(key) {
      if let moved = movedKeys[key] { throw fail(join(path, key), "is no longer a key of \(owner)", fix: moved) }
      let fix = Suggestion.closest(to: key, in: names).map { "did you mean '\($0)'?" }
        ?? (names.isEmpty ? "\(owner) takes no parameters; remove it" : "valid keys: " + names.joined(separator: ", "))
      throw fail(join(path, key), "unknown key for \(owner)", fix: fix)
    }
    var resolved = ConfigObject()
    for p in parameters {
      guard let v = object[p.name] ?? p.defaultValue else {
        throw fail(join(path, p.name), "is required (\(p.type.description): \(p.doc))", fix: "add \"\(p.name)\" to \(path.isEmpty ? "the config" : path)")
      }
      if v == .null, p.defaultValue == .null {
        resolved[p.name] = .null  // an optional part left out
        continue
      }
      resolved[p.name] = try resolve(v, p.type, path: join(path, p.name))
    }
    return resolved
  }

  /// Resolves one value of the given type.
  public func resolve(_ value: ConfigValue, _ type: ParameterType, path: String) throws -> ConfigValue {
    switch type {
    case .real(let range):
      return .real(try real(value, range, path: path))
    case .integer(let range):
      guard let x = value.doubleValue, !isBool(value) else {
        throw fail(path, "expected a whole number, found \(brief(value))", fix: "write a number without quotes")
      }
      guard x == x.rounded(), abs(x) < 9.0e15 else {
        throw fail(path, "expected a whole number, found \(brief(value))", fix: "write an integer, e.g. \(Int(max(min(x.rounded(), 1e9), -1e9)))")
      }
      let i = Int(x)
      guard range.contains(i) else {
        throw fail(path, "must be \(describe(range)), found \(i)", fix: "use a value \(describe(range))")
      }
      return .integer(i)
    case .boolean:
      guard case .bool = value else { throw fail(path, "expected true or false, found \(brief(value))") }
      return value
    case .string, .path:
      guard case .string(let s) = value else { throw fail(path, "expected a string, found \(brief(value))", fix: "put it in double quotes") }
      if case .path = type, s.isEmpty { throw fail(path, "is an empty path", fix: "give a file path") }
      return value
    case .paths:
      guard case .array(let items) = value else {
        throw fail(path, "expected an array of file paths, found \(brief(value))", fix: "write [\"path/to/file\", …]")
      }
      return .array(try items.enumerated().map { i, v in try resolve(v, .path, path: path + "[\(i)]") })
    case .strings:
      guard case .array(let items) = value else {
        throw fail(path, "expected an array of strings, found \(brief(value))", fix: "write [\"a\", \"b\", …]")
      }
      return .array(try items.enumerated().map { i, v in try resolve(v, .string, path: path + "[\(i)]") })
    case .choice(let choices):
      guard case .string(let s) = value else {
        throw fail(path, "expected one of \(choices.joined(separator: ", ")), found \(brief(value))")
      }
      guard choices.contains(s) else {
        throw fail(path, "'\(s)' is not a valid choice" + Suggestion.didYouMean(s, in: choices),
                   fix: "please provide one of " + choices.joined(separator: ", "))
      }
      return value
    case .reals(let range):
      guard case .array(let items) = value else {
        throw fail(path, "expected an array of numbers, found \(brief(value))", fix: "write [1.0, 2.0, …]")
      }
      return .array(try items.enumerated().map { i, v in .real(try real(v, range, path: path + "[\(i)]")) })
    case .matrix:
      guard case .array(let rows) = value else {
        throw fail(path, "expected an array of points, found \(brief(value))", fix: "write [[x1, x2], [y1, y2], …]")
      }
      var width: Int?
      return .array(try rows.enumerated().map { i, row in
        guard case .array(let items) = row else {
          throw fail(path + "[\(i)]", "expected a point (an array of numbers), found \(brief(row))")
        }
        if let w = width, w != items.count {
          throw fail(path + "[\(i)]", "has \(items.count) numbers, the rows before have \(w)", fix: "give every point the same length")
        }
        width = items.count
        return .array(try items.enumerated().map { j, v in .real(try real(v, .any, path: path + "[\(i)][\(j)]")) })
      })
    case .part(let kind):
      return try resolvePart(value, kind: kind, path: path)
    case .parts(let kind):
      guard case .array(let items) = value else {
        throw fail(path, "expected an array of \(kind.rawValue)s, found \(brief(value))", fix: "write [{\"type\": …}, …]")
      }
      return .array(try items.enumerated().map { i, v in try resolvePart(v, kind: kind, path: path + "[\(i)]") })
    case .group(let members):
      return .object(try resolveObject(value, parameters: members, path: path, owner: "'\(path)'"))
    case .constants:
      guard case .object(let o) = value else {
        throw fail(path, "expected an object of named constants, found \(brief(value))", fix: "write {\"a\": 1.5, \"v\": [1, 0]}")
      }
      var out = ConfigObject()
      for (k, v) in o {
        guard let first = k.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first),
              k.unicodeScalars.allSatisfy({ $0 == "_" || CharacterSet.alphanumerics.contains($0) }) else {
          throw fail(path + "." + k, "'\(k)' is not a name", fix: "use letters, digits and _ (starting with a letter)")
        }
        if case .array = v { out[k] = try resolve(v, .reals(.any), path: path + "." + k) } else { out[k] = .real(try real(v, .any, path: path + "." + k)) }
      }
      return .object(out)
    }
  }

  /// Resolves a part: `{"type": NAME, …}`, or the shorthands `"NAME"` and (for schedules) a number.
  public func resolvePart(_ value: ConfigValue, kind: PartKind, path: String) throws -> ConfigValue {
    let names = registry.names(kind)
    var object: ConfigObject
    switch value {
    case .string(let name) where registry.component(kind, name) == nil && registry.component(kind, "expression") != nil
                                  && !isIdentifier(name):
      // A formula where a part is expected: `"V": "0.5*|x|^2"` means {"type": "expression", "formula": …}.
      object = ["type": "expression", "formula": value]
    case .string(let name):
      object = ["type": .string(name)]
    case .integer where kind == .schedule, .real where kind == .schedule:
      object = ["type": "constant", "value": value]
    case .object(let o):
      object = o
    default:
      throw fail(path, "expected a \(kind.rawValue) ({\"type\": NAME, …}), found \(brief(value))",
                 fix: "please provide one of " + names.joined(separator: ", "))
    }
    guard let typeValue = object["type"] else {
      throw fail(path, "missing \"type\"", fix: "add \"type\": one of " + names.joined(separator: ", "))
    }
    guard case .string(let name) = typeValue else {
      throw fail(join(path, "type"), "expected a \(kind.rawValue) name, found \(brief(typeValue))",
                 fix: "please provide one of " + names.joined(separator: ", "))
    }
    guard let component = registry.component(kind, name) else {
      var message = "unknown \(kind.rawValue) '\(name)'" + Suggestion.didYouMean(name, in: names)
      let elsewhere = registry.components(named: name).map(\.kind.rawValue)
      if !elsewhere.isEmpty { message += "; '\(name)' is a \(elsewhere.joined(separator: "/")), not a \(kind.rawValue)" }
      throw fail(join(path, "type"), message, fix: "please provide one of " + names.joined(separator: ", "))
    }
    object["type"] = nil
    var resolved: ConfigObject = ["type": .string(name)]
    for (k, v) in try resolveObject(.object(object), parameters: component.parameters, path: path,
                                    owner: "\(kind.rawValue) '\(name)'", movedKeys: component.movedKeys) {
      resolved[k] = v
    }
    return .object(resolved)
  }

  private func real(_ value: ConfigValue, _ range: Interval, path: String) throws -> Double {
    guard let x = value.doubleValue, !isBool(value) else {
      throw fail(path, "expected a number, found \(brief(value))", fix: "write a number without quotes")
    }
    guard range.contains(x) else {
      throw fail(path, "must be \(range.condition), found \(CSVFormat.number(x))", fix: "use a value in \(range)")
    }
    return x
  }

  private func isIdentifier(_ s: String) -> Bool {
    !s.isEmpty && s.unicodeScalars.allSatisfy { $0 == "-" || $0 == "_" || CharacterSet.alphanumerics.contains($0) }
  }

  private func isBool(_ v: ConfigValue) -> Bool { if case .bool = v { return true } else { return false } }

  private func describe(_ r: ClosedRange<Int>) -> String {
    r.upperBound == .max ? "≥ \(r.lowerBound)" : "between \(r.lowerBound) and \(r.upperBound)"
  }

  private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
}

/// A short rendering of a value for messages: `-0.1`, `"abc"`, `an object`.
func brief(_ value: ConfigValue) -> String {
  switch value {
  case .integer(let i): return String(i)
  case .real(let x): return CSVFormat.number(x)
  case .string(let s): return "the string \"" + (s.count > 40 ? String(s.prefix(40)) + "…" : s) + "\""
  case .bool(let b): return String(b)
  default: return value.typeDescription
  }
}
