#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A rectangular table of finite numbers read from CSV text.
///
/// Format rules:
/// - Cells are separated by commas. A file with no comma at all (outside comment
///   lines) is read as tab- or whitespace-separated instead: any run of spaces and
///   tabs separates cells.
/// - Spaces and tabs around cells are ignored; "\n", "\r\n" and lone "\r" line ends are accepted, and a
///   leading UTF-8 byte-order mark is skipped.
/// - Lines whose first non-blank character is `#` are comments; blank lines are
///   skipped. Row numbers in errors are the file's 1-based line numbers.
/// - The first remaining line is a header iff any of its cells is quoted or is
///   neither empty nor a number. Without a header the columns are named "c1",
///   "c2", …; an empty (unquoted) header cell gets the same default name.
/// - A cell may be wrapped in double quotes (`""` inside stands for one quote);
///   quoted cells cannot span lines.
/// - Every data cell must be a finite decimal number (`1`, `-2.5`, `.5`, `1e-3`);
///   NaN and infinities are rejected.
public struct NumericTable: Sendable, Equatable {
  /// Column names from the header row, or `["c1", "c2", ...]` when there is none.
  public var columnNames: [String]
  public var rowCount: Int
  public var columnCount: Int
  /// The cells in row-major order: `rowCount * columnCount` values.
  public var values: [Double]

  /// A table from column names and rows; every row must have one value per column.
  public init(columnNames: [String], rows: [[Double]]) {
    precondition(rows.allSatisfy { $0.count == columnNames.count }, "every row needs one value per column")
    self.columnNames = columnNames
    self.columnCount = columnNames.count
    self.rowCount = rows.count
    self.values = rows.flatMap { $0 }
  }

  init(columnNames: [String], rowCount: Int, values: [Double]) {
    self.columnNames = columnNames
    self.columnCount = columnNames.count
    self.rowCount = rowCount
    self.values = values
  }

  /// The value at a 0-based row and column.
  public subscript(row: Int, column: Int) -> Double {
    precondition(row >= 0 && row < rowCount && column >= 0 && column < columnCount, "cell out of range")
    return values[row * columnCount + column]
  }

  /// The values of one column (0-based), top to bottom.
  public func column(_ column: Int) -> [Double] {
    (0..<rowCount).map { self[$0, column] }
  }

  /// Parses CSV text; `source` names it in errors (usually the file path).
  public static func parse(_ text: String, source: String) throws(TableError) -> NumericTable {
    var text = text
    let result = text.withUTF8 { bytes -> Result<NumericTable, TableError> in
      let reader = CSVTableReader(bytes: bytes, source: source)
      do throws(TableError) {
        return .success(try reader.read())
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Reads and parses the file at `path` (used as the error source).
  public static func read(contentsOf path: String) throws(TableError) -> NumericTable {
    let bytes = try readTableFile(path)
    return try parse(String(decoding: bytes, as: UTF8.self), source: path)
  }

  /// The table as CSV: a header line, then one line per row, each ending in "\n".
  /// Numbers use the shortest form that reads back exactly (integral values
  /// without ".0"). Names are quoted when they are empty, look like numbers, or
  /// contain whitespace, ',', '"' or '#', so `parse(csvText())` gives the same table
  /// (line breaks inside names, which CSV lines cannot hold, become spaces).
  public func csvText() -> String {
    var text = columnNames.map(Self.quotedName).joined(separator: ",") + "\n"
    for row in 0..<rowCount {
      for column in 0..<columnCount {
        if column > 0 { text += "," }
        text += Self.numberText(values[row * columnCount + column])
      }
      text += "\n"
    }
    return text
  }

  static func numberText(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 {
      if value == 0 { return value.sign == .minus ? "-0" : "0" }
      return String(Int(value))
    }
    return value.description
  }

  static func quotedName(_ name: String) -> String {
    let name = name.replacing("\r\n", with: " ").replacing("\n", with: " ")
    let needsQuotes =
      name.isEmpty || name.contains(where: { $0 == "," || $0 == "\"" || $0 == "#" || $0.isWhitespace })
      || csvIsNumberText(name.utf8)
    guard needsQuotes else { return name }
    return "\"" + name.replacing("\"", with: "\"\"") + "\""
  }
}

// MARK: - Reading

private func readTableFile(_ path: String) throws(TableError) -> [UInt8] {
  func failure(_ message: String) -> TableError { TableError(source: path, message: message) }
  let fd = open(path, O_RDONLY)
  if fd < 0 {
    let code = errno
    switch code {
    case ENOENT, ENOTDIR: throw failure("no such file")
    case EACCES: throw failure("cannot read the file: permission denied")
    default: throw failure("cannot read the file: \(String(cString: strerror(code)))")
    }
  }
  defer { close(fd) }
  var info = stat()
  if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
    throw failure("is a folder, not a file")
  }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno == EINTR { continue }
      throw failure("cannot read the file: \(String(cString: strerror(errno)))")
    }
    if count == 0 { break }
    bytes.append(contentsOf: chunk[0..<count])
  }
  return bytes
}

