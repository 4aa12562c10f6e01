#if canImport(Glibc)
#elseif canImport(Darwin)
#endif

/// A problem reading a numeric table, located as precisely as possible.
///
/// `row` is the 1-based line number in the file (comment and blank lines count);
/// `column` is the 1-based cell index and `columnName` its header name, if any.
public struct TableError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file path (or other name) the table came from.
  public var source: String
  public var row: Int?
  public var column: Int?
  /// The column's name from the header row; `nil` when the file has no header.
  public var columnName: String?
  public var message: String

  public init(source: String, row: Int? = nil, column: Int? = nil, columnName: String? = nil, message: String) {
    self.source = source
    self.row = row
    self.column = column
    self.columnName = columnName
    self.message = message
  }

  /// "data/x.csv: row 7, column 3 ('y'): 'abc' is not a number". Errors about a
  /// whole row have no column and name the row in their message
  /// ("data/x.csv: row 5 has 3 cells, expected 4 (like the header)").
  public var description: String {
    var text = source + ": "
    if let row, let column {
      text += "row \(row), column \(column)"
      if let columnName { text += " ('\(columnName)')" }
      text += ": "
    }
    return text + message
  }
}
