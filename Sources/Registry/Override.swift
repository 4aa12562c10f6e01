import Formats
import SolverAPI

/// `--set key.path=value` overrides: the value is read as JSON when it parses (numbers, true, [1, 2],
/// {"type": …}) and as a string otherwise. Paths use dots and `[i]` (or `.i`) for array items.
public enum Override {
  public static func apply(_ overrides: [String], to config: ConfigValue, resolver: Resolver) throws -> ConfigValue {
    var config = config
    for text in overrides {
      guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
        throw ConfigError(path: "", "--set '\(text)' is not of the form key.path=value", fix: "write e.g. --set integrator.step=0.01")
      }
      let path = String(text[..<eq]), valueText = String(text[text.index(after: eq)...])
      let keys = components(path)
      guard !keys.contains(where: \.isEmpty), path.first != "[" else {
        throw ConfigError(path: path, "--set '\(text)': the key path has an empty key", fix: "write keys separated by single dots, e.g. --set integrator.step=0.01")
      }
      if Self.isDecimal(valueText), !(Double(valueText.trimmingCharacters(in: .whitespaces))?.isFinite ?? false) {
        throw ConfigError(path: path, "--set '\(text)': \(valueText) is beyond the range of a number (about ±1.8e308)", fix: "give a finite number")
      }
      let value = (try? JSONParser.parse(valueText)) ?? .string(valueText)
      do {
        try set(&config, keys[...], value, full: path)
      } catch is Blocked {
        // A shorthand (a number for a schedule, a name for a part) stands where the path goes on:
        // expand the config first, then set.
        var resolved = ConfigValue.object(try resolver.resolveObject(config, parameters: ConfigSchema.parameters, path: "", owner: "the config"))
        do { try set(&resolved, keys[...], value, full: path) } catch is Blocked {
          throw ConfigError(path: path, "cannot be set: part of the path is not an object", fix: "check the key path against `mfld describe`")
        }
        config = resolved
      }
    }
    return config
  }

  struct Blocked: Error {}

  /// Keys and indices in order; an empty key (`.steps`, `a..b`) comes out as "" so that it can be refused.
  static func components(_ path: String) -> [String] {
    path.replacingOccurrences(of: "[", with: ".").replacingOccurrences(of: "]", with: "")
      .split(separator: ".", omittingEmptySubsequences: false).map(String.init)
  }

  /// Written as a decimal number (`1e309` too, which no double holds).
  static func isDecimal(_ s: String) -> Bool {
    s.trimmingCharacters(in: .whitespaces).range(of: #"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"#, options: .regularExpression) != nil
  }

  static func set(_ node: inout ConfigValue, _ keys: ArraySlice<String>, _ value: ConfigValue, full: String) throws {
    guard let key = keys.first else { node = value; return }
    switch node {
    case .object(var o):
      var child = o[key] ?? .object([:])
      try set(&child, keys.dropFirst(), value, full: full)
      o[key] = child
      node = .object(o)
    case .array(var a):
      guard let i = Int(key), a.indices.contains(i) else {
        throw ConfigError(path: full, "index '\(key)' is out of range (the array has \(a.count) items)", fix: "use an index from 0 to \(a.count - 1)")
      }
      try set(&a[i], keys.dropFirst(), value, full: full)
      node = .array(a)
    default:
      throw Blocked()
    }
  }
}
