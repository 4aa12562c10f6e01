import Formats
import Foundation
import TestSupport
import Testing

// MARK: - Helpers

/// The error `JSONParser.parse` throws for `text`, or nil if it parses.
private func syntaxError(_ text: String) -> JSONSyntaxError? {
  do {
    _ = try JSONParser.parse(text)
    return nil
  } catch {
    return error
  }
}

private func expectSyntaxError(
  _ text: String, line: Int, column: Int, _ message: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    syntaxError(text) == JSONSyntaxError(line: line, column: column, message: message),
    sourceLocation: sourceLocation)
}



// MARK: - Values and objects

@Suite("ConfigValue and ConfigObject")
struct ConfigValueModelTests {
  @Test("type descriptions read well in error messages")
  func typeDescriptions() {
    #expect(ConfigValue.null.typeDescription == "null")
    #expect(ConfigValue.bool(true).typeDescription == "true/false")
    #expect(ConfigValue.integer(1).typeDescription == "a number")
    #expect(ConfigValue.real(1).typeDescription == "a number")
    #expect(ConfigValue.string("x").typeDescription == "a string")
    #expect(ConfigValue.array([]).typeDescription == "an array")
    #expect(ConfigValue.object([:]).typeDescription == "an object")
  }

  @Test("doubleValue covers integers and reals only")
  func doubleValue() {
    #expect(ConfigValue.integer(3).doubleValue == 3)
    #expect(ConfigValue.real(2.5).doubleValue == 2.5)
    #expect(ConfigValue.string("3").doubleValue == nil)
    #expect(ConfigValue.null.doubleValue == nil)
  }

  @Test("integer and real are different values")
  func integerIsNotReal() {
    #expect(ConfigValue.integer(1) != ConfigValue.real(1.0))
  }

  @Test("literals build the matching cases")
  func literals() {
    let value: ConfigValue = ["a": 1, "b": 2.5, "c": "s", "d": true, "e": nil, "f": [1, 2]]
    let expected = ConfigValue.object(
      ConfigObject(
        dictionaryLiteral: ("a", .integer(1)), ("b", .real(2.5)), ("c", .string("s")), ("d", .bool(true)),
        ("e", .null), ("f", .array([.integer(1), .integer(2)]))))
    #expect(value == expected)
  }

  @Test("an object keeps keys in insertion order")
  func objectOrder() {
    var object: ConfigObject = ["b": 1, "a": 2]
    object["c"] = 3
    #expect(object.keys == ["b", "a", "c"])
    #expect(object.map(\.key) == ["b", "a", "c"])
    #expect(object.map(\.value) == [1, 2, 3])
    #expect(object.count == 3)
  }

  @Test("setting an existing key replaces its value in place")
  func replaceInPlace() {
    var object: ConfigObject = ["a": 1, "b": 2]
    object["a"] = "x"
    #expect(object.keys == ["a", "b"])
    #expect(object["a"] == "x")
  }

  @Test("setting nil and removeValue remove a key")
  func removal() {
    var object: ConfigObject = ["a": 1, "b": 2, "c": 3]
    object["b"] = nil
    #expect(object.keys == ["a", "c"])
    #expect(object.removeValue(forKey: "a") == 1)
    #expect(object.removeValue(forKey: "zz") == nil)
    #expect(object.keys == ["c"])
    #expect(object["a"] == nil)
  }

  @Test("objects are equal only with the same members in the same order")
  func objectEquality() {
    let ab: ConfigObject = ["a": 1, "b": 2]
    let ba: ConfigObject = ["b": 2, "a": 1]
    #expect(ab != ba)
    #expect(ab == ["a": 1, "b": 2])
  }

  @Test("large objects look up, replace and remove keys correctly")
  func largeObject() {
    var object = ConfigObject()
    for i in 0..<100 { object["k\(i)"] = .integer(i) }
    #expect(object.count == 100)
    #expect(object["k57"] == 57)
    object["k57"] = "changed"
    #expect(object["k57"] == "changed")
    #expect(object.removeValue(forKey: "k10") == 10)
    #expect(object["k11"] == 11)
    #expect(object["k10"] == nil)
    #expect(object.keys.count == 99)
    #expect(object.keys[10] == "k11")
    object["k10"] = 0
    #expect(object.keys.last == "k10")
  }
}

