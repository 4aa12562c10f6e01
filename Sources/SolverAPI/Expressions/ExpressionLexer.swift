/// Tokens of the expression language.
///
///     number     = digits ["." [digits]] [("e" | "E") ["+" | "-"] digits]
///                | "." digits [exponent]                      e.g. 1, 2.5, .5, 1e-3
///     identifier = (letter | "_") {letter | digit | "_"}       e.g. x1, sigma, σ
///     symbols    = + - * / ^ ( ) , |
///
/// Whitespace separates tokens and is otherwise ignored. A number running into
/// letters (`2x`, `1e`, `1.2.3`) is an error rather than two tokens.
enum ExpressionTokenKind: Equatable {
  case number(Double)
  case identifier(String)
  case plus, minus, star, slash, caret, leftParen, rightParen, comma, bar
  case end
}

struct ExpressionToken {
  var kind: ExpressionTokenKind
  /// 1-based character column of the token's first character.
  var column: Int

  /// How the token reads in an error message: `'*'`, `'x1'`, `'2.5'`, `end of input`.
  var quoted: String {
    switch kind {
    case .number: "'\(text)'"
    case .identifier(let name): "'\(name)'"
    case .end: "end of input"
    default: "'\(text)'"
    }
  }

  var text: String

  init(_ kind: ExpressionTokenKind, column: Int, text: String) {
    self.kind = kind
    self.column = column
    self.text = text
  }
}

/// Splits the source into tokens on demand, so the parser reports the leftmost error.
struct ExpressionLexer {
  private let characters: [Character]
  private var position = 0

  init(_ source: String) {
    characters = Array(source)
  }

  /// 1-based column one past the last character: where "end of input" errors point.
  var endColumn: Int { characters.count + 1 }

  mutating func next() throws(ExpressionError) -> ExpressionToken {
    while position < characters.count, characters[position].isWhitespace { position += 1 }
    guard position < characters.count else { return ExpressionToken(.end, column: endColumn, text: "") }
    let start = position
    let column = start + 1
    let c = characters[position]
    position += 1
    let kind: ExpressionTokenKind
    switch c {
    case "+": kind = .plus
    case "-": kind = .minus
    case "*": kind = .star
    case "/": kind = .slash
    case "^": kind = .caret
    case "(": kind = .leftParen
    case ")": kind = .rightParen
    case ",": kind = .comma
    case "|": kind = .bar
    default:
      if Self.isDigit(c) || (c == "." && position < characters.count && Self.isDigit(characters[position])) {
        position = start
        return try number()
      }
      if Self.isIdentifierStart(c) {
        while position < characters.count, Self.isIdentifierContinuation(characters[position]) {
          position += 1
        }
        let name = String(characters[start..<position])
        return ExpressionToken(.identifier(name), column: column, text: name)
      }
      throw ExpressionError(
        column: column, message: "unexpected character '\(Self.printable(c))' at column \(column)")
    }
    return ExpressionToken(kind, column: column, text: String(c))
  }

  private mutating func number() throws(ExpressionError) -> ExpressionToken {
    let start = position
    skipDigits()
    if position < characters.count, characters[position] == "." {
      position += 1
      skipDigits()
    }
    if position < characters.count, characters[position] == "e" || characters[position] == "E" {
      var p = position + 1
      if p < characters.count, characters[p] == "+" || characters[p] == "-" { p += 1 }
      if p < characters.count, Self.isDigit(characters[p]) {
        position = p
        skipDigits()
      }
    }
    // A number must not run straight into a name, a digit or another point.
    if position < characters.count,
      Self.isIdentifierContinuation(characters[position]) || characters[position] == "."
    {
      while position < characters.count,
        Self.isIdentifierContinuation(characters[position]) || characters[position] == "."
      {
        position += 1
      }
      let text = String(characters[start..<position])
      throw ExpressionError(column: start + 1, message: "malformed number '\(text)' at column \(start + 1)")
    }
    let text = String(characters[start..<position])
    guard let value = Double(text), value.isFinite else {
      throw ExpressionError(
        column: start + 1, message: "number '\(text)' is out of range at column \(start + 1)")
    }
    return ExpressionToken(.number(value), column: start + 1, text: text)
  }

  private mutating func skipDigits() {
    while position < characters.count, Self.isDigit(characters[position]) { position += 1 }
  }

  static func isDigit(_ c: Character) -> Bool {
    guard let a = c.asciiValue else { return false }
    return a >= 48 && a <= 57
  }

  static func isIdentifierStart(_ c: Character) -> Bool {
    c == "_" || c.isLetter
  }

  static func isIdentifierContinuation(_ c: Character) -> Bool {
    c == "_" || c.isLetter || isDigit(c)
  }

  /// The character as it should appear between quotes: control and other invisible
  /// characters as `\u{…}`.
  static func printable(_ c: Character) -> String {
    var out = ""
    for scalar in c.unicodeScalars {
      switch scalar.properties.generalCategory {
      case .control, .format, .unassigned, .surrogate, .privateUse, .lineSeparator, .paragraphSeparator:
        out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      default:
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
