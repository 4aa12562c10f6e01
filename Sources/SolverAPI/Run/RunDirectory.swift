import Foundation

/// The files of one run, each written atomically (to a temporary name, then renamed):
///
///     config.json     the resolved config, every default filled in: running it again reproduces the run
///     trace.csv       one row per recorded step (deterministic: same config → same bytes)
///     timing.csv      wall-clock seconds at each recorded step (kept apart so trace.csv stays exact)
///     summary.json    status, final values, timing
///     particles.csv   the final cloud
public final class RunDirectory: TraceSink {
  public let url: URL
  private var trace: FileHandle?
  private var timing: FileHandle?
  private var traceBuffer = ""
  private var timingBuffer = ""

  /// Creates (or reuses) the folder.
  public init(path: String) throws {
    url = URL(fileURLWithPath: path)
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw RunError(.io, "cannot create the output folder '\(path)': \(Self.reason(error))")
    }
  }

  public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

  /// Writes `text` to `name` atomically.
  public func write(_ name: String, _ text: String) throws {
    do {
      try Data(text.utf8).write(to: file(name), options: .atomic)
    } catch {
      throw RunError(.io, "cannot write '\(file(name).path)': \(Self.reason(error))")
    }
  }

  public func begin(columns: [String]) throws {
    trace = try open("trace.csv.partial")
    timing = try open("timing.csv.partial")
    traceBuffer = columns.joined(separator: ",") + "\n"
    timingBuffer = "step,wall_seconds\n"
  }

  public func record(_ row: [Double], wallSeconds: Double) throws {
    traceBuffer += row.map { $0.isNaN ? "" : CSVFormat.number($0) }.joined(separator: ",") + "\n"
    timingBuffer += CSVFormat.number(row[0]) + "," + String(format: "%.6f", wallSeconds) + "\n"
    if traceBuffer.utf8.count > 1 << 16 { try flush() }
  }

  /// Writes buffered rows to the partial files.
  public func flush() throws {
    do {
      try trace?.write(contentsOf: Data(traceBuffer.utf8))
      try timing?.write(contentsOf: Data(timingBuffer.utf8))
    } catch {
      throw RunError(.io, "cannot write the trace in '\(url.path)': \(Self.reason(error))")
    }
    traceBuffer = ""
    timingBuffer = ""
  }

  /// Completes trace.csv and timing.csv (renaming the partial files into place).
  public func finishTrace() throws {
    try flush()
    try trace?.close()
    try timing?.close()
    trace = nil
    timing = nil
    for name in ["trace.csv", "timing.csv"] {
      let partial = file(name + ".partial")
      guard FileManager.default.fileExists(atPath: partial.path) else { continue }
      if rename(partial.path, file(name).path) != 0 {
        throw RunError(.io, "cannot move '\(partial.path)' into place: \(String(cString: strerror(errno)))")
      }
    }
  }

  private func open(_ name: String) throws -> FileHandle {
    let u = file(name)
    guard FileManager.default.createFile(atPath: u.path, contents: nil),
          let h = try? FileHandle(forWritingTo: u) else {
      throw RunError(.io, "cannot create '\(u.path)'; check that the folder is writable")
    }
    return h
  }

  static func reason(_ error: Error) -> String {
    (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
  }
}