// MARK: - Parsing valid documents

@Suite("JSON parser: valid documents")
struct JSONParserValidTests {
  @Test("parses every kind of scalar")
  func scalars() throws {
    #expect(try JSONParser.parse("null") == .null)
    #expect(try JSONParser.parse("true") == .bool(true))
    #expect(try JSONParser.parse("false") == .bool(false))
    #expect(try JSONParser.parse("42") == .integer(42))
    #expect(try JSONParser.parse("-7") == .integer(-7))
    #expect(try JSONParser.parse("\"hi\"") == .string("hi"))
    #expect(try JSONParser.parse(" 2.5 ") == .real(2.5))
  }

  @Test("a number without '.', 'e' or 'E' that fits Int is an integer, otherwise a real")
  func integerOrReal() throws {
    #expect(try JSONParser.parse("1") == .integer(1))
    #expect(try JSONParser.parse("1.0") == .real(1))
    #expect(try JSONParser.parse("1e2") == .real(100))
    #expect(try JSONParser.parse("1E2") == .real(100))
    #expect(try JSONParser.parse("-0") == .integer(0))
    #expect(try JSONParser.parse("9223372036854775807") == .integer(.max))
    #expect(try JSONParser.parse("-9223372036854775808") == .integer(.min))
    #expect(try JSONParser.parse("9223372036854775808") == .real(9_223_372_036_854_775_808))
    #expect(try JSONParser.parse("-9223372036854775809") == .real(-9.223372036854775808e18))
    #expect(try JSONParser.parse("123456789012345678901234567890") == .real(1.2345678901234568e29))
  }

  @Test("reals are parsed exactly")
  func exactReals() throws {
    #expect(try JSONParser.parse("0.1") == .real(0.1))
    #expect(try JSONParser.parse("2.2250738585072014e-308") == .real(2.2250738585072014e-308))
    #expect(try JSONParser.parse("1.7976931348623157e308") == .real(.greatestFiniteMagnitude))
    #expect(try JSONParser.parse("4.9e-324") == .real(.leastNonzeroMagnitude))
    #expect(try JSONParser.parse("-1.5e-3") == .real(-0.0015))
    #expect(try JSONParser.parse("1e-400") == .real(0))
  }