/// Whether `text` is a decimal number or a NaN/infinity spelling.
private func csvIsNumberText<C: Collection>(_ text: C) -> Bool where C.Element == UInt8 {
  csvNumberKind(text) != .notANumber
}

private enum CSVNumberKind { case finite, nonFinite, notANumber }

private func csvIsDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

/// Classifies a cell: `finite` for [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?,
/// `nonFinite` for "nan", "inf", "infinity" (any case, optional sign), else `notANumber`.
private func csvNumberKind<C: Collection>(_ text: C) -> CSVNumberKind where C.Element == UInt8 {
  var p = text.startIndex
  let end = text.endIndex
  if p < end, text[p] == UInt8(ascii: "+") || text[p] == UInt8(ascii: "-") { text.formIndex(after: &p) }
  if p < end, text[p] | 0x20 == UInt8(ascii: "n") || text[p] | 0x20 == UInt8(ascii: "i") {
    let rest = String(decoding: text[p..<end], as: UTF8.self).lowercased()
    return rest == "nan" || rest == "inf" || rest == "infinity" ? .nonFinite : .notANumber
  }
  var digits = 0
  while p < end, csvIsDigit(text[p]) {
    text.formIndex(after: &p)
    digits += 1
  }
  if p < end, text[p] == UInt8(ascii: ".") {
    text.formIndex(after: &p)
    while p < end, csvIsDigit(text[p]) {
      text.formIndex(after: &p)
      digits += 1
    }
  }
  guard digits > 0 else { return .notANumber }
  if p < end, text[p] == UInt8(ascii: "e") || text[p] == UInt8(ascii: "E") {
    text.formIndex(after: &p)
    if p < end, text[p] == UInt8(ascii: "+") || text[p] == UInt8(ascii: "-") { text.formIndex(after: &p) }
    guard p < end, csvIsDigit(text[p]) else { return .notANumber }
    while p < end, csvIsDigit(text[p]) { text.formIndex(after: &p) }
  }
  return p == end ? .finite : .notANumber
}

private struct CSVTableReader {
  let bytes: UnsafeBufferPointer<UInt8>
  let source: String

  /// One cell of a line: its trimmed byte range (inside the quotes for a quoted
  /// cell) and, for a quoted cell, its unescaped text.
  struct Cell {
    var range: Range<Int>
    var quoted: Bool
    var unescaped: String?
  }

  struct Line {
    var number: Int
    var range: Range<Int>
  }

  func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

  func failure(_ message: String, row: Int? = nil, column: Int? = nil, name: String? = nil) -> TableError {
    TableError(source: source, row: row, column: column, columnName: name, message: message)
  }

