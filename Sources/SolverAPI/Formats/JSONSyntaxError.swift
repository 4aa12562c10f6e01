import Suggestions

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
