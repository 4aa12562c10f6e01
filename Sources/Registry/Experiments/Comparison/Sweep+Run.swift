import Dispatch
import Formats
import Foundation
import LinearAlgebra
import SolverAPI

extension Sweep {
  /// What running a sweep did: the runs it ran (started or resumed) and how they ended.
  public struct Progress {
    /// Runs that were pending when it started.
    public var pending: Int
    /// Indices of the runs this call ran, and their statuses.
    public var ran: [(index: Int, status: String)]
    /// True when a stop request ended it early.
    public var stopped: Bool
  }

  /// Runs the pending runs, `jobs` at a time (default: one per core), one thread each. Finished runs are
  /// skipped, interrupted ones resume from their checkpoint. `shouldStop` (a signal) lets the running
  /// runs checkpoint and stop, and starts no new one.
  public func run(jobs: Int? = nil, threads: Int = 1, shouldStop: (() -> Bool)? = nil, log: ((String) -> Void)? = nil) -> Progress {
    let todo = pending
    let lock = NSLock()
    var next = 0, ran: [(Int, String)] = []
    let workers = max(1, min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, todo.count))
    DispatchQueue.concurrentPerform(iterations: todo.isEmpty ? 0 : workers) { _ in
      while true {
        lock.lock()
        let k = next
        next += 1
        lock.unlock()
        guard k < todo.count, !(shouldStop?() ?? false) else { return }
        let entry = todo[k], name = comparison.variants[entry.variant].name
        lock.lock()
        log?("run \(entry.index): \(name), seed \(entry.seed)")
        lock.unlock()
        let (status, message) = runTask(entry, threads: threads, shouldStop: shouldStop)
        lock.lock()
        ran.append((entry.index, status))
        log?("run \(entry.index): \(name), seed \(entry.seed): \(status)" + (message.map { " — " + $0 } ?? ""))
        lock.unlock()
      }
    }
    return Progress(pending: todo.count, ran: ran.sorted { $0.0 < $1.0 }, stopped: shouldStop?() ?? false)
  }

  /// Runs one run (Slurm array task `index`): skips it when finished, resumes it from its checkpoint when
  /// one exists, else starts it from the planned config.json. An error that stops the run before it
  /// starts (a config that no longer composes, a missing data file) is written to its summary.json as
  /// status "failed", so the sweep's table says what happened.
  @discardableResult
  ///
  /// `cancellable`: a stop request may cut a long step short — only when this is the process's one run
  /// (a Slurm task), never from `run(jobs:)`'s concurrent runs.
  public func runTask(_ entry: Entry, threads: Int = 1, shouldStop: (() -> Bool)? = nil, cancellable: Bool = false) -> (status: String, message: String?) {
    let current = status(entry)
    if Sweep.finished.contains(current.status) { return current }
    let dir = folder(entry)
    do {
      var experiment: Experiment
      if FileManager.default.fileExists(atPath: dir + "/checkpoint.json") {
        experiment = try Experiment.resume(directory: dir, plugins: comparison.plugins)
      } else {
        let file = dir + "/config.json"
        let raw: ConfigValue
        do { raw = try JSONParser.parse(try String(contentsOfFile: file, encoding: .utf8)) } catch {
          throw ConfigError(file: file, path: "", "cannot read the planned config (\(error))", fix: "plan the sweep again")
        }
        experiment = try Experiment.compose(raw, file: entry.configFile, baseDirectory: entry.baseDirectory,
                                            name: URL(fileURLWithPath: entry.configFile).deletingPathExtension().lastPathComponent,
                                            plugins: comparison.plugins)
      }
      experiment.plan.parallel = threads == 0 ? .automatic : Parallel(threads: threads)
      let result = try experiment.run(outputPath: dir, shouldStop: shouldStop, checkpointEvery: checkpointEvery, cancellable: cancellable)
      let after = status(entry)
      return after.status == "missing" ? ("failed", result.outcome.failure?.message ?? "no summary written") : after
    } catch {
      let message = String(describing: error)
      let summary: ConfigValue = .object(["status": "failed", "message": .string(message), "config": .string(entry.configFile)])
      try? RunDirectory(path: dir).write("summary.json", summary.jsonText(pretty: true) + "\n")
      return ("failed", message)
    }
  }

  /// Reads every run's folder and writes the comparison's table, CSV, plots and page from the runs that
  /// finished; the others are listed as missing (never run), interrupted, or failed with their message.
  public func collect() throws -> Comparison.Result {
    var jobs: [Comparison.Run] = [], traces: [[RunTrace]] = Array(repeating: [], count: comparison.variants.count)
    for entry in runs {
      var (status, message) = self.status(entry)
      var trace: RunTrace?
      if Sweep.finished.contains(status) { trace = try? RunTrace(directory: folder(entry)) }
      if status == "missing", FileManager.default.fileExists(atPath: folder(entry) + "/checkpoint.json") { status = "interrupted" }
      if trace == nil, status == "completed" { (status, message) = ("failed", "its trace.csv is missing or unreadable") }
      jobs.append(Comparison.Run(variant: entry.variant, seed: entry.seed, directory: folder(entry), status: status, message: message,
                                 trace: trace.map { _ in traces[entry.variant].count }))
      if let trace { traces[entry.variant].append(trace) }
    }
    guard jobs.contains(where: { $0.status == "completed" && $0.trace != nil }) else {
      throw RunError(.numerical, "no run of the sweep in '\(directory)' has completed; "
                     + (jobs.first.map { "run 0: \($0.status)" + ($0.message.map { " (\($0))" } ?? "") } ?? "it has no runs"))
    }
    return try comparison.report(jobs: jobs, traces: traces)
  }
}
