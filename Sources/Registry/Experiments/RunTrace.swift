import Formats
import Foundation
import SolverAPI

/// A finished (or stopped) run read back from its folder: the trace, the wall-clock times and the
/// summary — what `compare` and `plot` work from.
public struct RunTrace {
  public let directory: String
  public let columns: [String]
  /// Rows in column order; empty cells (not computed at that step) read as NaN.
  public let rows: [[Double]]
  /// Wall-clock seconds at each row (from timing.csv), when present.
  public let wallSeconds: [Double]
  public let summary: ConfigValue?

  public init(directory: String) throws {
    self.directory = directory
    let traceFile = URL(fileURLWithPath: directory).appendingPathComponent("trace.csv").path
    guard let text = try? String(contentsOfFile: traceFile, encoding: .utf8) else {
      throw ConfigError(file: traceFile, path: "", "no trace here", fix: "give a run folder written by `mfld run`")
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    guard let header = lines.first else { throw ConfigError(file: traceFile, path: "", "the trace is empty") }
    columns = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    rows = lines.dropFirst().map { line in
      line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan }
    }
    let timingFile = URL(fileURLWithPath: directory).appendingPathComponent("timing.csv").path
    if let t = try? String(contentsOfFile: timingFile, encoding: .utf8) {
      wallSeconds = t.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
    } else {
      wallSeconds = []
    }
    let summaryFile = URL(fileURLWithPath: directory).appendingPathComponent("summary.json").path
    summary = (try? String(contentsOfFile: summaryFile, encoding: .utf8)).flatMap { try? JSONParser.parse($0) }
  }

  /// The values of a recorded column, or nil when this run did not record it (variants of a comparison
  /// may record different quantities).
  public func recorded(_ name: String) -> [Double]? {
    guard let k = columns.firstIndex(of: name) else { return nil }
    return rows.map { k < $0.count ? $0[k] : .nan }
  }

  /// The values of a column the run must have recorded; an error naming the recorded ones otherwise.
  public func column(_ name: String) throws -> [Double] {
    guard let values = recorded(name) else { throw MissingColumn(name: name, recorded: columns) }
    return values
  }

  /// The quantities worth plotting: every column but step and time, and the schedules only when they vary.
  public var quantities: [String] {
    columns.filter { name in
      if name == "step" || name == "time" { return false }
      if name == "temperature" || name == "step_size" {
        return Set(recorded(name) ?? []).count > 1
      }
      return true
    }
  }

  /// The run's primary figure: G_lambda for signed runs, else the objective.
  public var primary: String { columns.contains("G_lambda") ? "G_lambda" : "objective" }
}
