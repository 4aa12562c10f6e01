/// A JSON value as read from (or written to) a configuration file.
///
/// Numbers keep the distinction the text made: a literal without '.', 'e' or 'E'
/// that fits in `Int` is an `.integer`, every other number is a `.real`.
/// Equality is structural and exact: `.integer(1) != .real(1.0)`, and objects are
/// equal only when they hold the same members in the same order.
public enum ConfigValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case integer(Int)
  case real(Double)
  case string(String)
  case array([ConfigValue])
  case object(ConfigObject)

  /// What kind of value this is, phrased for error messages:
  /// "a number", "a string", "an object", "an array", "true/false" or "null".
  public var typeDescription: String {
    switch self {
    case .null: "null"
    case .bool: "true/false"
    case .integer, .real: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// The number as a `Double` for `.integer` and `.real`; `nil` for everything else.
  public var doubleValue: Double? {
    switch self {
    case .integer(let value): Double(value)
    case .real(let value): value
    default: nil
    }
  }
}

extension ConfigValue: ExpressibleByNilLiteral {
  public init(nilLiteral: ()) { self = .null }
}

extension ConfigValue: ExpressibleByBooleanLiteral {
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension ConfigValue: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) { self = .integer(value) }
}

extension ConfigValue: ExpressibleByFloatLiteral {
  public init(floatLiteral value: Double) { self = .real(value) }
}

extension ConfigValue: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
}

extension ConfigValue: ExpressibleByArrayLiteral {
  public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
}

extension ConfigValue: ExpressibleByDictionaryLiteral {
  /// Members keep the literal's order; a repeated key replaces the earlier value in place.
  public init(dictionaryLiteral elements: (String, ConfigValue)...) {
    var object = ConfigObject()
    for (key, value) in elements { object[key] = value }
    self = .object(object)
  }
}
