import Foundation
import SolverAPI

/// A self-contained HTML report page (inline style, no scripts, no external resources except the images it shows).
/// Written XHTML-style (every element closed, only XML's predefined entities), so it also parses as XML.
public enum ReportPage {
  /// A page with `title`, `subtitle` (omitted when empty), a table of `tableHeader` and `tableRows` (omitted when both
  /// are empty; short rows are padded; `code` spans in cells are shown as code; numeric columns are right-aligned),
  /// and each image file (a path relative to the page, e.g. an SVG written by `LinePlot`) shown with its caption.
  public static func html(
    title: String, subtitle: String, tableHeader: [String], tableRows: [[String]],
    images: [(file: String, caption: String)]
  ) -> String {
    var out = """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
      <head>
      <meta charset="utf-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <title>\(escape(title))</title>
      <style>
      body { font-family: Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #222222;
        max-width: 64em; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
      h1 { font-size: 1.6em; margin: 0 0 0.2em 0; }
      p.subtitle { color: #555555; margin: 0 0 1.5em 0; }
      table { border-collapse: collapse; margin: 1em 0 2em 0; font-size: 0.92em; }
      th, td { padding: 0.35em 0.9em; text-align: left; border-bottom: 1px solid #dddddd; vertical-align: top; }
      th { border-bottom: 2px solid #999999; font-weight: 600; }
      th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
      tbody tr:nth-child(even) { background: #f6f6f6; }
      code { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
      figure { margin: 2em 0; }
      figure img { display: block; max-width: 100%; height: auto; }
      figcaption { color: #444444; font-size: 0.92em; margin-top: 0.5em; }
      </style>
      </head>
      <body>
      <h1>\(escape(title))</h1>

      """
    if !subtitle.isEmpty { out += "<p class=\"subtitle\">\(escape(subtitle))</p>\n" }

    let columns = max(tableHeader.count, tableRows.map(\.count).max() ?? 0)
    if columns > 0 {
      let rows = tableRows.map { $0 + Array(repeating: "", count: columns - $0.count) }
      let numeric = (0..<columns).map { c in isNumericColumn(rows.map { $0[c] }) }
      out += "<table>\n"
      if !tableHeader.isEmpty {
        let header = tableHeader + Array(repeating: "", count: columns - tableHeader.count)
        out += "<thead><tr>"
        for (c, cell) in header.enumerated() { out += "<th\(numeric[c] ? " class=\"num\"" : "")>\(inline(cell))</th>" }
        out += "</tr></thead>\n"
      }
      out += "<tbody>\n"
      for row in rows {
        out += "<tr>"
        for (c, cell) in row.enumerated() { out += "<td\(numeric[c] ? " class=\"num\"" : "")>\(inline(cell))</td>" }
        out += "</tr>\n"
      }
      out += "</tbody>\n</table>\n"
    }

    for image in images {
      let src = image.file.addingPercentEncoding(withAllowedCharacters: pathCharacters) ?? image.file
      out += """
        <figure>
        <img src="\(escape(src))" alt="\(escape(image.caption))"/>
        <figcaption>\(inline(image.caption))</figcaption>
        </figure>

        """
    }
    out += "</body>\n</html>\n"
    return out
  }

  /// Characters left as they are in an image path (RFC 3986 unreserved and sub-delimiters, and "/").
  static let pathCharacters = CharacterSet(
    charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/!$&'()*+,;=:@")

  /// Text escaped for XML content and attribute values; characters XML 1.0 does not allow are dropped.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\t", "\n", "\r": out.unicodeScalars.append(c)
      default:
        let v = c.value
        if v < 0x20 || (0xFFFE...0xFFFF).contains(v) { continue }
        out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// Escaped text with Markdown `code` spans as <code> (an unmatched backtick stays literal).
  static func inline(_ text: String) -> String {
    let parts = text.split(separator: "`", omittingEmptySubsequences: false).map(String.init)
    guard parts.count >= 3 else { return escape(text) }
    var out = ""
    let closed = parts.count % 2 == 1 ? parts.count : parts.count - 1
    for (i, part) in parts.enumerated() {
      if i >= closed {
        out += "`" + escape(part)
      } else if i % 2 == 1 {
        out += "<code>\(escape(part))</code>"
      } else {
        out += escape(part)
      }
    }
    return out
  }

  /// A column is numeric when every cell that is not empty or a placeholder ("-", "—", "n/a", "nan", "inf") is a
  /// number, optionally with a "± spread" or a trailing "%", and at least one is.
  static func isNumericColumn(_ cells: [String]) -> Bool {
    var any = false
    for raw in cells {
      let cell = raw.trimmingCharacters(in: .whitespaces)
      if cell.isEmpty || ["-", "—", "–", "n/a", "na", "nan", "inf", "-inf"].contains(cell.lowercased()) { continue }
      guard isNumber(cell) else { return false }
      any = true
    }
    return any
  }

  static func isNumber(_ cell: String) -> Bool {
    var s = cell
    if s.hasSuffix("%") { s.removeLast() }
    let parts = s.components(separatedBy: "±").map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count <= 2 else { return false }
    return parts.allSatisfy { Double($0.replacingOccurrences(of: ",", with: "")) != nil }
  }
}