  @Test("objects keep their keys in document order")
  func objectOrder() throws {
    let value = try JSONParser.parse(#"{"zeta": 1, "alpha": [true, null], "mid": {"x": "y"}}"#)
    guard case .object(let object) = value else {
      Issue.record("expected an object")
      return
    }
    #expect(object.keys == ["zeta", "alpha", "mid"])
    #expect(object["alpha"] == [true, nil])
    #expect(object["mid"] == ["x": "y"])
  }

  @Test("empty containers and nested containers")
  func containers() throws {
    #expect(try JSONParser.parse("[]") == .array([]))
    #expect(try JSONParser.parse("{}") == .object([:]))
    #expect(try JSONParser.parse("[ ]") == .array([]))
    #expect(try JSONParser.parse("{ \n }") == .object([:]))
    #expect(try JSONParser.parse("[[], {}, [[1]]]") == [[], [:], [[1]]])
  }

  @Test("line and block comments are allowed wherever whitespace is")
  func comments() throws {
    let text = """
      // leading comment
      /* block */ { // after brace
        "a" /* before colon */ : /* after colon */ 1, // after comma
        "b": [ /* in array */ 2 /* after element */, 3 ] /* before brace */
      } // trailing
      /* multi
         line */
      """
    #expect(try JSONParser.parse(text) == ["a": 1, "b": [2, 3]])
    #expect(try JSONParser.parse("1//") == 1)
    #expect(try JSONParser.parse("/**/1/***/") == 1)
  }

  @Test("a leading byte order mark is ignored")
  func byteOrderMark() throws {
    #expect(try JSONParser.parse("\u{FEFF}{\"a\": 1}") == ["a": 1])
  }

  @Test("all simple escapes decode")
  func simpleEscapes() throws {
    #expect(try JSONParser.parse(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{8} \u{C} \n \r \t"))
  }

  @Test("\\u escapes decode, including surrogate pairs and NUL")
  func unicodeEscapes() throws {
    #expect(try JSONParser.parse(#""\u00e9\u00E9""#) == .string("éé"))
    #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    #expect(try JSONParser.parse(#""a\u0000b""#) == .string("a\u{0}b"))
    #expect(try JSONParser.parse(#""\u20AC""#) == .string("€"))
    #expect(try JSONParser.parse(#""x\uDBFF\uDFFFy""#) == .string("x\u{10FFFF}y"))
  }

  @Test("non-ASCII text is kept as is, in strings and keys")
  func nonASCII() throws {
    #expect(try JSONParser.parse(#"{"température": "¼ — 😀"}"#) == ["température": "¼ — 😀"])
  }

  @Test("CRLF line ends are whitespace")
  func crlf() throws {
    #expect(try JSONParser.parse("{\r\n  \"a\": 1\r\n}\r\n") == ["a": 1])
  }

  @Test("nesting up to 256 levels is accepted")
  func maximumDepth() {
    let text = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
    #expect(syntaxError(text) == nil)
    let objects = String(repeating: "{\"a\":", count: 255) + "[]" + String(repeating: "}", count: 255)
    #expect(syntaxError(objects) == nil)
  }

  @Test("a multi-megabyte document parses")
  func largeDocument() throws {
    var text = "["
    for i in 0..<40_000 {
      if i > 0 { text += ",\n" }
      text += #"{"id": \#(i), "x": \#(Double(i) * 0.25), "name": "point \#(i)", "tags": [true, null]}"#
    }
    text += "]"
    #expect(text.utf8.count > 2_000_000)
    let value = try JSONParser.parse(text)
    guard case .array(let elements) = value else {
      Issue.record("expected an array")
      return
    }
    #expect(elements.count == 40_000)
    #expect(elements[39_999] == ["id": 39_999, "x": 9999.75, "name": "point 39999", "tags": [true, nil]])
  }
}

// MARK: - Errors

@Suite("JSON parser: errors name their line and column")
struct JSONParserErrorTests {
  @Test("error description is 'line L, column C: message'")
  func descriptionFormat() {
    let error = JSONSyntaxError(line: 3, column: 14, message: "expected ',' or '}' after an object member, found '\"'")
    #expect(error.description == "line 3, column 14: expected ',' or '}' after an object member, found '\"'")
  }

  @Test("trailing comma names its line and column")
  func trailingCommaInObject() {
    expectSyntaxError("{\n  \"a\": 1,\n}", line: 2, column: 9, "trailing comma before '}' — remove it")
  }

  @Test("trailing comma in an array")
  func trailingCommaInArray() {
    expectSyntaxError("[1, 2, ]", line: 1, column: 6, "trailing comma before ']' — remove it")
    expectSyntaxError("[1,\n// comment\n]", line: 1, column: 3, "trailing comma before ']' — remove it")
  }

  @Test("missing comma between object members")
  func missingCommaInObject() {
    let text = "{\n  \"a\": 1\n  \"b\": 2\n}"
    expectSyntaxError(text, line: 3, column: 3, "expected ',' or '}' after an object member, found '\"'")
    #expect(
      syntaxError(text)?.description == "line 3, column 3: expected ',' or '}' after an object member, found '\"'")
  }

  @Test("missing comma between array elements")
  func missingCommaInArray() {
    expectSyntaxError("[1 2]", line: 1, column: 4, "expected ',' or ']' after an array element, found '2'")
    expectSyntaxError("[1, true false]", line: 1, column: 10, "expected ',' or ']' after an array element, found 'false'")
  }

