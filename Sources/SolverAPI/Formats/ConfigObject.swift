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
