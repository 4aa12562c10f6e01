import Formats
import Foundation
import TestSupport
import Testing

// MARK: - Helpers

/// The error `NumericTable.parse` throws for `text`, or nil if it parses.
private func tableError(_ text: String, source: String = "data/x.csv") -> TableError? {
  do {
    _ = try NumericTable.parse(text, source: source)
    return nil
  } catch {
    return error
  }
}

private func parseTable(_ text: String) throws -> NumericTable {
  try NumericTable.parse(text, source: "t.csv")
}


/// A fresh temporary folder, removed by the caller.
private func makeTableTestFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("numeric-table-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

// MARK: - Reading

@Suite("NumericTable: reading")
struct NumericTableReadingTests {
  @Test("a header row names the columns; values are row-major")
  func headerAndValues() throws {
    let t = try parseTable("t,x,y\n0,1.5,-2\n1,2.5,-3e2\n")
    #expect(t.columnNames == ["t", "x", "y"])
    #expect(t.rowCount == 2)
    #expect(t.columnCount == 3)
    #expect(t.values == [0, 1.5, -2, 1, 2.5, -300])
    #expect(t[1, 2] == -300)
    #expect(t[0, 1] == 1.5)
  }

  @Test("without a header the columns are named c1, c2, …")
  func noHeader() throws {
    let t = try parseTable("1,2\n3,4")
    #expect(t.columnNames == ["c1", "c2"])
    #expect(t.rowCount == 2)
    #expect(t.values == [1, 2, 3, 4])
  }

  @Test("the header is the first line with a non-number cell, after comments and blank lines")
  func headerAfterComments() throws {
    let t = try parseTable("# produced by hand\n\n   \n# another\ntime, value\n0, 1\n")
    #expect(t.columnNames == ["time", "value"])
    #expect(t.values == [0, 1])
  }

  @Test("comment and blank lines between rows are skipped")
  func commentsBetweenRows() throws {
    let t = try parseTable("a,b\n1,2\n\n# note\n  # indented note\n3,4\n")
    #expect(t.rowCount == 2)
    #expect(t.values == [1, 2, 3, 4])
  }

  @Test("spaces around cells are trimmed and CRLF line ends accepted")
  func trimmingAndCRLF() throws {
    let t = try parseTable("  a , b\t\r\n 1 ,\t2 \r\n3,4\r\n")
    #expect(t.columnNames == ["a", "b"])
    #expect(t.values == [1, 2, 3, 4])
  }

  @Test("a file with no comma is tab- or whitespace-separated")
  func whitespaceSeparated() throws {
    let tabs = try parseTable("a\tb\tc\n1\t2\t3\n")
    #expect(tabs.columnNames == ["a", "b", "c"])
    #expect(tabs.values == [1, 2, 3])
    let spaces = try parseTable("  x    y\n  1.0  2.0\n 3   4   \n")
    #expect(spaces.columnNames == ["x", "y"])
    #expect(spaces.values == [1, 2, 3, 4])
    let single = try parseTable("value\n1\n2\n")
    #expect(single.columnNames == ["value"])
    #expect(single.values == [1, 2])
  }

  @Test("decimal number forms are accepted")
  func numberForms() throws {
    let t = try parseTable("1,-2.5,.5,5.,1e-3,+3,1E+2,-0,007")
    #expect(t.values == [1, -2.5, 0.5, 5, 0.001, 3, 100, 0, 7])
    #expect(t[0, 7].sign == .minus)
  }

  @Test("quoted cells: names may hold commas and quotes; quoted numbers are numbers")
  func quotedCells() throws {
    let t = try parseTable(#""time, s","say ""hi""",z"# + "\n\"1\", 2 ,\" 3 \"\n")
    #expect(t.columnNames == ["time, s", #"say "hi""#, "z"])
    #expect(t.values == [1, 2, 3])
  }

  @Test("a quoted first line is a header even if it looks numeric")
  func quotedNumericHeader() throws {
    let t = try parseTable("\"1\",\"2\"\n3,4\n")
    #expect(t.columnNames == ["1", "2"])
    #expect(t.values == [3, 4])
  }

  @Test("an empty header cell gets the default name (like a pandas index column)")
  func emptyHeaderCell() throws {
    let t = try parseTable(",x,y\n0,1,2\n1,3,4\n")
    #expect(t.columnNames == ["c1", "x", "y"])
    #expect(t.values == [0, 1, 2, 1, 3, 4])
  }

  @Test("a megabyte-sized table parses")
  func largeTable() throws {
    var text = "t,x,y\n"
    for i in 0..<50_000 { text += "\(i),\(Double(i) * 0.125),\(-i)\n" }
    #expect(text.utf8.count > 1_000_000)
    let t = try parseTable(text)
    #expect(t.rowCount == 50_000)
    #expect(t[49_999, 1] == 6_249.875)
  }
}

// MARK: - Errors

@Suite("NumericTable: errors name the file, row and column")
struct NumericTableErrorTests {
  @Test("error description: 'source: row R, column C ('name'): message'")
  func descriptionFormat() {
    let error = TableError(source: "data/x.csv", row: 7, column: 3, columnName: "y", message: "'abc' is not a number")
    #expect(error.description == "data/x.csv: row 7, column 3 ('y'): 'abc' is not a number")
    let noName = TableError(source: "a.csv", row: 2, column: 1, message: "empty cell")
    #expect(noName.description == "a.csv: row 2, column 1: empty cell")
    let whole = TableError(source: "a.csv", message: "no such file")
    #expect(whole.description == "a.csv: no such file")
  }

  @Test("a non-numeric cell names its file line, column and column name")
  func nonNumeric() {
    let text = "t,x,y\n1,2,3\n# comment\n\n4,5,6\n7,8,9\n1,2,abc\n"
    let error = tableError(text)
    #expect(error == TableError(source: "data/x.csv", row: 7, column: 3, columnName: "y", message: "'abc' is not a number"))
    #expect(error?.description == "data/x.csv: row 7, column 3 ('y'): 'abc' is not a number")
  }

  @Test("a non-numeric cell in a file without header has no column name")
  func nonNumericWithoutHeader() {
    #expect(
      tableError("1,2\n3,x4\n")?.description == "data/x.csv: row 2, column 2: 'x4' is not a number")
  }

  @Test("a ragged row names its cell count and the expected one")
  func raggedRow() {
    let error = tableError("a,b,c,d\n1,2,3,4\n\n# gap\n5,6,7\n")
    #expect(error == TableError(source: "data/x.csv", row: 5, message: "row 5 has 3 cells, expected 4 (like the header)"))
    #expect(error?.description == "data/x.csv: row 5 has 3 cells, expected 4 (like the header)")
    #expect(
      tableError("1,2\n3\n")?.description == "data/x.csv: row 2 has 1 cell, expected 2 (like the first row)")
    #expect(
      tableError("x y\n1 2 3\n")?.description == "data/x.csv: row 2 has 3 cells, expected 2 (like the header)")
  }

  @Test("an empty cell is reported with its position")
  func emptyCell() {
    let error = tableError("a,b\n1,2\n3,4\n5,6\n7, \n")
    #expect(error?.description == "data/x.csv: row 5, column 2 ('b'): empty cell")
    #expect(tableError("1,2\n3,\n")?.description == "data/x.csv: row 2, column 2: empty cell")
    #expect(tableError("a,b\n,1\n")?.description == "data/x.csv: row 2, column 1 ('a'): empty cell")
  }

  @Test("a first row with an empty cell but otherwise numbers is data, not a header")
  func emptyCellInFirstRow() {
    #expect(tableError("1,,3\n4,5,6\n")?.description == "data/x.csv: row 1, column 2: empty cell")
  }

  @Test("NaN and infinite cells are not finite numbers")
  func nonFinite() {
    #expect(tableError("a\n1\nnan\n")?.description == "data/x.csv: row 3, column 1 ('a'): 'nan' is not a finite number")
    #expect(
      tableError("a,b\n1,-Infinity\n")?.description
        == "data/x.csv: row 2, column 2 ('b'): '-Infinity' is not a finite number")
    #expect(
      tableError("a,b\n1,1e999\n")?.description
        == "data/x.csv: row 2, column 2 ('b'): '1e999' is not a finite number (too large)")
    #expect(tableError("inf,2\n")?.description == "data/x.csv: row 1, column 1: 'inf' is not a finite number")
  }

  @Test("an empty file is an error")
  func emptyFile() {
    #expect(tableError("") == TableError(source: "data/x.csv", message: "the file is empty"))
    #expect(tableError(" \n\t\r\n\n")?.description == "data/x.csv: the file is empty")
  }

  @Test("a file with no data rows is an error")
  func noDataRows() {
    #expect(tableError("# just a comment\n")?.description == "data/x.csv: no data rows (the file has only comments)")
    #expect(tableError("# units: s, m\nt,x\n\n")?.description == "data/x.csv: no data rows (only a header)")
  }

  @Test("quoting mistakes are reported at the cell")
  func quotingMistakes() {
    #expect(
      tableError("a,\"b\n1,2\n")?.description
        == "data/x.csv: row 1, column 2: unterminated quoted cell (no closing '\"' on this line)")
    #expect(
      tableError("a,\"b\"c\n1,2\n")?.description
        == "data/x.csv: row 1, column 2: unexpected text after the closing quote; put ',' between cells")
  }
}

