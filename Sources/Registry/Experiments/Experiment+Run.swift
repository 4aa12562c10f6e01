import Foundation
import Formats
import Registry
import SolverAPI

/// The version written into every summary.
public let mfldVersion = "0.1.0"

extension Experiment {
  /// What a finished (or stopped) run left behind.
  public struct Result {
    public var outcome: RunOutcome
    public var directory: RunDirectory
    public var summary: ConfigValue
  }

  /// Runs the plan and writes the run folder: config.json first (so a failed run still says what it
  /// was), then trace.csv and timing.csv as rows arrive, then particles.csv (and model.json for a network),
  /// the plots, and summary.json last — also when the run diverged, so nothing computed is lost. A diverged run's failure is in the result.
  ///
  /// With `checkpointEvery`, the full state is written to checkpoint.json (atomically) every that many
  /// steps; a stopped run (`shouldStop`) always writes one. `mfld resume` continues from it.
  ///
  /// `cancellable`: a stop request may cut a long step short (`Solver.run`); only for one run per process.
  ///
  /// The folder is this run's while it runs (a second run into it fails); a folder holding another config's
  /// results is refused unless `overwrite`, and an earlier run's outputs are cleared before a fresh one.
  ///
  /// The run takes the experiment (`consuming`), so that its steps move the particles in place rather than
  /// a copy: an experiment still used after `run` keeps its starting cloud beside the run's, a cloud more of
  /// peak memory (harmless, and what the compiler does when the caller reads the experiment afterwards; the
  /// result holds the final state).
  public consuming func run(outputPath: String? = nil, progress: ((RunProgress) -> Void)? = nil,
                           shouldStop: (() -> Bool)? = nil, checkpointEvery: Int? = nil, cancellable: Bool = false,
                           overwrite: Bool = false) throws -> Result {
    let directory = try RunDirectory(path: outputPath ?? self.outputPath)
    try directory.claim()
    let running = plan
    plan.state.cloud = ParticleCloud(count: 0, dimension: running.state.cloud.dimension)
    let experiment = copy self  // for the closures (the particles already taken out)
    directory.snapshotWriter = { try experiment.writeParticles($0, to: $1) }
    if let resume = resumeFrom {
      try directory.prepareResume(step: running.state.step, wallOffset: resume.wallSeconds)
    } else {
      let text = config.jsonText(pretty: true) + "\n"
      try directory.prepareFresh(config: text, overwrite: overwrite)
      try directory.write("config.json", text)
    }
    let outcome: RunOutcome
    let start = ContinuousClock.now
    do {
      outcome = try Solver.run(consume running, sink: directory, progress: progress, shouldStop: shouldStop,
                               checkpointEvery: checkpointEvery, cancellable: cancellable, checkpoint: { state in
        try directory.flush()
        let elapsed = (ContinuousClock.now - start).components
        try experiment.writeCheckpoint(state, to: directory,
                                       wallSeconds: (experiment.resumeFrom?.wallSeconds ?? 0) + Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
      })
    } catch {
      try? directory.finishTrace()
      throw error
    }
    try directory.finishTrace()
    let summary = makeSummary(outcome)
    try writeParticles(outcome.state.cloud, to: directory.file("particles.csv").path)
    if let model = composition.predictionModel { try directory.write("model.json", model.jsonText(pretty: true) + "\n") }
    // objective.svg, and the primary figure's too (G_lambda.svg for signed runs).
    let trace = try RunTrace(directory: directory.url.path)
    try RunPlots.write([trace], names: [URL(fileURLWithPath: directory.url.path).lastPathComponent],
                       quantities: Array(Set(["objective", trace.primary])).sorted(), into: directory.url.path)
    // Last: the summary says the run is done (a sweep counts a run with a summary as finished).
    try directory.write("summary.json", summary.jsonText(pretty: true) + "\n")
    return Result(outcome: outcome, directory: directory, summary: summary)
  }

  /// The cloud as CSV at `path` (atomically, streamed); for a signed run, each particle's weight r_i beside its
  /// position w_i.
  func writeParticles(_ cloud: ParticleCloud, to path: String) throws {
    let (table, names) = particlesTable(cloud)
    try AtomicFile.write(to: path) { emit in try CSVFormat.cloud(table, columnNames: names, emit: emit) }
  }

  private func particlesTable(_ cloud: ParticleCloud) -> (ParticleCloud, [String]?) {
    guard let view = plan.problem.objective as? any SignedMeasureView,
          let (r, w) = try? view.signedMeasure(of: cloud, parallel: plan.parallel) else { return (cloud, nil) }
    var joined = ParticleCloud(count: w.count, dimension: w.dimension + 1)
    for i in 0..<w.count {
      joined[i, 0] = r[i]
      for k in 0..<w.dimension { joined[i, 1 + k] = w[i, k] }
    }
    return (joined, ["r"] + (1...w.dimension).map { "w\($0)" })
  }

  func makeSummary(_ outcome: RunOutcome) -> ConfigValue {
    var s: ConfigObject = [:]
    let status: String
    switch outcome.failure?.kind {
    case nil: status = "completed"
    case .diverged?: status = "diverged"
    case .interrupted?: status = "interrupted"
    default: status = "failed"
    }
    s["status"] = .string(status)
    if let f = outcome.failure { s["message"] = .string(f.message) }
    s["config"] = file.map(ConfigValue.string) ?? .null
    s["mfld_version"] = .string(mfldVersion)
    s["steps"] = .integer(outcome.state.step)
    s["particles"] = .integer(outcome.state.cloud.count)
    s["domain"] = .string(domain.name)
    s["threads"] = .integer(plan.parallel.threads)
    s["wall_seconds"] = .real(outcome.wallSeconds)
    s["steps_per_second"] = .real(outcome.wallSeconds > 0 ? Double(outcome.stepsTaken) / outcome.wallSeconds : 0)
    var final: ConfigObject = [:]
    for (name, value) in zip(plan.columns, outcome.finalRow) {
      final[name] = value.isFinite ? (name == "step" ? .integer(Int(value)) : .real(value)) : .null
    }
    s["final"] = .object(final)
    return .object(s)
  }
}
