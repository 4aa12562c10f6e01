import Suggestions

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
      let parser = JSONByteParser(bytes)
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

private enum JSONByte {
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
private struct JSONFrame {
  var isObject: Bool
  /// Byte offset of the opening bracket.
  var open: Int
  /// The completed elements (array) or member values (object).
  var elements: [ConfigValue] = []
  /// An object's keys, including the one awaiting its value.
  var keys: [String] = []
  /// Byte offset of each key, for "first at line N" messages.
  var keyOffsets: [Int] = []
  /// Key → position, built once an object has many keys (for duplicate detection).
  var keyIndex: [String: Int]? = nil

  init(isObject: Bool, open: Int) {
    self.isObject = isObject
    self.open = open
  }
}

private final class JSONByteParser {
  let bytes: UnsafeBufferPointer<UInt8>
  var position = 0
  /// The open containers, innermost last.
  var frames: [JSONFrame] = []
  /// Scratch buffer for strings with escapes.
  var stringBuffer: [UInt8] = []

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  var atEnd: Bool { position >= bytes.count }

  func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

  // MARK: Document structure

  func parseDocument() throws(JSONSyntaxError) -> ConfigValue {
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
      case JSONByte.openBrace:
        let open = position
        try checkDepth(open)
        position += 1
        try skipWhitespace()
        if byte(at: position) == JSONByte.closeBrace {
          position += 1
          value = .object(ConfigObject())
        } else {
          frames.append(JSONFrame(isObject: true, open: open))
          try parseKeyAndColon(afterComma: false)
          continue parsing
        }
      case JSONByte.openBracket:
        let open = position
        try checkDepth(open)
        position += 1
        try skipWhitespace()
        if byte(at: position) == JSONByte.closeBracket {
          position += 1
          value = .array([])
        } else {
          frames.append(JSONFrame(isObject: false, open: open))
          continue parsing
        }
      default:
        value = try parseScalar()
      }