// MARK: - Files

@Suite("NumericTable: files")
struct NumericTableFileTests {
  @Test("reads a file and uses its path as the source")
  func readsFile() throws {
    let folder = try makeTableTestFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("data.csv").path
    try "x,y\n1,2\n3,oops\n".write(toFile: path, atomically: true, encoding: .utf8)
    do {
      _ = try NumericTable.read(contentsOf: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.description == "\(path): row 3, column 2 ('y'): 'oops' is not a number")
    }
    try "x,y\n1,2\n3,4\n".write(toFile: path, atomically: true, encoding: .utf8)
    let t = try NumericTable.read(contentsOf: path)
    #expect(t.values == [1, 2, 3, 4])
  }

  @Test("a missing file says so")
  func missingFile() {
    let path = "/nonexistent-folder-for-tests/none.csv"
    #expect(throws: TableError(source: path, message: "no such file")) {
      try NumericTable.read(contentsOf: path)
    }
  }

  @Test("a folder is not a file")
  func folder() throws {
    let folder = try makeTableTestFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(throws: TableError(source: folder.path, message: "is a folder, not a file")) {
      try NumericTable.read(contentsOf: folder.path)
    }
  }

  @Test("an unreadable file says permission denied", .enabled(if: getuid() != 0, "root can read anything"))
  func unreadable() throws {
    let folder = try makeTableTestFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("secret.csv").path
    try "1,2\n".write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
    #expect(throws: TableError(source: path, message: "cannot read the file: permission denied")) {
      try NumericTable.read(contentsOf: path)
    }
  }
}

