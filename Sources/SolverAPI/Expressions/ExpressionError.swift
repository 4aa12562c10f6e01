/// A compile error in an expression, pointing at the character that caused it.
///
/// `message` is complete and self-contained, column included, ready to show a user:
///
///     unknown function 'sinn' at column 12 (did you mean 'sin'?)
///     unknown name 'x3' at column 5 (variables here: x1, x2; constants: s)
///     expected ')' at column 9 to close '(' at column 4
///     'dot' takes 2 arguments, got 1 at column 1
///     unexpected character '#' at column 3
///     x is a vector; use |x| or dot(x, v) at column 1
///     empty expression
///
/// Columns are 1-based and count characters (grapheme clusters), not bytes. An error
/// found at the end of the source points one past its last character.
public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
  /// 1-based character column in the source.
  public var column: Int
  /// The full message, including the column where that reads naturally.
  public var message: String

  public init(column: Int, message: String) {
    self.column = column
    self.message = message
  }

  public var description: String { message }
}