      // A value is complete: add it to the enclosing container, then read what follows.
      while !frames.isEmpty {
        let last = frames.count - 1
        frames[last].elements.append(value)
        let isObject = frames[last].isObject
        try skipWhitespace()
        let close = isObject ? JSONByte.closeBrace : JSONByte.closeBracket
        let c = byte(at: position)
        if c == JSONByte.comma {
          let comma = position
          position += 1
          try skipWhitespace()
          if byte(at: position) == close {
            throw error("trailing comma before '\(Character(Unicode.Scalar(close)))' — remove it", at: comma)
          }
          if isObject { try parseKeyAndColon(afterComma: true) }
          continue parsing
        } else if c == close {
          position += 1
          value = closeContainer()
        } else {
          let what = isObject ? "',' or '}' after an object member" : "',' or ']' after an array element"
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
  func closeContainer() -> ConfigValue {
    let frame = frames.removeLast()
    if frame.isObject { return .object(ConfigObject(uniqueKeys: frame.keys, values: frame.elements)) }
    return .array(frame.elements)
  }

  /// " (the '{' at line 1, column 1 is not closed)" when the input ended inside a container
  /// or a closing bracket of the wrong kind was found.
  func unclosedHint() -> String {
    guard let frame = frames.last else { return "" }
    let wrongCloser = frame.isObject ? JSONByte.closeBracket : JSONByte.closeBrace
    guard atEnd || bytes[position] == wrongCloser else { return "" }
    let (line, column) = lineAndColumn(of: frame.open)
    let bracket = frame.isObject ? "{" : "["
    return " (the '\(bracket)' at line \(line), column \(column) is not closed)"
  }

  /// Reads an object key, checks it is new, pushes it, and consumes the ':' and following whitespace.
  func parseKeyAndColon(afterComma: Bool) throws(JSONSyntaxError) {
    let start = position
    guard let c = byte(at: position) else {
      throw error("expected a key in double quotes, found end of input\(unclosedHint())", at: position)
    }
    switch c {
    case JSONByte.quote:
      break
    case JSONByte.apostrophe:
      throw error("strings must use double quotes (\"), not single quotes (')", at: start)
    case _ where JSONByte.isWordStart(c):
      let word = wordText(at: start)
      throw error("object keys must be in double quotes: write \"\(word)\" instead of \(word)", at: start)
    default:
      let expected = afterComma ? "a key in double quotes" : "a key in double quotes or '}'"
      throw error("expected \(expected), found \(describe(at: start))", at: start)
    }
    let key = try parseString()
    try addKey(key, at: start)
    try skipWhitespace()
    guard byte(at: position) == JSONByte.colon else {
      throw error(
        "expected ':' after the key \"\(key)\", found \(describe(at: position))\(unclosedHint())", at: position)
    }
    position += 1
    try skipWhitespace()
  }

  /// Adds `key` to the innermost object, rejecting duplicates.
  func addKey(_ key: String, at offset: Int) throws(JSONSyntaxError) {
    let f = frames.count - 1
    var firstOffset: Int?
    if let index = frames[f].keyIndex {
      if let existing = index[key] { firstOffset = frames[f].keyOffsets[existing] }
    } else if let existing = frames[f].keys.firstIndex(of: key) {
      firstOffset = frames[f].keyOffsets[existing]
    }
    if let firstOffset {
      let line = lineAndColumn(of: firstOffset).line
      throw error("duplicate key '\(key)' (first at line \(line))", at: offset)
    }
    frames[f].keys.append(key)
    frames[f].keyOffsets.append(offset)
    let count = frames[f].keys.count
    if frames[f].keyIndex != nil {
      frames[f].keyIndex![key] = count - 1
    } else if count > 16 {
      var index = [String: Int](minimumCapacity: 2 * count)
      for (i, existing) in frames[f].keys.enumerated() { index[existing] = i }
      frames[f].keyIndex = index
    }
  }


  // MARK: Whitespace and comments

  func skipWhitespace() throws(JSONSyntaxError) {
    let count = bytes.count
    var p = position
    defer { position = p }
    while p < count {
      switch bytes[p] {
      case JSONByte.space, JSONByte.newline, JSONByte.tab, JSONByte.carriageReturn:
        p += 1
      case JSONByte.slash:
        let start = p
        if p + 1 < count, bytes[p + 1] == JSONByte.slash {
          p += 2
          while p < count, bytes[p] != JSONByte.newline { p += 1 }
        } else if p + 1 < count, bytes[p + 1] == JSONByte.asterisk {
          p += 2
          while true {
            guard p + 1 < count else {
              p = count
              throw error("unterminated block comment (no closing '*/')", at: start)
            }
            if bytes[p] == JSONByte.asterisk, bytes[p + 1] == JSONByte.slash {
              p += 2
              break
            }
            p += 1
          }
        } else {
          throw error("unexpected '/'; comments start with '//' or '/*'", at: start)
        }
      default:
        return
      }
    }
  }

  // MARK: Scalars

  func parseScalar() throws(JSONSyntaxError) -> ConfigValue {
    let start = position
    let c = bytes[position]
    switch c {
    case JSONByte.quote:
      return .string(try parseString())
    case JSONByte.apostrophe:
      throw error("strings must use double quotes (\"), not single quotes (')", at: start)
    case JSONByte.minus, JSONByte.zero...JSONByte.nine:
      return try parseNumber()
    case JSONByte.plus:
      if let next = byte(at: start + 1), JSONByte.isWordStart(next) { return try parseWord(at: start) }
      throw error("numbers must not start with '+'; remove it", at: start)
    case JSONByte.period:
      throw error("numbers must start with a digit: write 0\(tokenText(at: start)) instead", at: start)
    case _ where JSONByte.isWordStart(c):
      return try parseWord(at: start)
    default:
      throw error("expected a value, found \(describe(at: start))\(unclosedHint())", at: start)
    }
  }

  /// `true`, `false`, `null`, or an error explaining what the word is not.
  func parseWord(at start: Int) throws(JSONSyntaxError) -> ConfigValue {
    var end = start
    if bytes[end] == JSONByte.minus || bytes[end] == JSONByte.plus { end += 1 }
    while end < bytes.count, JSONByte.isWordPart(bytes[end]) { end += 1 }
    let word = text(start..<end)
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

  func parseNumber() throws(JSONSyntaxError) -> ConfigValue {
    let start = position
    var p = position
    let negative = bytes[p] == JSONByte.minus
    if negative {
      p += 1
      guard let c = byte(at: p), JSONByte.isDigit(c) else {
        if let c = byte(at: p), JSONByte.isWordStart(c) { return try parseWord(at: start) }
        throw error("expected a digit after '-'", at: start)
      }
    }
    // Integer part, accumulated (negatively, to reach Int.min) while it fits.
    var integer = 0
    var fits = true
    if bytes[p] == JSONByte.zero {
      p += 1
      if let c = byte(at: p), JSONByte.isDigit(c) {
        throw error("leading zeros are not allowed in numbers: '\(tokenText(at: start))'", at: start)
      }
    } else {
      while p < bytes.count, JSONByte.isDigit(bytes[p]) {
        if fits {
          let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
          let (next, o2) = times10.subtractingReportingOverflow(Int(bytes[p] - JSONByte.zero))
          if o1 || o2 { fits = false } else { integer = next }
        }
        p += 1
      }
    }
    var isInteger = true
    if p < bytes.count, bytes[p] == JSONByte.period {
      isInteger = false
      p += 1
      guard let c = byte(at: p), JSONByte.isDigit(c) else {
        throw error("expected a digit after the decimal point in '\(tokenText(at: start))'", at: start)
      }
      while p < bytes.count, JSONByte.isDigit(bytes[p]) { p += 1 }
    }
    if p < bytes.count, bytes[p] == JSONByte.lowerE || bytes[p] == JSONByte.upperE {
      isInteger = false
      p += 1
      if p < bytes.count, bytes[p] == JSONByte.plus || bytes[p] == JSONByte.minus { p += 1 }
      guard let c = byte(at: p), JSONByte.isDigit(c) else {
        throw error("expected a digit in the exponent of '\(tokenText(at: start))'", at: start)
      }
      while p < bytes.count, JSONByte.isDigit(bytes[p]) { p += 1 }
    }
    position = p
    if isInteger, fits {
      if negative { return .integer(integer) }
      if integer != Int.min { return .integer(-integer) }
    }
    let literal = text(start..<p)
    guard let value = Double(literal), value.isFinite else {
      throw error("number out of range: '\(clip(literal))' is too large for a double", at: start)
    }
    return .real(value)
  }

  /// Parses a string starting at the opening quote at `position`.
  func parseString() throws(JSONSyntaxError) -> String {
    let open = position
    var p = open + 1
    // Fast path: no escapes.
    while p < bytes.count {
      let c = bytes[p]
      if c == JSONByte.quote || c == JSONByte.backslash || c < JSONByte.space { break }
      p += 1
    }
    guard p < bytes.count else { throw unterminatedString(at: open) }
    if bytes[p] == JSONByte.quote {
      position = p + 1
      return text((open + 1)..<p)
    }
    stringBuffer.removeAll(keepingCapacity: true)
    stringBuffer.append(contentsOf: bytes[(open + 1)..<p])
    while true {
      guard p < bytes.count else { throw unterminatedString(at: open) }
      let c = bytes[p]
      if c == JSONByte.quote {
        position = p + 1
        return String(decoding: stringBuffer, as: UTF8.self)
      } else if c == JSONByte.backslash {
        guard let escaped = byte(at: p + 1) else { throw unterminatedString(at: open) }
        switch escaped {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash: stringBuffer.append(escaped)
        case 0x62: stringBuffer.append(0x08)  // b
        case 0x66: stringBuffer.append(0x0C)  // f
        case 0x6E: stringBuffer.append(JSONByte.newline)  // n
        case 0x72: stringBuffer.append(JSONByte.carriageReturn)  // r
        case 0x74: stringBuffer.append(JSONByte.tab)  // t
        case 0x75:  // u
          let (scalar, length) = try parseUnicodeEscape(at: p)
          appendUTF8(scalar)
          p += length
          continue
        default:
          if escaped == JSONByte.newline || escaped == JSONByte.carriageReturn { throw unterminatedString(at: open) }
          throw error(
            "invalid escape '\\\(scalarText(at: p + 1))' in string; write '\\\\' for a backslash "
              + "(valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", at: p)
        }
        p += 2
      } else if c == JSONByte.newline || c == JSONByte.carriageReturn {
        throw unterminatedString(at: open)
      } else if c < JSONByte.space {
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
      guard byte(at: p + 6) == JSONByte.backslash, byte(at: p + 7) == 0x75,
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
      guard let digit = JSONByte.hexValue(bytes[i]) else { return nil }
      value = value << 4 | digit
    }
    return value
  }

  func appendUTF8(_ scalar: Unicode.Scalar) {
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
    for i in 0..<offset where bytes[i] == JSONByte.newline {
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
    if JSONByte.isWordStart(c) || JSONByte.isDigit(c) || c == JSONByte.minus { return "'\(tokenText(at: offset))'" }
    if c < JSONByte.space || c == 0x7F { return "control character U+00\(hex2(c))" }
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
      guard JSONByte.isWordPart(c) || c == JSONByte.period || c == JSONByte.minus || c == JSONByte.plus else { break }
      end += 1
    }
    if end == offset { return scalarText(at: offset) }
    return clip(text(offset..<end))
  }

  /// The word (letters, digits, '_', '$') starting at `offset`.
  func wordText(at offset: Int) -> String {
    var end = offset
    while end < bytes.count, end - offset < 40, JSONByte.isWordPart(bytes[end]) { end += 1 }
    return text(offset..<end)
  }

  /// The single Unicode scalar starting at `offset` (or "" at the end).
  func scalarText(at offset: Int) -> String {
    guard offset < bytes.count else { return "" }
    var end = offset + 1
    while end < bytes.count, end - offset < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
    return text(offset..<end)
  }

  /// The bytes in `range` as a string (the input is valid UTF-8).
  func text(_ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
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