  @Test("single-quoted strings are rejected at the quote")
  func singleQuotes() {
    expectSyntaxError("{'a': 1}", line: 1, column: 2, "strings must use double quotes (\"), not single quotes (')")
    expectSyntaxError("{\"a\": 'x'}", line: 1, column: 7, "strings must use double quotes (\"), not single quotes (')")
  }

  @Test("unquoted keys are rejected with the quoted spelling")
  func unquotedKeys() {
    expectSyntaxError("{name: 1}", line: 1, column: 2, "object keys must be in double quotes: write \"name\" instead of name")
    expectSyntaxError(
      "{\"a\": 1,\n  b_2: 2}", line: 2, column: 3, "object keys must be in double quotes: write \"b_2\" instead of b_2")
  }

  @Test("other bad keys and a missing colon")
  func badKeys() {
    expectSyntaxError("{1: 2}", line: 1, column: 2, "expected a key in double quotes or '}', found '1'")
    expectSyntaxError("{\"a\": 1, ,}", line: 1, column: 10, "expected a key in double quotes, found ','")
    expectSyntaxError("{\"a\" 1}", line: 1, column: 6, "expected ':' after the key \"a\", found '1'")
  }

  @Test("unterminated string is reported at its opening quote")
  func unterminatedString() {
    let message = "unterminated string: no closing '\"' before the end of the line (write line breaks as \\n)"
    expectSyntaxError("{\"a\": \"abc\n}", line: 1, column: 7, message)
    expectSyntaxError("  \"abc", line: 1, column: 3, message)
    expectSyntaxError("[\"a\\", line: 1, column: 2, message)
    expectSyntaxError("[1,\n \"x\\\ny\"]", line: 2, column: 2, message)
  }

  @Test("invalid escape is reported at the backslash")
  func invalidEscape() {
    let error = syntaxError(#"{"path": "C:\Users"}"#)
    #expect(error?.line == 1)
    #expect(error?.column == 13)
    #expect(
      error?.message
        == #"invalid escape '\U' in string; write '\\' for a backslash (valid escapes: \" \\ \/ \b \f \n \r \t \uXXXX)"#
    )
    #expect(syntaxError(#""\é""#)?.message.hasPrefix("invalid escape '\\é'") == true)
  }

