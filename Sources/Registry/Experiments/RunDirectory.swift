import Formats
import Foundation
import SolverAPI

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
  /// Set by `prepareResume`: the trace so far is in the partial files; `begin` appends.
  private var resuming: (columns: [String], wallOffset: Double)?
  /// How a snapshot of the particles is written (particles.csv's format; r beside w for signed runs).
  public var snapshotText: ((ParticleCloud) throws -> String)?

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
    if let r = resuming {
      guard r.columns == columns else {
        throw RunError(.io, "the trace in '\(url.path)' has columns \(r.columns.joined(separator: ",")), the resumed run records \(columns.joined(separator: ","))")
      }
      trace = try openForAppending("trace.csv.partial")
      timing = try openForAppending("timing.csv.partial")
      traceBuffer = ""
      timingBuffer = ""
      return
    }
    trace = try open("trace.csv.partial")
    timing = try open("timing.csv.partial")
    traceBuffer = columns.joined(separator: ",") + "\n"
    timingBuffer = "step,wall_seconds\n"
  }

  /// Before resuming at `step`: keeps the recorded rows of earlier steps (from the partial files, or the
  /// finished ones) and drops any recorded after the checkpoint, so the run appends where it left off.
  public func prepareResume(step: Int, wallOffset: Double) throws {
    func rows(_ name: String) throws -> [Substring] {
      for candidate in [name + ".partial", name] {
        if let text = try? String(contentsOf: file(candidate), encoding: .utf8) { return text.split(separator: "\n") }
      }
      throw RunError(.io, "no \(name) in '\(url.path)' to resume")
    }
    func keep(_ lines: [Substring]) -> String {
      guard let header = lines.first else { return "" }
      let kept = lines.dropFirst().filter { line in (Double(line.prefix { $0 != "," }) ?? .infinity) < Double(step) }
      return ([header] + kept).joined(separator: "\n") + "\n"
    }
    let traceRows = try rows("trace.csv"), timingRows = (try? rows("timing.csv")) ?? ["step,wall_seconds"]
    try write("trace.csv.partial", keep(traceRows))
    try write("timing.csv.partial", keep(timingRows))
    resuming = (traceRows.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? [], wallOffset)
  }

  public func record(_ row: [Double], wallSeconds: Double) throws {
    let wall = wallSeconds + (resuming?.wallOffset ?? 0)
    traceBuffer += row.map { $0.isNaN ? "" : CSVFormat.number($0) }.joined(separator: ",") + "\n"
    timingBuffer += CSVFormat.number(row[0]) + "," + String(format: "%.6f", wall) + "\n"
    if traceBuffer.utf8.count > 1 << 16 { try flush() }
  }

  /// particles/step-N.csv (`record.particles_every`).
  public func snapshot(step: Int, cloud: ParticleCloud) throws {
    guard let snapshotText else { return }
    let folder = url.appendingPathComponent("particles")
    do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
      throw RunError(.io, "cannot create '\(folder.path)': \(Self.reason(error))")
    }
    try write("particles/step-\(step).csv", try snapshotText(cloud))
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

  private func openForAppending(_ name: String) throws -> FileHandle {
    guard let h = try? FileHandle(forWritingTo: file(name)) else {
      throw RunError(.io, "cannot open '\(file(name).path)' to append; check that the folder is writable")
    }
    _ = try? h.seekToEnd()
    return h
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
