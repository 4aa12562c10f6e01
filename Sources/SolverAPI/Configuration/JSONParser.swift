/// A syntax error in a JSON document, with the position where it was found.
///
/// `line` and `column` are 1-based. Lines are separated by "\n" (so a "\r\n" pair
/// is one line break); `column` counts Unicode scalars from the start of the line,
/// so a tab or an "é" each count as one column.
public struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var message: String

  public init(line: Int, column: Int, message: String) {
    self.line = line
    self.column = column
    self.message = message
  }

  /// "line 3, column 14: expected ',' or '}' after an object member, found '\"'".
  public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict JSON (RFC 8259) parser with friendly error messages.
///
/// Rules beyond RFC 8259:
/// - `// line` and `/* block */` comments are allowed wherever whitespace is;
///   a leading UTF-8 byte order mark is ignored.
/// - Numbers: a literal without '.', 'e' or 'E' that fits in `Int` becomes
///   `.integer`; any other number becomes `.real` (parsed exactly). A number too
///   large for `Double` is an error; one too small becomes 0.
/// - Object keys must be unique.
/// - Containers may nest at most `maximumDepth` levels.
///
/// The parser works on UTF-8 bytes without recursion, so it is fast on large
/// documents and reports an error (never crashes) on any input.
public enum JSONParser {
  /// The deepest nesting of arrays and objects accepted.
  public static let maximumDepth = 256

