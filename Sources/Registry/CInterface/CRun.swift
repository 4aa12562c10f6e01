import Experiments
import Foundation
import Formats
import LinearAlgebra
import Registry
import SolverAPI

/// A run behind a C handle: a composed experiment, its session (stepped k at a time), and the trace so far
/// in memory. Stepping 10 × 100 is stepping 1 × 1000: the session records every row exactly as
/// `Solver.run` does, so the rows and the particles equal `mfld run`'s on the same config, bit for bit.
final class CRun {
  let experiment: Experiment
  let trace = TraceTable()
  let session: RunSession

  init(_ experiment: Experiment) throws {
    self.experiment = experiment
    session = try RunSession(experiment.plan, sink: trace)
  }

  var plan: RunPlan { session.plan }
  var cloud: ParticleCloud { session.plan.state.cloud }
  /// The objective's view of a signed measure (reduced runs), nil for a run over probability measures.
  var signed: (any SignedMeasureView)? { plan.problem.objective as? any SignedMeasureView }

  /// Builds a run from a config file or a config's JSON text, with `--set`-style overrides.
  static func make(file: String?, json: String?, baseDirectory: String?, overrides: [String]) throws -> CRun {
    if let file {
      return try CRun(try Experiment.load(file: file, overrides: overrides, registry: CInterface.registry))
    }
    let raw: ConfigValue
    do { raw = try JSONParser.parse(json ?? "") } catch { throw ConfigError(path: "", "the config is not valid JSON: \(error)") }
    return try CRun(try Experiment.compose(raw, baseDirectory: baseDirectory ?? FileManager.default.currentDirectoryPath,
                                           overrides: overrides, registry: CInterface.registry))
  }

  /// Where the run is, as JSON: step, last step, status and message, the shapes, the trace's columns (small:
  /// read after every `step`; the resolved config is `mfld_run_config`).
  var status: String {
    var o: ConfigObject = [:]
    o["step"] = .integer(plan.state.step)
    o["last_step"] = .integer(plan.lastStep)
    o["time"] = .real(plan.state.time)
    switch session.outcome?.failure?.kind {
    case nil: o["status"] = session.outcome == nil ? "running" : "completed"
    case .diverged?: o["status"] = "diverged"
    case .interrupted?: o["status"] = "interrupted"
    default: o["status"] = "failed"
    }
    if let failure = session.outcome?.failure {
      o["message"] = .string(failure.description)
      o["exit_code"] = .integer(Int(failure.exitCode))
    }
    o["count"] = .integer(cloud.count)
    o["dimension"] = .integer(cloud.dimension)
    o["signed"] = .bool(signed != nil)
    o["domain"] = .string(experiment.domain.name)
    o["position_dimension"] = .integer(experiment.domain.dimension)
    o["columns"] = .array(plan.columns.map(ConfigValue.string))
    o["rows"] = .integer(trace.rows.count)
    o["threads"] = .integer(plan.parallel.threads)
    o["wall_seconds"] = .real(session.seconds())
    o["output"] = .string(experiment.outputPath)
    return ConfigValue.object(o).jsonText(pretty: false)
  }

  /// The signed measure (r_i, w_i) the cloud represents.
  func signedMeasure() throws -> (weights: [Double], positions: ParticleCloud) {
    guard let signed else { throw ConfigError(path: "", "this run is over probability measures: it has no weights") }
    return try signed.signedMeasure(of: cloud, parallel: plan.parallel)
  }

  /// A cloud of this run's shape from the caller's buffer.
  func cloud(_ x: UnsafePointer<Double>, count: Int, dimension: Int) throws -> ParticleCloud {
    guard dimension == cloud.dimension else {
      throw ConfigError(path: "", "points need \(cloud.dimension) coordinates (this run's particles have \(cloud.dimension)), found \(dimension)")
    }
    guard count >= 1 else { throw ConfigError(path: "", "needs at least one point") }
    return ParticleCloud(count: count, dimension: dimension, coordinates: Array(UnsafeBufferPointer(start: x, count: count * dimension)))
  }
}
