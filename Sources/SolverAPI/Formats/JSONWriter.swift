extension ConfigValue {
  /// The value as JSON text (without a final newline), such that
  /// `JSONParser.parse(value.jsonText(pretty: p)) == value`.
  ///
  /// - Object keys are written in their stored order.
  /// - Pretty mode indents by 2 spaces and separates keys with `": "`; an array
  ///   whose elements are all scalars (numbers, true/false, null, strings of at most
  ///   40 bytes) goes on one line as `[1.0, 2.0]`; empty containers are `[]` / `{}`.
  ///   Compact mode writes no whitespace at all.
  /// - Reals use Swift's shortest round-trip form and always contain '.' or 'e'
  ///   (`1.0`, `1e-05`, `1e+16`), so they read back as reals. Non-finite reals,
  ///   which JSON cannot express, are written as `null`.
  /// - Strings escape `"`, `\` and control characters; other characters are written as is.
  public func jsonText(pretty: Bool = true) -> String {
    var writer = JSONTextWriter(pretty: pretty)
    writer.write(self, indent: 0)
    return String(decoding: writer.output, as: UTF8.self)
  }
}

private struct JSONTextWriter {
  let pretty: Bool
  var output: [UInt8] = []

  init(pretty: Bool) {
    self.pretty = pretty
    output.reserveCapacity(256)
  }

  static let shortStringLimit = 40

  mutating func write(_ value: ConfigValue, indent: Int) {
    switch value {
    case .null: append("null")
    case .bool(let flag): append(flag ? "true" : "false")
    case .integer(let number): append(String(number))
    case .real(let number): writeReal(number)
    case .string(let text): writeString(text)
    case .array(let elements):
      if elements.isEmpty {
        append("[]")
      } else if !pretty || elements.allSatisfy(Self.isInlineScalar) {
        output.append(UInt8(ascii: "["))
        for (i, element) in elements.enumerated() {
          if i > 0 { append(pretty ? ", " : ",") }
          write(element, indent: indent)
        }
        output.append(UInt8(ascii: "]"))
      } else {
        output.append(UInt8(ascii: "["))
        for (i, element) in elements.enumerated() {
          if i > 0 { output.append(UInt8(ascii: ",")) }
          newline(indent: indent + 1)
          write(element, indent: indent + 1)
        }
        newline(indent: indent)
        output.append(UInt8(ascii: "]"))
      }
    case .object(let object):
      if object.isEmpty {
        append("{}")
        return
      }
      output.append(UInt8(ascii: "{"))
      var first = true
      for (key, member) in object {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        if pretty { newline(indent: indent + 1) }
        writeString(key)
        append(pretty ? ": " : ":")
        write(member, indent: indent + 1)
      }
      if pretty { newline(indent: indent) }
      output.append(UInt8(ascii: "}"))
    }
  }

  static func isInlineScalar(_ value: ConfigValue) -> Bool {
    switch value {
    case .null, .bool, .integer, .real: true
    case .string(let text): text.utf8.count <= shortStringLimit
    case .array, .object: false
    }
  }

  mutating func newline(indent: Int) {
    output.append(UInt8(ascii: "\n"))
    for _ in 0..<(2 * indent) { output.append(UInt8(ascii: " ")) }
  }

  mutating func append(_ text: String) { output.append(contentsOf: text.utf8) }

  mutating func writeReal(_ number: Double) {
    guard number.isFinite else {
      append("null")
      return
    }
    let text = number.description
    append(text)
    if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
      append(".0")
    }
  }

  mutating func writeString(_ text: String) {
    output.append(UInt8(ascii: "\""))
    for c in text.utf8 {
      switch c {
      case UInt8(ascii: "\""): append("\\\"")
      case UInt8(ascii: "\\"): append("\\\\")
      case 0x0A: append("\\n")
      case 0x0D: append("\\r")
      case 0x09: append("\\t")
      case 0x08: append("\\b")
      case 0x0C: append("\\f")
      case 0..<0x20:
        let digits = Array("0123456789abcdef".utf8)
        append("\\u00")
        output.append(digits[Int(c >> 4)])
        output.append(digits[Int(c & 0xF)])
      default: output.append(c)
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}