  /// Parses one JSON document, which must contain exactly one value.
  public static func parse(_ text: String) throws(JSONSyntaxError) -> ConfigValue {
    var text = text
    let result = text.withUTF8 { bytes -> Result<ConfigValue, JSONSyntaxError> in
      var parser = ByteParser(bytes)
      do throws(JSONSyntaxError) {
        return .success(try parser.parseDocument())
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }
}

// MARK: - Implementation

private enum Byte {
  static let tab: UInt8 = 0x09
  static let newline: UInt8 = 0x0A
  static let carriageReturn: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let quote: UInt8 = 0x22  // "
  static let dollar: UInt8 = 0x24  // $
  static let apostrophe: UInt8 = 0x27  // '
  static let asterisk: UInt8 = 0x2A  // *
  static let plus: UInt8 = 0x2B  // +
  static let comma: UInt8 = 0x2C  // ,
  static let minus: UInt8 = 0x2D  // -
  static let period: UInt8 = 0x2E  // .
  static let slash: UInt8 = 0x2F  // /
  static let zero: UInt8 = 0x30
  static let nine: UInt8 = 0x39
  static let colon: UInt8 = 0x3A  // :
  static let backslash: UInt8 = 0x5C  // \
  static let underscore: UInt8 = 0x5F  // _
  static let openBracket: UInt8 = 0x5B  // [
  static let closeBracket: UInt8 = 0x5D  // ]
  static let openBrace: UInt8 = 0x7B  // {
  static let closeBrace: UInt8 = 0x7D  // }
  static let upperE: UInt8 = 0x45
  static let lowerE: UInt8 = 0x65

  static func isDigit(_ c: UInt8) -> Bool { c >= zero && c <= nine }
  static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  static func isWordStart(_ c: UInt8) -> Bool { isLetter(c) || c == underscore || c == dollar }
  static func isWordPart(_ c: UInt8) -> Bool { isWordStart(c) || isDigit(c) }
  static func hexValue(_ c: UInt8) -> UInt32? {
    switch c {
    case 0x30...0x39: UInt32(c - 0x30)
    case 0x41...0x46: UInt32(c - 0x41 + 10)
    case 0x61...0x66: UInt32(c - 0x61 + 10)
    default: nil
    }
  }
}

/// An open array or object while its elements are being parsed.
private struct Frame {
  var isObject: Bool
  /// Byte offset of the opening bracket.
  var open: Int
  /// Where this container's elements start in `ByteParser.values`.
  var valueStart: Int
  /// Where this object's keys start in `ByteParser.keys` / `keyOffsets`.
  var keyStart: Int
  /// Key → position, built once an object has many keys (for duplicate detection).
  var keyIndex: [String: Int]?
}

private struct ByteParser {
  let bytes: UnsafeBufferPointer<UInt8>
  var position = 0
  /// Completed elements of all open containers, innermost last.
  var values: [ConfigValue] = []
  /// Keys of all open objects (including the key awaiting its value), innermost last.
  var keys: [String] = []
  /// Byte offset of each key in `keys`, for "first at line N" messages.
  var keyOffsets: [Int] = []
  var frames: [Frame] = []
  /// Scratch buffer for strings with escapes.
  var stringBuffer: [UInt8] = []

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  var atEnd: Bool { position >= bytes.count }

  func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

  // MARK: Document structure

  mutating func parseDocument() throws(JSONSyntaxError) -> ConfigValue {
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    try skipWhitespace()
    if atEnd { throw error("empty input; expected a JSON value", at: position) }

    var value: ConfigValue
    parsing: while true {
      // A value starts here (whitespace already skipped).
      guard let c = byte(at: position) else {
        throw error("expected a value, found end of input\(unclosedHint())", at: position)
      }
      switch c {
      case Byte.openBrace:
        let open = position
        try checkDepth(open)
        position += 1
        try skipWhitespace()
        if byte(at: position) == Byte.closeBrace {
          position += 1
          value = .object(ConfigObject())
        } else {
          frames.append(Frame(isObject: true, open: open, valueStart: values.count, keyStart: keys.count))
          try parseKeyAndColon(afterComma: false)
          continue parsing
        }
      case Byte.openBracket:
        let open = position
        try checkDepth(open)
        position += 1
        try skipWhitespace()
        if byte(at: position) == Byte.closeBracket {
          position += 1
          value = .array([])
        } else {
          frames.append(Frame(isObject: false, open: open, valueStart: values.count, keyStart: keys.count))
          continue parsing
        }
      default:
        value = try parseScalar()
      }

      // A value is complete: add it to the enclosing container, then read what follows.
      while let frame = frames.last {
        values.append(value)
        try skipWhitespace()
        let close = frame.isObject ? Byte.closeBrace : Byte.closeBracket
        let c = byte(at: position)
        if c == Byte.comma {
          let comma = position
          position += 1
          try skipWhitespace()
          if byte(at: position) == close {
            throw error("trailing comma before '\(Character(Unicode.Scalar(close)))' — remove it", at: comma)
          }
          if frame.isObject { try parseKeyAndColon(afterComma: true) }
          continue parsing
        } else if c == close {
          position += 1
          value = closeContainer()
        } else {
          let what = frame.isObject ? "',' or '}' after an object member" : "',' or ']' after an array element"
          throw error("expected \(what), found \(describe(at: position))\(unclosedHint())", at: position)
        }
      }
      break parsing
    }

    try skipWhitespace()
    if !atEnd {
      throw error(
        "unexpected \(describe(at: position)) after the JSON value; a document holds exactly one value",
        at: position)
    }
    return value
  }

  func checkDepth(_ open: Int) throws(JSONSyntaxError) {
    if frames.count >= JSONParser.maximumDepth {
      throw error("nesting deeper than \(JSONParser.maximumDepth) levels", at: open)
    }
  }

  /// Pops the innermost container and returns it as a value.
  mutating func closeContainer() -> ConfigValue {
    let frame = frames.removeLast()
    let elements = Array(values[frame.valueStart...])
    values.removeSubrange(frame.valueStart...)
    if frame.isObject {
      let objectKeys = Array(keys[frame.keyStart...])
      keys.removeSubrange(frame.keyStart...)
      keyOffsets.removeSubrange(frame.keyStart...)
      return .object(ConfigObject(uniqueKeys: objectKeys, values: elements))
    }
    return .array(elements)
  }

  /// " (the '{' at line 1, column 1 is not closed)" when the input ended inside a container
  /// or a closing bracket of the wrong kind was found.
  func unclosedHint() -> String {
    guard let frame = frames.last else { return "" }
    let wrongCloser = frame.isObject ? Byte.closeBracket : Byte.closeBrace
    guard atEnd || bytes[position] == wrongCloser else { return "" }
    let (line, column) = lineAndColumn(of: frame.open)
    let bracket = frame.isObject ? "{" : "["
    return " (the '\(bracket)' at line \(line), column \(column) is not closed)"
  }

  /// Reads an object key, checks it is new, pushes it, and consumes the ':' and following whitespace.
  mutating func parseKeyAndColon(afterComma: Bool) throws(JSONSyntaxError) {
    let start = position
    guard let c = byte(at: position) else {
      throw error("expected a key in double quotes, found end of input\(unclosedHint())", at: position)
    }
    switch c {
    case Byte.quote:
      break
    case Byte.apostrophe:
      throw error("strings must use double quotes (\"), not single quotes (')", at: start)
    case _ where Byte.isWordStart(c):
      let word = wordText(at: start)
      throw error("object keys must be in double quotes: write \"\(word)\" instead of \(word)", at: start)
    default:
      let expected = afterComma ? "a key in double quotes" : "a key in double quotes or '}'"
      throw error("expected \(expected), found \(describe(at: start))", at: start)
    }
    let key = try parseString()
    try addKey(key, at: start)
    try skipWhitespace()
    guard byte(at: position) == Byte.colon else {
      throw error(
        "expected ':' after the key \"\(key)\", found \(describe(at: position))\(unclosedHint())", at: position)
    }
    position += 1
    try skipWhitespace()
  }

  /// Adds `key` to the innermost object, rejecting duplicates.
  mutating func addKey(_ key: String, at offset: Int) throws(JSONSyntaxError) {
    let f = frames.count - 1
    let start = frames[f].keyStart
    var firstOffset: Int?
    if let existing = frames[f].keyIndex?[key] {
      firstOffset = keyOffsets[existing]
    } else if frames[f].keyIndex == nil {
      if let existing = keys[start...].firstIndex(of: key) { firstOffset = keyOffsets[existing] }
    }
    if let firstOffset {
      let line = lineAndColumn(of: firstOffset).line
      throw error("duplicate key '\(key)' (first at line \(line))", at: offset)
    }
    keys.append(key)
    keyOffsets.append(offset)
    if frames[f].keyIndex != nil {
      frames[f].keyIndex![key] = keys.count - 1
    } else if keys.count - start > 16 {
      var index = [String: Int]()
      for i in start..<keys.count { index[keys[i]] = i }
      frames[f].keyIndex = index
    }
  }

  // MARK: Whitespace and comments

  mutating func skipWhitespace() throws(JSONSyntaxError) {
    while position < bytes.count {
      switch bytes[position] {
      case Byte.space, Byte.newline, Byte.tab, Byte.carriageReturn:
        position += 1
      case Byte.slash:
        let start = position
        switch byte(at: position + 1) {
        case Byte.slash:
          position += 2
          while position < bytes.count, bytes[position] != Byte.newline { position += 1 }
        case Byte.asterisk:
          position += 2
          while true {
            guard position + 1 < bytes.count else {
              position = bytes.count
              throw error("unterminated block comment (no closing '*/')", at: start)
            }
            if bytes[position] == Byte.asterisk, bytes[position + 1] == Byte.slash {
              position += 2
              break
            }
            position += 1
          }
        default:
          throw error("unexpected '/'; comments start with '//' or '/*'", at: start)
        }
      default:
        return
      }
    }
  }

  // MARK: Scalars

  mutating func parseScalar() throws(JSONSyntaxError) -> ConfigValue {
    let start = position
    let c = bytes[position]
    switch c {
    case Byte.quote:
      return .string(try parseString())
    case Byte.apostrophe:
      throw error("strings must use double quotes (\"), not single quotes (')", at: start)
    case Byte.minus, Byte.zero...Byte.nine:
      return try parseNumber()
    case Byte.plus:
      if let next = byte(at: start + 1), Byte.isWordStart(next) { return try parseWord(at: start) }
      throw error("numbers must not start with '+'; remove it", at: start)
    case Byte.period:
      throw error("numbers must start with a digit: write 0\(tokenText(at: start)) instead", at: start)
    case _ where Byte.isWordStart(c):
      return try parseWord(at: start)
    default:
      throw error("expected a value, found \(describe(at: start))\(unclosedHint())", at: start)
    }
  }

  /// `true`, `false`, `null`, or an error explaining what the word is not.
  mutating func parseWord(at start: Int) throws(JSONSyntaxError) -> ConfigValue {
    var end = start
    if bytes[end] == Byte.minus || bytes[end] == Byte.plus { end += 1 }
    while end < bytes.count, Byte.isWordPart(bytes[end]) { end += 1 }
    let word = String(decoding: bytes[start..<end], as: UTF8.self)
    switch word {
    case "true": position = end; return .bool(true)
    case "false": position = end; return .bool(false)
    case "null": position = end; return .null
    default: break
    }
    let bare = word.lowercased().trimmingPrefix(while: { $0 == "-" || $0 == "+" })
    if ["nan", "infinity", "inf"].contains(bare) {
      throw error("\(word) is not a JSON number; write a finite number", at: start)
    }
    let suggestion = Suggestion.didYouMean(word, in: ["true", "false", "null"])
    if !suggestion.isEmpty {
      throw error("unknown literal '\(clip(word))'\(suggestion)", at: start)
    }
    throw error("unexpected word '\(clip(word))'; strings must be in double quotes", at: start)
  }

  mutating func parseNumber() throws(JSONSyntaxError) -> ConfigValue {
    let start = position
    var p = position
    let negative = bytes[p] == Byte.minus
    if negative {
      p += 1
      guard let c = byte(at: p), Byte.isDigit(c) else {
        if let c = byte(at: p), Byte.isWordStart(c) { return try parseWord(at: start) }
        throw error("expected a digit after '-'", at: start)
      }
    }
    // Integer part, accumulated (negatively, to reach Int.min) while it fits.
    var integer = 0
    var fits = true
    if bytes[p] == Byte.zero {
      p += 1
      if let c = byte(at: p), Byte.isDigit(c) {
        throw error("leading zeros are not allowed in numbers: '\(tokenText(at: start))'", at: start)
      }
    } else {
      while p < bytes.count, Byte.isDigit(bytes[p]) {
        if fits {
          let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
          let (next, o2) = times10.subtractingReportingOverflow(Int(bytes[p] - Byte.zero))
          if o1 || o2 { fits = false } else { integer = next }
        }
        p += 1
      }
    }
    var isInteger = true
    if p < bytes.count, bytes[p] == Byte.period {
      isInteger = false
      p += 1
      guard let c = byte(at: p), Byte.isDigit(c) else {
        throw error("expected a digit after the decimal point in '\(tokenText(at: start))'", at: start)
      }
      while p < bytes.count, Byte.isDigit(bytes[p]) { p += 1 }
    }
    if p < bytes.count, bytes[p] == Byte.lowerE || bytes[p] == Byte.upperE {
      isInteger = false
      p += 1
      if p < bytes.count, bytes[p] == Byte.plus || bytes[p] == Byte.minus { p += 1 }
      guard let c = byte(at: p), Byte.isDigit(c) else {
        throw error("expected a digit in the exponent of '\(tokenText(at: start))'", at: start)
      }
      while p < bytes.count, Byte.isDigit(bytes[p]) { p += 1 }
    }
    position = p
    if isInteger, fits {
      if negative { return .integer(integer) }
      if integer != Int.min { return .integer(-integer) }
    }
    let text = String(decoding: bytes[start..<p], as: UTF8.self)
    guard let value = Double(text), value.isFinite else {
      throw error("number out of range: '\(clip(text))' is too large for a double", at: start)
    }
    return .real(value)
  }

  /// Parses a string starting at the opening quote at `position`.
  mutating func parseString() throws(JSONSyntaxError) -> String {
    let open = position
    var p = open + 1
    // Fast path: no escapes.
    while p < bytes.count {
      let c = bytes[p]
      if c == Byte.quote || c == Byte.backslash || c < Byte.space { break }
      p += 1
    }
    guard p < bytes.count else { throw unterminatedString(at: open) }
    if bytes[p] == Byte.quote {
      position = p + 1
      return String(decoding: bytes[(open + 1)..<p], as: UTF8.self)
    }
    stringBuffer.removeAll(keepingCapacity: true)
    stringBuffer.append(contentsOf: bytes[(open + 1)..<p])
    while true {
      guard p < bytes.count else { throw unterminatedString(at: open) }
      let c = bytes[p]
      if c == Byte.quote {
        position = p + 1
        return String(decoding: stringBuffer, as: UTF8.self)
      } else if c == Byte.backslash {
        guard let escaped = byte(at: p + 1) else { throw unterminatedString(at: open) }
        switch escaped {
        case Byte.quote, Byte.backslash, Byte.slash: stringBuffer.append(escaped)
        case 0x62: stringBuffer.append(0x08)  // b
        case 0x66: stringBuffer.append(0x0C)  // f
        case 0x6E: stringBuffer.append(Byte.newline)  // n
        case 0x72: stringBuffer.append(Byte.carriageReturn)  // r
        case 0x74: stringBuffer.append(Byte.tab)  // t
        case 0x75:  // u
          let (scalar, length) = try parseUnicodeEscape(at: p)
          appendUTF8(scalar)
          p += length
          continue
        default:
          if escaped == Byte.newline || escaped == Byte.carriageReturn { throw unterminatedString(at: open) }
          throw error(
            "invalid escape '\\\(scalarText(at: p + 1))' in string; write '\\\\' for a backslash "
              + "(valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", at: p)
        }
        p += 2
      } else if c == Byte.newline || c == Byte.carriageReturn {
        throw unterminatedString(at: open)
      } else if c < Byte.space {
        let named: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0C: "\\f"]
        let escape = named[c] ?? "\\u00" + hex2(c)
        throw error("control character U+00\(hex2(c)) in string; write it as \(escape)", at: p)
      } else {
        stringBuffer.append(c)
        p += 1
      }
    }
  }

  func unterminatedString(at open: Int) -> JSONSyntaxError {
    error("unterminated string: no closing '\"' before the end of the line (write line breaks as \\n)", at: open)
  }

  /// Reads `\uXXXX` (and its low-surrogate partner) at `p`; returns the scalar and the bytes consumed.
  func parseUnicodeEscape(at p: Int) throws(JSONSyntaxError) -> (Unicode.Scalar, Int) {
    guard let high = hex4(at: p + 2) else {
      throw error("invalid \\u escape: expected 4 hex digits after \\u", at: p)
    }
    if (0xDC00...0xDFFF).contains(high) {
      throw error("unpaired surrogate \\u\(hex4Text(high)) in string (a low surrogate must follow a high one)", at: p)
    }
    if (0xD800...0xDBFF).contains(high) {
      guard byte(at: p + 6) == Byte.backslash, byte(at: p + 7) == 0x75,
        let low = hex4(at: p + 8), (0xDC00...0xDFFF).contains(low)
      else {
        throw error(
          "unpaired surrogate \\u\(hex4Text(high)) in string (a high surrogate must be followed by a \\uDC00-\\uDFFF escape)",
          at: p)
      }
      let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
      return (Unicode.Scalar(value)!, 12)
    }
    return (Unicode.Scalar(high)!, 6)
  }

  func hex4(at p: Int) -> UInt32? {
    guard p + 4 <= bytes.count else { return nil }
    var value: UInt32 = 0
    for i in p..<(p + 4) {
      guard let digit = Byte.hexValue(bytes[i]) else { return nil }
      value = value << 4 | digit
    }
    return value
  }

  mutating func appendUTF8(_ scalar: Unicode.Scalar) {
    let value = scalar.value
    switch value {
    case 0..<0x80:
      stringBuffer.append(UInt8(value))
    case 0x80..<0x800:
      stringBuffer.append(UInt8(0xC0 | value >> 6))
      stringBuffer.append(UInt8(0x80 | value & 0x3F))
    case 0x800..<0x10000:
      stringBuffer.append(UInt8(0xE0 | value >> 12))
      stringBuffer.append(UInt8(0x80 | value >> 6 & 0x3F))
      stringBuffer.append(UInt8(0x80 | value & 0x3F))
    default:
      stringBuffer.append(UInt8(0xF0 | value >> 18))
      stringBuffer.append(UInt8(0x80 | value >> 12 & 0x3F))
      stringBuffer.append(UInt8(0x80 | value >> 6 & 0x3F))
      stringBuffer.append(UInt8(0x80 | value & 0x3F))
    }
  }

  // MARK: Error reporting

  func error(_ message: String, at offset: Int) -> JSONSyntaxError {
    let (line, column) = lineAndColumn(of: offset)
    return JSONSyntaxError(line: line, column: column, message: message)
  }

  /// 1-based line and column (in Unicode scalars) of a byte offset.
  func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
    let offset = min(max(offset, 0), bytes.count)
    var line = 1
    var lineStart = 0
    for i in 0..<offset where bytes[i] == Byte.newline {
      line += 1
      lineStart = i + 1
    }
    var column = 1
    let hasByteOrderMark = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    if lineStart == 0, hasByteOrderMark, offset >= 3 { lineStart = 3 }
    for i in lineStart..<offset where bytes[i] & 0xC0 != 0x80 { column += 1 }
    return (line, column)
  }

