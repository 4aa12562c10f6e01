import Formats
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
  public var snapshotWriter: ((ParticleCloud, _ path: String) throws -> Void)?

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
    try AtomicFile.write(text, to: file(name).path)
  }

  /// The lock that makes this folder one run's (`claim`): an open descriptor with an exclusive `flock`.
  private var lock: Int32 = -1

  deinit { if lock >= 0 { close(lock) } }

  /// Makes the folder this process's until this object goes: a second run into it (another process, or
  /// another run in this one) fails, naming the holder's pid. Temporaries left by killed processes go.
  public func claim() throws {
    guard lock < 0 else { return }
    let path = file(".mfld-lock").path
    let fd = Glibc.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw RunError(.io, "cannot lock '\(url.path)': \(String(cString: strerror(errno)))") }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
      close(fd)
      throw RunError(.io, "'\(url.path)' is in use by another mfld run (pid \(holder.isEmpty ? "?" : holder)); wait for it, or write elsewhere with --out")
    }
    let pid = Array("\(getpid())\n".utf8)
    _ = ftruncate(fd, 0)
    _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    lock = fd
    AtomicFile.removeStale(in: url.path)
  }

  /// The files a run writes here; `clear` removes them (and nothing else).
  static let outputs = ["config.json", "trace.csv", "timing.csv", "summary.json", "particles.csv", "checkpoint.json", "model.json",
                        "trace.csv.partial", "timing.csv.partial"]

  /// Before a fresh run writing `config` (config.json's text): a folder holding another run's results is
  /// refused unless `overwrite`; then the outputs of any earlier run (the same config's, or overwritten) are
  /// removed, so nothing of it — a checkpoint, a plot, a snapshot — is left beside the new run's files.
  public func prepareFresh(config: String, overwrite: Bool) throws {
    let fm = FileManager.default
    let results = ["summary.json", "trace.csv", "checkpoint.json", "trace.csv.partial"].filter { fm.fileExists(atPath: file($0).path) }
    // Another run: no config.json (results without one), one that does not parse, or one that differs.
    let old = try? String(contentsOf: file("config.json"), encoding: .utf8)
    let key: String? = old.flatMap { try? JSONParser.parse($0) }.map { ConfigValue.firstDifference($0, (try? JSONParser.parse(config)) ?? .null) } ?? ""
    if !overwrite, !results.isEmpty, let key {
      throw ConfigError(file: file("config.json").path, path: key,
                        "'\(url.path)' holds the results of another run (\(results.joined(separator: ", ")))" + (key.isEmpty ? "" : "; its config differs at '\(key)'"),
                        fix: "write elsewhere with --out, continue it with `mfld resume \(url.path)`, or pass --overwrite to replace it")
    }
    for name in (try? fm.contentsOfDirectory(atPath: url.path)) ?? [] {
      let isOutput = Self.outputs.contains(name) || name.hasSuffix(".svg") || name == "particles" || (name.hasPrefix("predictions-") && name.hasSuffix(".csv"))
      if isOutput, name != "config.json" { try? fm.removeItem(at: file(name)) }
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
    guard let snapshotWriter else { return }
    let folder = url.appendingPathComponent("particles")
    do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
      throw RunError(.io, "cannot create '\(folder.path)': \(Self.reason(error))")
    }
    try snapshotWriter(cloud, file("particles/step-\(step).csv").path)
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