  func read() throws(TableError) -> NumericTable {
    // Collect the data lines (not blank, not comments) and see whether any has a comma.
    var lines: [Line] = []
    var hasComma = false
    var lineNumber = 0
    // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first cell.
    var start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    var sawText = false
    while start < bytes.count {
      lineNumber += 1
      var end = start
      while end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D { end += 1 }
      // "\r\n", "\n", or a lone "\r" (old Mac line ends) ends the line.
      let next = end + (end + 1 < bytes.count && bytes[end] == 0x0D && bytes[end + 1] == 0x0A ? 2 : 1)
      var first = start
      while first < end, isBlank(bytes[first]) || bytes[first] == 0x0D { first += 1 }
      if first < end {
        sawText = true
        if bytes[first] != UInt8(ascii: "#") {
          lines.append(Line(number: lineNumber, range: first..<end))
          if !hasComma, bytes[first..<end].contains(UInt8(ascii: ",")) { hasComma = true }
        }
      }
      start = next
    }
    guard sawText else { throw failure("the file is empty") }
    guard let firstLine = lines.first else { throw failure("no data rows (the file has only comments)") }

    // Header detection.
    let firstCells = try cells(of: firstLine, comma: hasComma)
    let hasHeader = firstCells.contains {
      $0.quoted || (!$0.range.isEmpty && csvNumberKind(bytes[$0.range]) == .notANumber)
    }
    let columnCount = firstCells.count
    var names: [String]
    if hasHeader {
      names = firstCells.enumerated().map { i, cell in
        let name = text(of: cell)
        return name.isEmpty && !cell.quoted ? "c\(i + 1)" : name
      }
    } else {
      names = (1...columnCount).map { "c\($0)" }
    }
    let dataLines = hasHeader ? lines.dropFirst() : lines[...]
    guard !dataLines.isEmpty else { throw failure("no data rows (only a header)") }

    var values: [Double] = []
    values.reserveCapacity(dataLines.count * columnCount)
    for line in dataLines {
      let row = line.number == firstLine.number ? firstCells : try cells(of: line, comma: hasComma)
      if row.count != columnCount {
        let like = hasHeader ? "the header" : "the first row"
        throw failure(
          "row \(line.number) has \(row.count) cell\(row.count == 1 ? "" : "s"), expected \(columnCount) (like \(like))",
          row: line.number)
      }
      for (i, cell) in row.enumerated() {
        let name = hasHeader ? names[i] : nil
        let slice = bytes[cell.range]
        if slice.isEmpty {
          throw failure("empty cell", row: line.number, column: i + 1, name: name)
        }
        var cellText: String { clip(cell.unescaped ?? String(decoding: slice, as: UTF8.self)) }
        switch csvNumberKind(slice) {
        case .notANumber:
          throw failure("'\(cellText)' is not a number", row: line.number, column: i + 1, name: name)
        case .nonFinite:
          throw failure("'\(cellText)' is not a finite number", row: line.number, column: i + 1, name: name)
        case .finite:
          guard let value = Double(String(decoding: slice, as: UTF8.self)), value.isFinite else {
            throw failure(
              "'\(cellText)' is not a finite number (too large)", row: line.number, column: i + 1, name: name)
          }
          values.append(value)
        }
      }
    }
    return NumericTable(columnNames: names, rowCount: dataLines.count, values: values)
  }

  func text(of cell: Cell) -> String {
    cell.unescaped ?? String(decoding: bytes[cell.range], as: UTF8.self)
  }

  func clip(_ text: String) -> String {
    text.count > 40 ? String(text.prefix(40)) + "…" : text
  }

  /// Splits a line into cells: at commas, or at runs of spaces/tabs when `comma` is false.
  func cells(of line: Line, comma: Bool) throws(TableError) -> [Cell] {
    var cells: [Cell] = []
    var p = line.range.lowerBound
    let end = line.range.upperBound
    while true {
      while p < end, isBlank(bytes[p]) { p += 1 }
      if !comma, p == end { break }
      if p < end, bytes[p] == UInt8(ascii: "\"") {
        let column = cells.count + 1
        let open = p
        p += 1
        var text: [UInt8] = []
        var closed = false
        while p < end {
          if bytes[p] == UInt8(ascii: "\"") {
            if p + 1 < end, bytes[p + 1] == UInt8(ascii: "\"") {
              text.append(UInt8(ascii: "\""))
              p += 2
              continue
            }
            closed = true
            p += 1
            break
          }
          text.append(bytes[p])
          p += 1
        }
        guard closed else {
          throw failure("unterminated quoted cell (no closing '\"' on this line)", row: line.number, column: column)
        }
        let unescaped = String(decoding: text, as: UTF8.self)
        // The range inside the quotes, trimmed, is what number checks look at.
        var lower = open + 1
        var upper = p - 1
        while lower < upper, isBlank(bytes[lower]) { lower += 1 }
        while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
        cells.append(Cell(range: lower..<upper, quoted: true, unescaped: unescaped))
        let separated = p == end || isBlank(bytes[p])
        while p < end, isBlank(bytes[p]) { p += 1 }
        if comma ? (p < end && bytes[p] != UInt8(ascii: ",")) : !separated {
          let separator = comma ? "','" : "a space"
          throw failure(
            "unexpected text after the closing quote; put \(separator) between cells", row: line.number,
            column: column)
        }
      } else {
        let start = p
        if comma {
          while p < end, bytes[p] != UInt8(ascii: ",") { p += 1 }
        } else {
          while p < end, !isBlank(bytes[p]) { p += 1 }
        }
        var upper = p
        while upper > start, isBlank(bytes[upper - 1]) { upper -= 1 }
        cells.append(Cell(range: start..<upper, quoted: false, unescaped: nil))
      }
      if comma {
        if p < end, bytes[p] == UInt8(ascii: ",") {
          p += 1
          continue
        }
        break
      }
    }
    return cells
  }
}