  /// How the text at `offset` reads in an error message: "'x'", "'word'", "'12'" or "end of input".
  func describe(at offset: Int) -> String {
    guard let c = byte(at: offset) else { return "end of input" }
    if Byte.isWordStart(c) || Byte.isDigit(c) || c == Byte.minus { return "'\(tokenText(at: offset))'" }
    if c < Byte.space || c == 0x7F { return "control character U+00\(hex2(c))" }
    if c < 0x80 { return "'\(Character(Unicode.Scalar(c)))'" }
    let text = scalarText(at: offset)
    let code = String(text.unicodeScalars.first!.value, radix: 16, uppercase: true)
    return "'\(text)' (U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code))"
  }

  /// The word or number starting at `offset` (letters, digits and number punctuation), clipped.
  func tokenText(at offset: Int) -> String {
    var end = offset
    while end < bytes.count, end - offset < 40 {
      let c = bytes[end]
      guard Byte.isWordPart(c) || c == Byte.period || c == Byte.minus || c == Byte.plus else { break }
      end += 1
    }
    if end == offset { return scalarText(at: offset) }
    return clip(String(decoding: bytes[offset..<end], as: UTF8.self))
  }

  /// The word (letters, digits, '_', '$') starting at `offset`.
  func wordText(at offset: Int) -> String {
    var end = offset
    while end < bytes.count, end - offset < 40, Byte.isWordPart(bytes[end]) { end += 1 }
    return String(decoding: bytes[offset..<end], as: UTF8.self)
  }

  /// The single Unicode scalar starting at `offset` (or "" at the end).
  func scalarText(at offset: Int) -> String {
    guard offset < bytes.count else { return "" }
    var end = offset + 1
    while end < bytes.count, end - offset < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
    return String(decoding: bytes[offset..<end], as: UTF8.self)
  }

  func clip(_ text: String) -> String {
    text.count > 32 ? String(text.prefix(32)) + "…" : text
  }

  func hex2(_ c: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(c >> 4)], digits[Int(c & 0xF)]])
  }

  func hex4Text(_ value: UInt32) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - text.count)) + text
  }
}
