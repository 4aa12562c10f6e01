import Formats

/// One parameter of a part, declared once: its name, type, default, range and a one-line doc.
/// That single declaration drives config validation, default filling, `mfld describe`, and the
/// resolved config written beside every run.
public struct Parameter: Sendable {
  public let name: String
  public let type: ParameterType
  /// The value used when the key is absent; `nil` makes the parameter required.
  public let defaultValue: ConfigValue?
  public let doc: String

  public init(_ name: String, _ type: ParameterType, default defaultValue: ConfigValue?, _ doc: String) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.doc = doc
  }

  public var isRequired: Bool { defaultValue == nil }
}

extension Parameter {
  public static func real(_ name: String, default value: Double? = nil, in range: Interval = .any, _ doc: String) -> Parameter {
    Parameter(name, .real(range), default: value.map(ConfigValue.real), doc)
  }

  public static func integer(_ name: String, default value: Int? = nil, in range: ClosedRange<Int> = Int.min...Int.max, _ doc: String) -> Parameter {
    Parameter(name, .integer(range), default: value.map(ConfigValue.integer), doc)
  }

  public static func boolean(_ name: String, default value: Bool? = nil, _ doc: String) -> Parameter {
    Parameter(name, .boolean, default: value.map(ConfigValue.bool), doc)
  }

  public static func string(_ name: String, default value: String? = nil, _ doc: String) -> Parameter {
    Parameter(name, .string, default: value.map(ConfigValue.string), doc)
  }

  public static func choice(_ name: String, _ choices: [String], default value: String? = nil, _ doc: String) -> Parameter {
    Parameter(name, .choice(choices), default: value.map(ConfigValue.string), doc)
  }

  public static func path(_ name: String, default value: String? = nil, _ doc: String) -> Parameter {
    Parameter(name, .path, default: value.map(ConfigValue.string), doc)
  }

  public static func paths(_ name: String, default value: [String]? = nil, _ doc: String) -> Parameter {
    Parameter(name, .paths, default: value.map { .array($0.map(ConfigValue.string)) }, doc)
  }

  public static func strings(_ name: String, default value: [String]? = nil, _ doc: String) -> Parameter {
    Parameter(name, .strings, default: value.map { .array($0.map(ConfigValue.string)) }, doc)
  }

  public static func reals(_ name: String, default value: [Double]? = nil, in range: Interval = .any, _ doc: String) -> Parameter {
    Parameter(name, .reals(range), default: value.map { .array($0.map(ConfigValue.real)) }, doc)
  }

  public static func matrix(_ name: String, default value: [[Double]]? = nil, _ doc: String) -> Parameter {
    Parameter(name, .matrix, default: value.map { .array($0.map { .array($0.map(ConfigValue.real)) }) }, doc)
  }

  public static func part(_ name: String, _ kind: PartKind, default value: ConfigValue? = nil, _ doc: String) -> Parameter {
    Parameter(name, .part(kind), default: value, doc)
  }

  public static func parts(_ name: String, _ kind: PartKind, default value: [ConfigValue]? = nil, _ doc: String) -> Parameter {
    Parameter(name, .parts(kind), default: value.map(ConfigValue.array), doc)
  }

  public static func constants(_ name: String, _ doc: String) -> Parameter {
    Parameter(name, .constants, default: .object([:]), doc)
  }

  public static func group(_ name: String, _ parameters: [Parameter], _ doc: String) -> Parameter {
    // A group's default is its own defaults; it is required only if one of its members is.
    let required = parameters.contains(where: \.isRequired)
    return Parameter(name, .group(parameters), default: required ? nil : .object([:]), doc)
  }
}