// MARK: - Writing

@Suite("NumericTable: writing")
struct NumericTableWritingTests {
  @Test("csvText writes a header and shortest round-trip numbers with a trailing newline")
  func csvTextFormat() {
    let t = NumericTable(columnNames: ["t", "x"], rows: [[0, 1.5], [1, 1e-5], [2e20, -0.0], [0.1, 123456]])
    #expect(t.csvText() == "t,x\n0,1.5\n1,1e-05\n2e+20,-0\n0.1,123456\n")
  }

  @Test("csvText quotes names that would not read back otherwise")
  func csvTextQuotesNames() {
    let t = NumericTable(columnNames: ["a,b", "say \"hi\"", "#n", "1", "", "two words", "plain"], rows: [[1, 2, 3, 4, 5, 6, 7]])
    #expect(t.csvText().hasPrefix(##""a,b","say ""hi""","#n","1","","two words",plain"## + "\n"))
  }

  @Test("csvText then parse round-trips exactly")
  func roundTrip() throws {
    var generator = SplitMix64(seed: 7)
    let nameParts = ["x", "Temp", " ", ",", "\"", "#", "1", "e", "é", "\t", "-", "."]
    for _ in 0..<300 {
      let columns = Int.random(in: 1...5, using: &generator)
      let rows = Int.random(in: 1...6, using: &generator)
      let names = (0..<columns).map { _ in
        (0..<Int.random(in: 0...4, using: &generator)).map { _ in nameParts.randomElement(using: &generator)! }.joined()
      }
      let values = (0..<rows).map { _ in
        (0..<columns).map { _ -> Double in
          switch Int.random(in: 0..<4, using: &generator) {
          case 0: return Double(Int.random(in: -1000...1000, using: &generator))
          case 1: return [0.1, -0.0, 1e15, 1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude].randomElement(using: &generator)!
          default:
            while true {
              let value = Double(bitPattern: generator.next())
              if value.isFinite { return value }
            }
          }
        }
      }
      let original = NumericTable(columnNames: names, rows: values)
      let text = original.csvText()
      let back = try NumericTable.parse(text, source: "round-trip")
      #expect(back == original, "\(text)")
      #expect(zip(back.values, original.values).allSatisfy { $0.bitPattern == $1.bitPattern })
      if back != original { return }
    }
  }
}