  @Test("malformed \\u escape")
  func malformedUnicodeEscape() {
    expectSyntaxError(#""ab\u12G4""#, line: 1, column: 4, #"invalid \u escape: expected 4 hex digits after \u"#)
    expectSyntaxError(#""\u12"#, line: 1, column: 2, #"invalid \u escape: expected 4 hex digits after \u"#)
  }

  @Test("lone surrogates are rejected")
  func loneSurrogates() {
    expectSyntaxError(
      #""\ud800""#, line: 1, column: 2,
      #"unpaired surrogate \uD800 in string (a high surrogate must be followed by a \uDC00-\uDFFF escape)"#)
    expectSyntaxError(
      #""x\ud800\u0041""#, line: 1, column: 3,
      #"unpaired surrogate \uD800 in string (a high surrogate must be followed by a \uDC00-\uDFFF escape)"#)
    expectSyntaxError(
      #""\uDC00""#, line: 1, column: 2, #"unpaired surrogate \uDC00 in string (a low surrogate must follow a high one)"#)
  }

  @Test("raw control characters in strings are rejected at the character")
  func controlCharacters() {
    expectSyntaxError("\"a\tb\"", line: 1, column: 3, "control character U+0009 in string; write it as \\t")
    expectSyntaxError("\"a\u{1}b\"", line: 1, column: 3, "control character U+0001 in string; write it as \\u0001")
  }

  @Test("duplicate key names where the first one was")
  func duplicateKey() {
    expectSyntaxError("{\n  \"x\": 1,\n  \"y\": 2,\n  \"x\": 3\n}", line: 4, column: 3, "duplicate key 'x' (first at line 2)")
  }

  @Test("duplicate key in a large object")
  func duplicateKeyInLargeObject() {
    var text = "{\n"
    for i in 0..<40 { text += "  \"k\(i)\": \(i),\n" }
    text += "  \"k7\": 0\n}"
    expectSyntaxError(text, line: 42, column: 3, "duplicate key 'k7' (first at line 9)")
  }

  @Test("the same key in different objects is fine")
  func sameKeyInSiblings() throws {
    _ = try JSONParser.parse(#"[{"a": 1}, {"a": 2}, {"a": {"a": 3}}]"#)
  }

  @Test("empty input")
  func emptyInput() {
    expectSyntaxError("", line: 1, column: 1, "empty input; expected a JSON value")
    expectSyntaxError("  \n // only a comment\n", line: 3, column: 1, "empty input; expected a JSON value")
  }

  @Test("text after the value")
  func textAfterValue() {
    expectSyntaxError(
      "{} x", line: 1, column: 4, "unexpected 'x' after the JSON value; a document holds exactly one value")
    expectSyntaxError(
      "{\"a\": 1}\n{\"b\": 2}", line: 2, column: 1,
      "unexpected '{' after the JSON value; a document holds exactly one value")
    expectSyntaxError("1 2", line: 1, column: 3, "unexpected '2' after the JSON value; a document holds exactly one value")
  }

  @Test("NaN and infinities are not JSON numbers")
  func nonFiniteLiterals() {
    expectSyntaxError("{\"a\": NaN}", line: 1, column: 7, "NaN is not a JSON number; write a finite number")
    expectSyntaxError("[Infinity]", line: 1, column: 2, "Infinity is not a JSON number; write a finite number")
    expectSyntaxError("[1, -Infinity]", line: 1, column: 5, "-Infinity is not a JSON number; write a finite number")
    expectSyntaxError("[+Infinity]", line: 1, column: 2, "+Infinity is not a JSON number; write a finite number")
    expectSyntaxError("nan", line: 1, column: 1, "nan is not a JSON number; write a finite number")
  }

  @Test("numbers that overflow a double are out of range")
  func outOfRange() {
    expectSyntaxError("[1e999]", line: 1, column: 2, "number out of range: '1e999' is too large for a double")
    expectSyntaxError("\n  -1.5E+400", line: 2, column: 3, "number out of range: '-1.5E+400' is too large for a double")
  }

  @Test("leading zeros are rejected")
  func leadingZeros() {
    expectSyntaxError("[007]", line: 1, column: 2, "leading zeros are not allowed in numbers: '007'")
    expectSyntaxError("-01", line: 1, column: 1, "leading zeros are not allowed in numbers: '-01'")
  }

  @Test("other malformed numbers")
  func malformedNumbers() {
    expectSyntaxError("[1.]", line: 1, column: 2, "expected a digit after the decimal point in '1.'")
    expectSyntaxError("[1e]", line: 1, column: 2, "expected a digit in the exponent of '1e'")
    expectSyntaxError("[1e+]", line: 1, column: 2, "expected a digit in the exponent of '1e+'")
    expectSyntaxError("[-]", line: 1, column: 2, "expected a digit after '-'")
    expectSyntaxError("[+1]", line: 1, column: 2, "numbers must not start with '+'; remove it")
    expectSyntaxError("[.5]", line: 1, column: 2, "numbers must start with a digit: write 0.5 instead")
    expectSyntaxError("[0x10]", line: 1, column: 3, "expected ',' or ']' after an array element, found 'x10'")
  }

  @Test("misspelled literals get a suggestion; bare words are told to use quotes")
  func words() {
    expectSyntaxError("[tru]", line: 1, column: 2, "unknown literal 'tru' (did you mean 'true'?)")
    expectSyntaxError("True", line: 1, column: 1, "unknown literal 'True' (did you mean 'true'?)")
    expectSyntaxError("{\"a\": nul}", line: 1, column: 7, "unknown literal 'nul' (did you mean 'null'?)")
    expectSyntaxError(
      "{\"mode\": fast}", line: 1, column: 10, "unexpected word 'fast'; strings must be in double quotes")
  }

  @Test("an unterminated block comment is reported at its start")
  func unterminatedBlockComment() {
    expectSyntaxError("{\n  \"a\": 1 /* note\n}", line: 2, column: 10, "unterminated block comment (no closing '*/')")
    expectSyntaxError("/*", line: 1, column: 1, "unterminated block comment (no closing '*/')")
  }

  @Test("a lone slash is not a comment")
  func loneSlash() {
    expectSyntaxError("[1, / 2]", line: 1, column: 5, "unexpected '/'; comments start with '//' or '/*'")
  }

  @Test("input ending inside a container names the unclosed bracket")
  func unclosedContainer() {
    expectSyntaxError(
      "{\"a\": 1", line: 1, column: 8,
      "expected ',' or '}' after an object member, found end of input (the '{' at line 1, column 1 is not closed)")
    expectSyntaxError(
      "{\"a\": [1,\n  2", line: 2, column: 4,
      "expected ',' or ']' after an array element, found end of input (the '[' at line 1, column 7 is not closed)")
    expectSyntaxError(
      "[1,", line: 1, column: 4, "expected a value, found end of input (the '[' at line 1, column 1 is not closed)")
    expectSyntaxError(
      "{\"a\":", line: 1, column: 6, "expected a value, found end of input (the '{' at line 1, column 1 is not closed)")
  }

  @Test("a closing bracket of the wrong kind names the unclosed one")
  func mismatchedBrackets() {
    expectSyntaxError(
      "{\"a\": [1, 2}", line: 1, column: 12,
      "expected ',' or ']' after an array element, found '}' (the '[' at line 1, column 7 is not closed)")
    expectSyntaxError(
      "[{\"a\": 1]", line: 1, column: 9,
      "expected ',' or '}' after an object member, found ']' (the '{' at line 1, column 2 is not closed)")
  }

  @Test("a byte order mark does not count as a column")
  func byteOrderMarkColumns() {
    expectSyntaxError("\u{FEFF}[1 2]", line: 1, column: 4, "expected ',' or ']' after an array element, found '2'")
  }

  @Test("a missing value names what was found instead")
  func missingValue() {
    expectSyntaxError("{\"a\": }", line: 1, column: 7, "expected a value, found '}'")
    expectSyntaxError("[,1]", line: 1, column: 2, "expected a value, found ','")
    expectSyntaxError("[1,,2]", line: 1, column: 4, "expected a value, found ','")
  }

  @Test("columns count characters, not bytes")
  func columnsCountCharacters() {
    expectSyntaxError("{\"é\": 1 \"b\": 2}", line: 1, column: 9, "expected ',' or '}' after an object member, found '\"'")
    expectSyntaxError("[\"😀\" 1]", line: 1, column: 6, "expected ',' or ']' after an array element, found '1'")
  }

  @Test("CRLF counts as one line break")
  func crlfPositions() {
    expectSyntaxError("{\r\n  \"a\": 1,\r\n}", line: 2, column: 9, "trailing comma before '}' — remove it")
  }

  @Test("stray non-ASCII characters are shown with their code point")
  func strayNonASCII() {
    expectSyntaxError("[1,\u{A0}2]", line: 1, column: 4, "expected a value, found '\u{A0}' (U+00A0)")
  }

  @Test("nesting deeper than 256 levels is an error, not a crash")
  func tooDeep() {
    let text = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
    expectSyntaxError(text, line: 1, column: 257, "nesting deeper than 256 levels")
    let huge = String(repeating: "[", count: 200_000)
    expectSyntaxError(huge, line: 1, column: 257, "nesting deeper than 256 levels")
    let objects = String(repeating: "{\"a\": ", count: 300)
    expectSyntaxError(objects, line: 1, column: 256 * 6 + 1, "nesting deeper than 256 levels")
  }
}

// MARK: - Writing

@Suite("JSON writer")
struct JSONWriterTests {
  @Test("pretty output: 2-space indent, stored key order, scalar arrays on one line")
  func prettyLayout() {
    let value: ConfigValue = [
      "name": "beam",
      "size": [1.0, 2.0, 3.0],
      "empty": [],
      "none": [:],
      "parts": [["id": 1, "on": true], ["id": 2, "on": nil]],
      "nested": ["deep": ["x": -0.5]],
    ]
    let expected = """
      {
        "name": "beam",
        "size": [1.0, 2.0, 3.0],
        "empty": [],
        "none": {},
        "parts": [
          {
            "id": 1,
            "on": true
          },
          {
            "id": 2,
            "on": null
          }
        ],
        "nested": {
          "deep": {
            "x": -0.5
          }
        }
      }
      """
    #expect(value.jsonText() == expected)
  }

  @Test("compact output has no whitespace")
  func compact() {
    let value: ConfigValue = ["a": [1, 2.5, "x"], "b": ["c": nil]]
    #expect(value.jsonText(pretty: false) == #"{"a":[1,2.5,"x"],"b":{"c":null}}"#)
  }

  @Test("scalars and empty containers at top level")
  func topLevel() {
    #expect(ConfigValue.null.jsonText() == "null")
    #expect(ConfigValue.bool(false).jsonText() == "false")
    #expect(ConfigValue.integer(-12).jsonText() == "-12")
    #expect(ConfigValue.array([]).jsonText() == "[]")
    #expect(ConfigValue.object([:]).jsonText() == "{}")
  }

  @Test("arrays holding long strings or containers go one element per line")
  func multiLineArrays() {
    let long = String(repeating: "x", count: 41)
    let value: ConfigValue = [.string(long), 1]
    #expect(value.jsonText() == "[\n  \"\(long)\",\n  1\n]")
    let short: ConfigValue = ["ab", nil, false, 2]
    #expect(short.jsonText() == #"["ab", null, false, 2]"#)
    let mixed: ConfigValue = [1, [2]]
    #expect(mixed.jsonText() == "[\n  1,\n  [2]\n]")
  }

  @Test("reals use the shortest round-trip form and always read back as reals")
  func reals() throws {
    #expect(ConfigValue.real(1.0).jsonText() == "1.0")
    #expect(ConfigValue.real(1e-5).jsonText() == "1e-05")
    #expect(ConfigValue.real(1e16).jsonText() == "1e+16")
    #expect(ConfigValue.real(0.1).jsonText() == "0.1")
    #expect(ConfigValue.real(-0.0).jsonText() == "-0.0")
    #expect(ConfigValue.real(123456789.0).jsonText() == "123456789.0")
    #expect(ConfigValue.real(.leastNonzeroMagnitude).jsonText() == "5e-324")
    for value in [1.0, 1e-5, 1e16, 1e300, -2.0, 9.007199254740993e15] {
      #expect(try JSONParser.parse(ConfigValue.real(value).jsonText()) == .real(value))
    }
  }

  @Test("non-finite reals are written as null")
  func nonFinite() {
    let value: ConfigValue = [.real(.nan), .real(.infinity), .real(-.infinity)]
    #expect(value.jsonText() == "[null, null, null]")
  }

  @Test("strings escape quotes, backslashes and control characters, and keep other text")
  func stringEscapes() {
    let value = ConfigValue.string("q\"b\\n\nr\rt\tb\u{8}f\u{C}z\u{0}e\u{1F}é😀/")
    #expect(value.jsonText() == #""q\"b\\n\nr\rt\tb\bf\fz\u0000e\u001fé😀/""#)
    let key: ConfigValue = ["a\"b": 1]
    #expect(key.jsonText(pretty: false) == #"{"a\"b":1}"#)
  }

  @Test("round trip: parse(v.jsonText(pretty:)) == v for random nested values")
  func roundTrip() throws {
    var generator = SplitMix64(seed: 0x5EED)
    for _ in 0..<1500 {
      let value = randomValue(depth: 0, using: &generator)
      for pretty in [true, false] {
        let text = value.jsonText(pretty: pretty)
        let back = try JSONParser.parse(text)
        #expect(back == value, "\(text)")
        if back != value { return }
      }
    }
  }

  private func randomValue(depth: Int, using generator: inout SplitMix64) -> ConfigValue {
    let kind = Int.random(in: 0..<(depth < 4 ? 9 : 6), using: &generator)
    switch kind {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &generator))
    case 2:
      let special: [Int] = [0, 1, -1, .max, .min, 1 << 53]
      return Bool.random(using: &generator)
        ? .integer(special.randomElement(using: &generator)!)
        : .integer(Int.random(in: -1_000_000...1_000_000, using: &generator))
    case 3:
      let special: [Double] = [0, -0.0, 1, 0.1, 1e16, 1e-5, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e22, 123.456]
      if Bool.random(using: &generator) { return .real(special.randomElement(using: &generator)!) }
      while true {
        let bits = Double(bitPattern: generator.next())
        if bits.isFinite { return .real(bits) }
      }
    case 4: return .real(Double(Int.random(in: -1000...1000, using: &generator)) / 8)
    case 5: return .string(randomString(using: &generator))
    case 6, 7:
      let count = Int.random(in: 0...4, using: &generator)
      return .array((0..<count).map { _ in randomValue(depth: depth + 1, using: &generator) })
    default:
      var object = ConfigObject()
      for _ in 0..<Int.random(in: 0...4, using: &generator) {
        object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
      }
      return .object(object)
    }
  }

  private func randomString(using generator: inout SplitMix64) -> String {
    let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "€", "😀", "\u{7F}", "\u{2028}", "//", "/*"]
    let length = Int.random(in: 0...(Bool.random(using: &generator) ? 6 : 50), using: &generator)
    return (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
  }
}

// MARK: - Fuzzing

@Suite("JSON parser: fuzzing")
struct JSONParserFuzzTests {
  static let seeds = [
    """
    // settings
    {
      "name": "b\\u00e9\\ud83d\\ude00\\t\\"",
      "steps": 120, "tol": 1e-9, /* c */ "x": -0.25,
      "parts": [{"id": 1, "on": true}, null]
    }
    """,
    #"[1, -2.5e+3, "x", [], {}, [[[]]], {"a": {"b": false}}, 0]"#,
    "{\"é\": \"ü😀\", \"n\": 12345678901234567890}",
  ]

  @Test("20,000 random mutations never crash and every error has a valid position")
  func mutations() throws {
    #expect(Self.seeds.allSatisfy { (try? JSONParser.parse($0)) != nil })
    var generator = SplitMix64(seed: 42)
    let documents = Self.seeds.map { Array($0.utf8) }
    let alphabet = Array(#"{}[]:,"\/*-+.0123456789eE tfnu'x"#.utf8) + [0x0A, 0x00, 0xC3, 0xA9, 0xFF]
    var failures = 0
    var accepted = 0
    for _ in 0..<20_000 {
      var bytes = documents.randomElement(using: &generator)!
      for _ in 0..<Int.random(in: 1...3, using: &generator) {
        mutate(&bytes, alphabet: alphabet, using: &generator)
      }
      let text = String(decoding: bytes, as: UTF8.self)
      do {
        let value = try JSONParser.parse(text)
        accepted += 1
        // Whatever parses must also survive a write/parse round trip.
        if (try? JSONParser.parse(value.jsonText())) != value { failures += 1 }
      } catch {
        if error.line < 1 || error.column < 1 || error.message.isEmpty { failures += 1 }
        if error.line > 1, error.line > bytes.lazy.filter({ $0 == 0x0A }).count + 1 { failures += 1 }
      }
    }
    #expect(failures == 0)
    #expect(accepted > 0)
  }

  private func mutate(_ bytes: inout [UInt8], alphabet: [UInt8], using generator: inout SplitMix64) {
    guard !bytes.isEmpty else {
      bytes.append(alphabet.randomElement(using: &generator)!)
      return
    }
    let i = Int.random(in: 0..<bytes.count, using: &generator)
    switch Int.random(in: 0..<6, using: &generator) {
    case 0: bytes.remove(at: i)
    case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: i)
    case 2: bytes.insert(bytes[i], at: i)
    case 3:
      let j = Int.random(in: 0..<bytes.count, using: &generator)
      bytes.swapAt(i, j)
    case 4: bytes.removeSubrange(i...)
    default: bytes[i] = alphabet.randomElement(using: &generator)!
    }
  }
}
