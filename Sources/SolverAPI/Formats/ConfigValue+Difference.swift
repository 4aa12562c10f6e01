extension ConfigValue {
  /// The key path (`integrator.step`, `terms[1].W`) of the first place where `a` and `b` differ, "" when
  /// they differ at the top, nil when they are the same config. Numbers compare by value (`1` and `1.0` are
  /// the same number: another JSON writer may drop the ".0"); keys in any order.
  public static func firstDifference(_ a: ConfigValue, _ b: ConfigValue) -> String? {
    if a == b { return nil }
    if let x = a.doubleValue, let y = b.doubleValue { return x == y ? nil : "" }
    func join(_ prefix: String, _ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
    switch (a, b) {
    case (.object(let x), .object(let y)):
      for key in x.keys + y.keys.filter({ x[$0] == nil }) where x[key] != y[key] {
        guard let u = x[key], let v = y[key] else { return key }
        guard let inner = firstDifference(u, v) else { continue }
        return inner.isEmpty ? key : (inner.hasPrefix("[") ? key + inner : join(key, inner))
      }
      return nil
    case (.array(let x), .array(let y)) where x.count == y.count:
      for (k, (u, v)) in zip(x, y).enumerated() where u != v {
        guard let inner = firstDifference(u, v) else { continue }
        return "[\(k)]" + (inner.isEmpty ? "" : (inner.hasPrefix("[") ? inner : "." + inner))
      }
      return nil
    default:
      return ""
    }
  }
}
