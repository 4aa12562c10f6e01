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

/// A JSON object that keeps its keys in the order they were written
/// (order matters for configs that are written back out).
///
/// Keys are unique. Setting a new key appends it; setting an existing key replaces
/// its value in place; setting `nil` removes the key. Iteration yields
/// `(key:value:)` pairs in order. Two objects are equal when they have the same
/// keys in the same order with equal values.
public struct ConfigObject: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
  /// The keys, in order.
  public private(set) var keys: [String]
  /// The values, parallel to `keys`.
  private var values: [ConfigValue]
  /// Position of each key; kept only for larger objects, where a linear scan would be slow.
  private var index: [String: Int]?

  private static let indexThreshold = 12

  /// An empty object.
  public init() {
    keys = []
    values = []
    index = nil
  }

  /// Members keep the literal's order; a repeated key replaces the earlier value in place.
  public init(dictionaryLiteral elements: (String, ConfigValue)...) {
    self.init()
    for (key, value) in elements { self[key] = value }
  }

  /// Builds an object from distinct keys and their values (the caller guarantees uniqueness).
  init(uniqueKeys: [String], values: [ConfigValue]) {
    keys = uniqueKeys
    self.values = values
    index = nil
    if keys.count > Self.indexThreshold { rebuildIndex() }
  }

  /// The number of members.
  public var count: Int { keys.count }

  /// Whether the object has no members.
  public var isEmpty: Bool { keys.isEmpty }

  /// The value for `key`, or `nil`. Setting `nil` removes the key; setting a new key appends it.
  public subscript(key: String) -> ConfigValue? {
    get { position(of: key).map { values[$0] } }
    set {
      if let newValue {
        if let position = position(of: key) {
          values[position] = newValue
        } else {
          keys.append(key)
          values.append(newValue)
          if index != nil {
            index![key] = keys.count - 1
          } else if keys.count > Self.indexThreshold {
            rebuildIndex()
          }
        }
      } else {
        removeValue(forKey: key)
      }
    }
  }

  /// Removes `key` and returns its value, or returns `nil` if the key is absent.
  @discardableResult
  public mutating func removeValue(forKey key: String) -> ConfigValue? {
    guard let position = position(of: key) else { return nil }
    keys.remove(at: position)
    let removed = values.remove(at: position)
    if keys.count > Self.indexThreshold { rebuildIndex() } else { index = nil }
    return removed
  }

  private func position(of key: String) -> Int? {
    if let index { return index[key] }
    return keys.firstIndex(of: key)
  }

  private mutating func rebuildIndex() {
    var index = [String: Int](minimumCapacity: keys.count)
    for (position, key) in keys.enumerated() { index[key] = position }
    self.index = index
  }

  public static func == (lhs: ConfigObject, rhs: ConfigObject) -> Bool {
    lhs.keys == rhs.keys && lhs.values == rhs.values
  }

  /// Yields the members as `(key:value:)` pairs in order.
  public struct Iterator: IteratorProtocol {
    private let object: ConfigObject
    private var position = 0

    init(_ object: ConfigObject) { self.object = object }

    public mutating func next() -> (key: String, value: ConfigValue)? {
      guard position < object.keys.count else { return nil }
      defer { position += 1 }
      return (object.keys[position], object.values[position])
    }
  }

  public func makeIterator() -> Iterator { Iterator(self) }

  public var underestimatedCount: Int { keys.count }
}