// MARK: - Fuzzing

@Suite("NumericTable: fuzzing")
struct NumericTableFuzzTests {
  @Test("10,000 random mutations never crash, locate errors in the file, and round-trip when valid")
  func mutations() {
    let documents = [
      "t,x,y\n# comment\n1,2,3\n\"a\",\"b\"\"\",4\n 5 , 6 ,7\r\n",
      "a b\n1 2\n\"x y\" 3\n\n4\t5\n",
      ",x\n0,1e-3\n1,-2.5\n",
    ].map { Array($0.utf8) }
    let alphabet = Array(##","#. -+e0123456789naix"##.utf8) + [0x0A, 0x0D, 0x09, 0x00, 0xC3, 0xA9]
    var generator = SplitMix64(seed: 2024)
    var failures: [String] = []
    var accepted = 0
    for _ in 0..<10_000 {
      var bytes = documents.randomElement(using: &generator)!
      for _ in 0..<Int.random(in: 1...3, using: &generator) {
        let i = Int.random(in: 0..<max(bytes.count, 1), using: &generator)
        switch Int.random(in: 0..<5, using: &generator) {
        case 0 where !bytes.isEmpty: bytes.remove(at: i)
        case 1 where !bytes.isEmpty: bytes.swapAt(i, Int.random(in: 0..<bytes.count, using: &generator))
        case 2 where !bytes.isEmpty: bytes.removeSubrange(i...)
        case 3 where !bytes.isEmpty: bytes[i] = alphabet.randomElement(using: &generator)!
        default: bytes.insert(alphabet.randomElement(using: &generator)!, at: min(i, bytes.count))
        }
      }
      let text = String(decoding: bytes, as: UTF8.self)
      // Lines end at "\n", "\r\n" or a lone "\r".
      let lineCount = bytes.indices.filter { bytes[$0] == 0x0A || (bytes[$0] == 0x0D && ($0 + 1 == bytes.count || bytes[$0 + 1] != 0x0A)) }.count + 1
      do {
        let t = try NumericTable.parse(text, source: "fuzz.csv")
        accepted += 1
        if (try? NumericTable.parse(t.csvText(), source: "again.csv")) != t { failures.append(text) }
      } catch {
        if let row = error.row, row < 1 || row > lineCount { failures.append(text) }
        if let column = error.column, column < 1 { failures.append(text) }
        if error.message.isEmpty || error.source != "fuzz.csv" { failures.append(text) }
      }
    }
    #expect(failures.isEmpty, "\(failures.prefix(3))")
    #expect(accepted > 0)
  }
}
