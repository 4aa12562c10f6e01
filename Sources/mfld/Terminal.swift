import Foundation
#if canImport(Glibc)
import Glibc
import MFLD
#endif

/// Output helpers: stderr, and a progress line that rewrites itself on a terminal.
enum Terminal {
  static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

  /// One line, whatever the message holds: control characters (a newline in a key, a NUL in a CSV cell, a
  /// plugin's multi-line message) are shown escaped, never printed.
  static func error(_ message: String) {
    FileHandle.standardError.write(Data(("mfld: error: " + escaped(message) + "\n").utf8))
  }

  static func escaped(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
      switch u {
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\0": out += "\\0"
      default: out += u.properties.generalCategory == .control ? "\\u{" + String(u.value, radix: 16) + "}" : String(u)
      }
    }
    return out
  }

  static func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }

  /// `step 1200/4000  30%  3,210 steps/s  F = 0.12345  left 0:01`, rewritten in place.
  static func progressLine(_ p: RunProgress) -> String {
    let rate = p.elapsed > 0 ? Double(p.step) / p.elapsed : 0
    let left = rate > 0 ? Double(p.lastStep - p.step) / rate : 0
    let percent = p.lastStep > 0 ? 100 * p.step / p.lastStep : 100
    return "\r\u{1B}[2Kstep \(p.step)/\(p.lastStep)  \(percent)%  \(Int(rate)) steps/s  F = "
      + String(format: "%.6g", p.objective) + "  left " + clock(left)
  }

  /// A progress line for a log: `2026-12-06T03:50:01Z step 1200/4000 30% 3210 steps/s F = 0.12345 left 0:01`.
  /// The rate counts the steps of this process (`startStep` on), so a resumed run reports its own.
  static func logLine(_ p: RunProgress, startStep: Int) -> String {
    let rate = p.elapsed > 0 ? Double(p.step - startStep) / p.elapsed : 0
    let left = rate > 0 ? Double(p.lastStep - p.step) / rate : 0
    let percent = p.lastStep > 0 ? 100 * p.step / p.lastStep : 100
    let stamp = ISO8601DateFormatter().string(from: Date())
    return "\(stamp) step \(p.step)/\(p.lastStep) \(percent)% \(Int(rate)) steps/s F = " + String(format: "%.6g", p.objective)
      + " left " + clock(left)
  }

  static func flushStandardOutput() { fflush(stdout) }

  static func clearLine() { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }

  static func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}


