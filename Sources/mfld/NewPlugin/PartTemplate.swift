/// One sample part of a kind, as `mfld new-plugin` writes it: a Swift file and a config that uses the part
/// with built-in ones. `{{T}}` stands for the package's type prefix (`Demo`), `{{n}}` for the part's name (`demo`).
struct PartTemplate {
  /// The Swift type whose `component` the package registers (without the prefix).
  var typeSuffix: String
  var source: String
  /// The config's JSON body, without the braces and without "plugins" (the command adds it).
  var config: String

  func source(type: String, name: String) -> String { Self.fill(source, type: type, name: name) }
  func config(type: String, name: String) -> String { Self.fill(config, type: type, name: name) }

  static func fill(_ text: String, type: String, name: String) -> String {
    text.replacingOccurrences(of: "{{T}}", with: type).replacingOccurrences(of: "{{n}}", with: name)
  }
}
