/// What a parameter accepts.
public indirect enum ParameterType: Sendable {
  /// A finite number in the interval.
  case real(Interval)
  /// A whole number in the range.
  case integer(ClosedRange<Int>)
  case boolean
  case string
  /// One of the listed words.
  case choice([String])
  /// A file path, resolved against the config file's folder.
  case path
  /// An array of file paths, each resolved against the config file's folder.
  case paths
  /// An array of strings (column names, say).
  case strings
  /// An array of finite numbers, each in the interval.
  case reals(Interval)
  /// An array of equally long arrays of finite numbers (rows of points).
  case matrix
  /// A nested part of the kind: `{"type": NAME, ...}`, or just `"NAME"` when its defaults suffice.
  /// A schedule may also be given as a bare number, meaning `{"type": "constant", "value": x}`.
  case part(PartKind)
  /// An array of nested parts of the kind.
  case parts(PartKind)
  /// A nested object with its own declared keys.
  case group([Parameter])
  /// Named constants for expressions: an object whose values are numbers or arrays of numbers.
  case constants

  /// For messages and `describe`: "number in (0, ∞)", "integer ≥ 1", "schedule", ...
  public var description: String {
    switch self {
    case .real(let r): return r == .any ? "number" : "number in \(r)"
    case .integer(let r):
      if r.lowerBound == .min && r.upperBound == .max { return "integer" }
      if r.upperBound == .max { return "integer ≥ \(r.lowerBound)" }
      return "integer in [\(r.lowerBound), \(r.upperBound)]"
    case .boolean: return "true/false"
    case .string: return "string"
    case .choice(let c): return "one of " + c.joined(separator: ", ")
    case .path: return "file path"
    case .paths: return "array of file paths"
    case .strings: return "array of strings"
    case .reals(let r): return r == .any ? "array of numbers" : "array of numbers in \(r)"
    case .matrix: return "array of points (arrays of numbers)"
    case .part(let k): return "\(k.rawValue)"
    case .parts(let k): return "array of \(k.rawValue)s"
    case .group: return "object"
    case .constants: return "object of named numbers or vectors"
    }
  }
}
